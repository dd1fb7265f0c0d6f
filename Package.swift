// swift-tools-version:6.0
// paper-repro: reproduces Rahimzadeh et al., "A fully automated deep learning-based network for
// detecting COVID-19 from a new and large lung CT scan dataset" (COVID-CTset), end to end.
// Module map and conventions: see design notes in README.md.

import PackageDescription

let package = Package(
    name: "paper-repro",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "paper-repro", targets: ["paper-repro"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Analysis", targets: ["Analysis"]),
        .library(name: "Plots", targets: ["Plots"]),
        .library(name: "Report", targets: ["Report"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // MARK: - System libraries (Debian -dev packages, installed by scripts/install-system-deps)
        .systemLibrary(name: "CTIFF", path: "Sources/Shims/CTIFF", pkgConfig: "libtiff-4",
                       providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/Shims/CPNG", pkgConfig: "libpng16",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CCairo", path: "Sources/Shims/CCairo", pkgConfig: "cairo",
                       providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CCMarkGFM", path: "Sources/Shims/CCMarkGFM", pkgConfig: "libcmark-gfm",
                       providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/Shims/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),

        // DICOM through DCMTK (libdcmtk-dev): a small C interface written in C++.
        .target(name: "CDicom", path: "Sources/Shims/CDicom",
                linkerSettings: [.linkedLibrary("dcmjpls"), .linkedLibrary("dcmtkcharls"), .linkedLibrary("dcmjpeg"),
                                 .linkedLibrary("ijg8"), .linkedLibrary("ijg12"), .linkedLibrary("ijg16"),
                                 .linkedLibrary("dcmimgle"), .linkedLibrary("dcmdata"), .linkedLibrary("oflog"),
                                 .linkedLibrary("ofstd"), .linkedLibrary("stdc++")]),

        // MARK: - Libraries
        // Writing files so that a reader never sees a half-written one: used by every module.
        .target(name: "AtomicFiles"),
        .target(name: "NeuralNet",
                dependencies: ["AtomicFiles", "CBLAS"]),
        .target(name: "Analysis",
                dependencies: ["AtomicFiles", "NeuralNet", "CTIFF", "CDicom",
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "Crypto", package: "swift-crypto")],
                exclude: ["Synthetic/README.md"],
                resources: [.copy("Resources/covid-ctset"), .copy("Resources/presets")]),
        .target(name: "Plots",
                dependencies: ["AtomicFiles", "CCairo", "CPNG"]),
        .target(name: "Report",
                dependencies: ["AtomicFiles", "Analysis", "NeuralNet", "Plots", "CCMarkGFM",
                               .product(name: "Mustache", package: "swift-mustache")],
                resources: [.copy("Resources/paper"), .copy("Resources/prose"), .copy("Resources/templates")]),

        // MARK: - The command line
        .executableTarget(name: "paper-repro",
                          dependencies: ["AtomicFiles", "Report", "Analysis", "NeuralNet", "Plots",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // MARK: - Tests
        .testTarget(name: "AtomicFilesTests", dependencies: ["AtomicFiles"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "NeuralNet", "CTIFF"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots"], exclude: ["Snapshots"]),
        .testTarget(name: "ReportTests", dependencies: ["AtomicFiles", "NeuralNet", "Report"], exclude: ["Snapshots"]),
        .testTarget(name: "CLITests", dependencies: ["paper-repro", "Analysis"]),
    ],
    swiftLanguageModes: [.v6]
)
