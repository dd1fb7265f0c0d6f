import Analysis
import ArgumentParser
import Foundation
import NeuralNet

/// Turns the libraries' typed errors into one clear line on stderr and a non-zero exit code.
enum CLIErrors {
    static func mapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ValidationError {
            throw error
        } catch let error as ExitCode {
            throw error
        } catch {
            Console.error("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}

/// Messages on stderr. Written with POSIX `write`, whose failures (a full disk or a file-size limit on
/// a redirected stderr) are ignored: a message that cannot be shown must not crash the run
/// (FileHandle.write traps on a failed write).
enum Console {
    static func error(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}

/// Deterministic JSON (sorted keys, pretty-printed) for `--json` outputs.
enum JSONOutput {
    static func string<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// `--threads N`, shared by every command that runs the engine (`all`, `figure`, `table`,
/// `train`, `estimate`, `diagnose`, `bench engine`, `bench models`).
///
/// The default is `Parallel.defaultThreads()`: `SLURM_CPUS_PER_TASK` when set to a positive
/// integer, otherwise the available cores. The engine splits work into fixed chunks, so the
/// thread count changes the speed, never the numbers (and so never a stage's key).
struct EngineArguments: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Cores for the engine's kernels; results are identical for any value.",
            discussion: "Default: SLURM_CPUS_PER_TASK when set, otherwise the available cores."))
    var threads: Int = Parallel.defaultThreads()

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    /// Sets the engine's thread count; every command calls this before any engine work.
    func apply() { Parallel.setThreads(threads) }
}
