import Analysis
import Foundation
import XCTest

/// `paper-repro model summary` end to end.
final class ModelCLITests: XCTestCase {
    func testModelSummaryJSON() throws {
        let result = try CLIRunner.run([
            "model", "summary", "--model", "fpn", "--size", "72", "--width", "0.125", "--features", "8", "--json"
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let s = try JSONDecoder().decode(ModelSummary.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(s.model, "ResNet50V2-FPN")
        XCTAssertEqual(s.inputShape, [72, 72, 1])
        XCTAssertEqual(s.totalParameters, s.trainableParameters + s.nonTrainableParameters)
        XCTAssertEqual(s.totalParameters, s.rows.reduce(0) { $0 + $1.parameters })
        XCTAssertTrue(s.rows.contains { $0.name == "P7" })
    }

    func testModelSummaryTable() throws {
        let result = try CLIRunner.run(["model", "summary", "--model", "resnet50v2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("Total params: 24,607,106"), result.stdout)
        XCTAssertTrue(result.stdout.contains("conv1_conv (Conv2D)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("conv2_block1_0_conv, conv2_block1_3_conv"), result.stdout)
        XCTAssertTrue(result.stdout.contains("17.77 GMAC"), result.stdout)
    }

    func testModelSummaryRejectsUnknownModelAndTinyInput() throws {
        let unknown = try CLIRunner.run(["model", "summary", "--model", "vgg16"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(
            unknown.stderr.contains("'vgg16' is invalid") && unknown.stderr.contains("'fpn', 'resnet50v2' or 'xception'"),
            unknown.stderr)
        let tiny = try CLIRunner.run(["model", "summary", "--model", "fpn", "--size", "64"])
        XCTAssertNotEqual(tiny.status, 0)
        XCTAssertTrue(tiny.stderr.contains("65"), tiny.stderr)
    }
}
