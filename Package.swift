// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "opsql",
  products: [
    .executable(name: "opsql", targets: ["opsql"]),
    .library(name: "OpsqlKit", targets: ["OpsqlKit"]),
  ],
  targets: [
    // libedit's headers only: the library is loaded with dlopen when the shell reads a terminal.
    .systemLibrary(name: "CEditLine", providers: [.apt(["libedit-dev"])]),
    .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
    .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),
    // Linked by OpsqlKit's settings below: a release build links SQLite in.
    .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
    // libcurl's headers only: the library is loaded with dlopen when a D1 target opens.
    .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
    .target(
      name: "OpsqlKit", dependencies: ["CEditLine", "CLibPQ", "CSQLite", "CCurl", "CCrypto"],
      swiftSettings: [
        // Generic types' metadata through accessor calls rather than by demangling their
        // mangled names at first use: a shorter start-up (bench/RESULTS.md).
        .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"])
      ],
      linkerSettings: [
        .linkedLibrary("sqlite3", .when(configuration: .debug)),
        // A release build carries SQLite (Debian's libsqlite3.a) instead of looking up its
        // 1,600 symbols at every start.
        .unsafeFlags(["-Xlinker", "-l:libsqlite3.a", "-lm"], .when(configuration: .release)),
      ]),
    .executableTarget(
      name: "opsql", dependencies: ["OpsqlKit"],
      linkerSettings: [
        // libgcc (the unwinder) linked in: one shared library fewer to load and initialise.
        .unsafeFlags(["-Xclang-linker", "-static-libgcc"], .when(configuration: .release))
      ]),
    .target(name: "CPseudoTerminal", path: "Tests/CPseudoTerminal"),
    .target(
      name: "TestSupport", dependencies: ["OpsqlKit", "CPseudoTerminal"], path: "Tests/TestSupport"),
    .testTarget(name: "OpsqlKitTests", dependencies: ["OpsqlKit"]),
    .testTarget(name: "IntegrationTests", dependencies: ["OpsqlKit", "TestSupport"]),
    .testTarget(name: "EndToEndTests", dependencies: ["OpsqlKit", "TestSupport", "opsql"]),
  ],
  swiftLanguageModes: [.v5]
)
