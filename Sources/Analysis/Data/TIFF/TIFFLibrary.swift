import CTIFF
import Foundation

#if canImport(Logging)
import Logging
#endif

/// Routes libtiff's warning and error messages through swift-log, and keeps the last error
/// of the current thread so that typed errors can quote it.
enum TIFFLibrary {
    #if canImport(Logging)
    static let logger = Logger(label: "paper-repro.tiff")
    #else
    /// The fuzz build (`scripts/fuzz-tiff`) compiles the reader alone, without swift-log.
    struct Silent { func debug(_ message: @autoclosure () -> String) {} }
    static let logger = Silent()
    #endif

    /// Installs the handlers once; every entry point of the TIFF code calls this first.
    static let installHandlers: Void = {
        ctiff_install_handlers { isError, module, message in
            let text = (module.map { String(cString: $0) + ": " } ?? "") + (message.map { String(cString: $0) } ?? "")
            if isError != 0 {
                TIFFLibrary.logger.debug("libtiff error: \(text)")
            } else {
                TIFFLibrary.logger.debug("libtiff warning: \(text)")
            }
        }
    }()

    /// Forgets the current thread's last libtiff error.
    static func clearLastError() {
        ctiff_clear_last_error()
    }

    /// The current thread's last libtiff error message, or a fallback.
    static func lastError(or fallback: String) -> String {
        let text = String(cString: ctiff_last_error())
        return text.isEmpty ? fallback : text
    }

    /// libtiff's version banner (first line), for manifests.
    public static var version: String {
        String(cString: TIFFGetVersion()).split(separator: "\n").first.map(String.init) ?? "unknown"
    }
}

/// The linked libtiff's version, for manifests.
public func libtiffVersion() -> String { TIFFLibrary.version }

/// The module's linked libraries' versions by name (libtiff), for manifests.
public enum AnalysisLibraries {
    public static var versions: [String: String] { ["libtiff": TIFFLibrary.version] }
}
