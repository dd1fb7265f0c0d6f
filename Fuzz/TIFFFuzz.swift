// The TIFF reader's fuzz target (libFuzzer), built by `scripts/fuzz-tiff` together with the
// reader's sources into one module: every input is written to a file and read whole and as a
// band. A read must return an image of the size it claims or throw a `TIFFError`; anything
// else — a crash, an out-of-bounds access (AddressSanitizer), an untyped error — is a finding.
// Built without FUZZING, the same check replays files given as arguments (a crash's input).
import Foundation

let fuzzPath = FileManager.default.temporaryDirectory.appendingPathComponent("tiff-fuzz-\(getpid()).tif").path

func checkOne(_ bytes: UnsafeRawBufferPointer) {
    _ = FileManager.default.createFile(atPath: fuzzPath, contents: Data(bytes))
    for band in [false, true] {
        do {
            let image = band ? try TIFFReader.readRows(fuzzPath) { info in 0..<min(info.height, 7) } : try TIFFReader.read(fuzzPath)
            if image.pixels.count != image.width * image.height { fatalError("an image of \(image.pixels.count) pixels claims \(image.width)x\(image.height)") }
        } catch is TIFFError {
        } catch {
            fatalError("not a TIFFError: \(error)")
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    checkOne(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#else
@main
struct TIFFFuzzReplay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            data.withUnsafeBytes { checkOne($0) }
            print("\(path): ok")
        }
    }
}
#endif
