import Foundation
import XCTest

@testable import NeuralNet

final class WeightsIOTests: XCTestCase {
    func tmp(_ name: String) -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name)
    }

    func small(seed: UInt64, filters: Int = 3) -> Graph {
        let g = Graph(seed: seed)
        let x = g.input("input_1", shape: [4, 4, 1])
        let c = g.add(Conv2D("conv1_conv", filters: filters, kernelSize: 3, padding: .same), x)
        let b = g.add(BatchNormalization("post_bn"), c)
        g.outputs = [g.add(Dense("fc", units: 2), g.add(GlobalAveragePooling2D("gap"), b))]
        return g
    }

    func testSafeTensorsRoundTripAndLayout() throws {
        let url = tmp("roundtrip.safetensors")
        let a = small(seed: 1)
        a.parameters[3].value.data[0] = 0.25  // a moving statistic
        try a.saveWeights(to: url, metadata: ["format": "pt"])
        let bytes = [UInt8](try Data(contentsOf: url))
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(n % 8, 0)
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as! [String: Any]
        let kernel = header["conv1_conv/kernel"] as! [String: Any]
        XCTAssertEqual(kernel["dtype"] as? String, "F32")
        XCTAssertEqual(kernel["shape"] as? [Int], [3, 3, 1, 3])
        XCTAssertEqual(kernel["data_offsets"] as? [Int], [0, 108])
        XCTAssertEqual((header["__metadata__"] as? [String: String])?["format"], "pt")
        XCTAssertNotNil(header["post_bn/moving_mean"])
        let total = a.parameters.reduce(0) { $0 + $1.value.count * 4 }
        XCTAssertEqual(bytes.count, 8 + n + total)
        // First kernel value, little-endian Float32, right after the header.
        let first = Float(
            bitPattern: UInt32(bytes[8 + n]) | UInt32(bytes[9 + n]) << 8 | UInt32(bytes[10 + n]) << 16 | UInt32(bytes[11 + n]) << 24)
        XCTAssertEqual(first, a.parameters[0].value.data[0])

        let b = small(seed: 2)
        XCTAssertNotEqual(b.parameters[0].value, a.parameters[0].value)
        let meta = try b.loadWeights(from: url)
        XCTAssertEqual(meta["format"], "pt")
        XCTAssertEqual(b.parameters.map(\.value), a.parameters.map(\.value))
        let files = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        XCTAssertFalse(files.contains { $0.contains(".tmp-") }, "no temporary file left behind")
    }

    func testSafeTensorsMismatchesFailClearly() throws {
        let url = tmp("mismatch.safetensors")
        try small(seed: 1).saveWeights(to: url)
        let wide = small(seed: 1, filters: 4)
        let before = wide.parameters.map(\.value)
        XCTAssertThrowsError(try wide.loadWeights(from: url)) { e in
            guard case WeightsError.shapeMismatch(_, let name, let expected, let found) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(name, "conv1_conv/kernel"); XCTAssertEqual(expected, [3, 3, 1, 4]); XCTAssertEqual(found, [3, 3, 1, 3])
        }
        XCTAssertEqual(wide.parameters.map(\.value), before, "a failed load leaves the model unchanged")

        let partial = tmp("partial.safetensors")
        try SafeTensors.write(small(seed: 1).parameters.dropLast().map { ($0.name, $0.value) }, to: partial)
        XCTAssertThrowsError(try small(seed: 1).loadWeights(from: partial)) { e in
            XCTAssertEqual(e as? WeightsError, .missingTensor(file: partial.path, name: "fc/bias"))
        }
        let extra = tmp("extra.safetensors")
        try SafeTensors.write(small(seed: 1).parameters.map { ($0.name, $0.value) } + [("head/kernel", Tensor.zeros([1]))], to: extra)
        XCTAssertThrowsError(try small(seed: 1).loadWeights(from: extra)) { e in
            XCTAssertEqual(e as? WeightsError, .unexpectedTensor(file: extra.path, name: "head/kernel"))
        }
        let junk = tmp("junk.safetensors")
        try Data([1, 2, 3]).write(to: junk)
        XCTAssertThrowsError(try small(seed: 1).loadWeights(from: junk)) { e in
            guard case WeightsError.malformed = e else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try small(seed: 1).loadWeights(from: tmp("absent.safetensors"))) { e in
            guard case WeightsError.io = e else { return XCTFail("\(e)") }
        }
    }

    /// Safetensors headers that lie: each is a `malformed` error naming the file and the
    /// tensor, never a crash or a huge allocation.
    func testHeadersThatLieAreMalformedErrors() throws {
        func file(_ name: String, header: String, payload: Int) throws -> URL {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(getpid())-\(name).safetensors")
            var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
            bytes += Array(header.utf8) + [UInt8](repeating: 0, count: payload)
            try Data(bytes).write(to: url)
            return url
        }
        let cases: [(String, String, Int, String)] = [
            ("overflow", #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}"#, 16, "more values than the file"),
            ("huge", #"{"w":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,16]}}"#, 16, "more values than the file"),
            ("negative", #"{"w":{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]}}"#, 16, "negative dimension"),
            ("text-dim", #"{"w":{"dtype":"F32","shape":[2,"x"],"data_offsets":[0,8]}}"#, 8, "bad shape"),
            ("past-end", #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, 8, "do not fit"),
            ("reversed", #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[16,0]}}"#, 16, "do not fit"),
            (
                "offset-overflow", #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[9223372036854775800,9223372036854775804]}}"#, 16,
                "do not fit"
            )
        ]
        for (name, header, payload, expected) in cases {
            let url = try file(name, header: header, payload: payload)
            defer { try? FileManager.default.removeItem(at: url) }
            XCTAssertThrowsError(try SafeTensors.read(from: url), name) { e in
                guard case let WeightsError.malformed(f, reason) = e else { return XCTFail("\(name): \(e)") }
                XCTAssertEqual(f, url.path)
                XCTAssertTrue(reason.contains(expected), "\(name): \(reason)")
                XCTAssertTrue(reason.hasPrefix("w:"), "names the tensor: \(reason)")
            }
        }
        // A header length past the end, and a dtype this engine does not hold.
        let long = try file("long", header: "{}", payload: 0)
        var bytes = [UInt8](try Data(contentsOf: long)); bytes[0] = 0xff; bytes[7] = 0x7f
        try Data(bytes).write(to: long)
        XCTAssertThrowsError(try SafeTensors.read(from: long)) { XCTAssertTrue("\($0)".contains("exceeds file"), "\($0)") }
        let f64 = try file("f64", header: #"{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#, payload: 8)
        XCTAssertThrowsError(try SafeTensors.read(from: f64)) { e in
            guard case WeightsError.unsupportedDType = e else { return XCTFail("\(e)") }
        }
    }
}
