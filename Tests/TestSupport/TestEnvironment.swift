import Glibc

/// Facts the integration and end-to-end tests share: the built binary, the test cluster that
/// `scripts/with-test-cluster` started, and psql.
public enum TestEnvironment {
  /// The opsql binary built beside the test bundle.
  public static var opsql: String {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    let exe = String(decoding: buf[0..<max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let dir = exe[..<(exe.lastIndex(of: "/") ?? exe.endIndex)]
    return dir + "/opsql"
  }

  public static let psql = "/usr/lib/postgresql/15/bin/psql"

  /// True when a cluster is available (`make test` provides one).
  public static var hasCluster: Bool { getenv("OPSQL_TEST_CLUSTER") != nil }

  /// The cluster's directory (its socket lives there too).
  public static var clusterDirectory: String {
    getenv("OPSQL_TEST_CLUSTER").map { String(cString: $0) } ?? ""
  }

  /// Runs opsql with `arguments`; stdin is a pipe (so never a terminal).
  public static func opsql(
    _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
  ) -> ProcessResult {
    Processes.run(opsql, arguments, stdin: stdin, environment: environment)
  }

  /// Runs psql -X with `arguments`.
  public static func psql(_ arguments: [String], stdin: String? = nil) -> ProcessResult {
    Processes.run(psql, ["-X"] + arguments, stdin: stdin)
  }

  /// Creates a database once per process (tests share the cluster) and returns its name.
  public static func database(_ name: String, setup: String = "") -> String {
    _ = psql(["-q", "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
    let created = psql(["-q", "-c", "CREATE DATABASE \(name)"])
    precondition(created.status == 0, "CREATE DATABASE \(name): \(created.stderr)")
    if !setup.isEmpty {
      let r = psql(["-q", "-v", "ON_ERROR_STOP=1", "-d", name], stdin: setup)
      precondition(r.status == 0, "setup of \(name): \(r.stderr)")
    }
    return name
  }

  /// A fresh temporary directory.
  public static func temporaryDirectory() -> String {
    var template = Array("/tmp/opsql-t.XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
  }

  /// Writes `text` to `path` with `mode`.
  public static func writeFile(_ path: String, _ text: String, mode: mode_t = 0o644) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
    precondition(fd >= 0, "cannot write \(path)")
    _ = text.withCString { write(fd, $0, strlen($0)) }
    close(fd)
  }
}
