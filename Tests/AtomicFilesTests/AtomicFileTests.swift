import AtomicFiles
import Foundation
import XCTest

final class AtomicFileTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func listing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    func testWritesReplaceAndCreateFoldersWithoutLeftovers() throws {
        let file = folder.appendingPathComponent("a/b/c.txt")
        try AtomicFile.write("first", to: file)
        try AtomicFile.write(Data("second".utf8), to: file)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "second")
        try AtomicFile.write([1, 2, 3], to: folder.appendingPathComponent("bytes.bin").path)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("bytes.bin")), Data([1, 2, 3]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path), ["c.txt"])
        XCTAssertEqual(try listing(), ["a", "bytes.bin"])
    }

    func testAFailedProducerLeavesTheOldFileAndNoTemporary() throws {
        let path = folder.appendingPathComponent("kept.txt").path
        try AtomicFile.write("old", to: URL(fileURLWithPath: path))
        struct Broken: Error {}
        XCTAssertThrowsError(
            try AtomicFile.replace(path) { temporary in
                try "half".write(toFile: temporary, atomically: false, encoding: .utf8)
                throw Broken()
            }
        ) { XCTAssertTrue($0 is Broken) }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old")
        XCTAssertEqual(try listing(), ["kept.txt"])
    }

    func testAnUnwritableDestinationNamesTheFile() throws {
        let blocker = folder.appendingPathComponent("plain-file")
        try AtomicFile.write("x", to: blocker)
        let target = blocker.appendingPathComponent("inside.txt")
        XCTAssertThrowsError(try AtomicFile.write("y", to: target)) { error in
            guard let e = error as? AtomicWriteError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.file, target.path)
            XCTAssertTrue(e.description.hasPrefix(target.path + ": "), e.description)
        }
        XCTAssertEqual(try listing(), ["plain-file"])
    }

    func testTemporaryNamesAreHiddenBesideTheDestinationAndDistinct() {
        let a = AtomicFile.temporaryPath(for: "/x/y/report.csv"), b = AtomicFile.temporaryPath(for: "/x/y/report.csv")
        XCTAssertTrue(a.hasPrefix("/x/y/.report.csv.tmp-"), a)
        XCTAssertNotEqual(a, b)
    }
}
