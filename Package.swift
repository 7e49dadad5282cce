// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "opsql",
  products: [
    .executable(name: "opsql", targets: ["opsql"]),
    .library(name: "OpsqlKit", targets: ["OpsqlKit"]),
  ],
  targets: [
    .systemLibrary(
      name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
    .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
    .systemLibrary(
      name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    // libcurl's headers only: the library is loaded with dlopen when a D1 target opens.
    .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
    .target(
      name: "OpsqlKit", dependencies: ["CEditLine", "CLibPQ", "CSQLite", "CCurl"]),
    .executableTarget(name: "opsql", dependencies: ["OpsqlKit"]),
    .target(name: "CPseudoTerminal", path: "Tests/CPseudoTerminal"),
    .target(
      name: "TestSupport", dependencies: ["OpsqlKit", "CPseudoTerminal"], path: "Tests/TestSupport"),
    .testTarget(name: "OpsqlKitTests", dependencies: ["OpsqlKit"]),
    .testTarget(name: "IntegrationTests", dependencies: ["OpsqlKit", "TestSupport"]),
    .testTarget(name: "EndToEndTests", dependencies: ["OpsqlKit", "TestSupport", "opsql"]),
  ],
  swiftLanguageModes: [.v5]
)
