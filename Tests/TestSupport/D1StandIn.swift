import CPseudoTerminal
import Glibc

/// The D1 stand-in server (Tests/D1StandIn/d1_standin.py) on a loopback port, with one
/// database, a token, and a request log tests can read.
public final class D1StandIn {
  public let pid: pid_t
  public let port: Int
  public let directory: String
  public let token = "standin-token-\(getpid())"
  public let account = "test-account"
  public let databaseID = "11111111-2222-3333-4444-555555555555"
  public let databaseName = "edge"

  public init() {
    directory = TestEnvironment.temporaryDirectory()
    let script =
      String(#filePath.dropLast("TestSupport/D1StandIn.swift".count)) + "D1StandIn/d1_standin.py"
    var out: [Int32] = [0, 0]
    _ = opsql_pipe_cloexec(&out)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, out[1], 1)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var attributes = Processes.defaultAttributes()
    defer { posix_spawnattr_destroy(&attributes) }
    pid = Processes.spawn(
      "/usr/bin/python3",
      [
        script, "--dir", directory, "--token", token, "--account", account, "--database",
        "\(databaseName)=\(databaseID)", "--log", directory + "/requests.log",
      ], [:], &actions, &attributes)
    close(out[1])
    var line: [UInt8] = []
    var c: UInt8 = 0
    while read(out[0], &c, 1) == 1 && c != 0x0A { line.append(c) }
    close(out[0])
    port = Int(String(decoding: line, as: UTF8.self)) ?? 0
    precondition(port > 0, "the D1 stand-in did not start")
  }

  deinit {
    kill(pid, SIGKILL)
    _ = Processes.waitFor(pid)
  }

  /// What opsql needs to reach it.
  public var environment: [String: String] {
    [
      "CLOUDFLARE_API_BASE_URL": "http://127.0.0.1:\(port)/client/v4",
      "CLOUDFLARE_API_TOKEN": token, "no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1",
    ]
  }

  public var target: String { "d1://\(account)/\(databaseID)" }

  /// Makes the next `count` API requests fail: 429 (with Retry-After), 500 or "garbage".
  public func failNext(_ count: Int, status: String, retryAfter: Int = 1) {
    let body = "{\"count\": \(count), \"status\": \(status), \"retry_after\": \(retryAfter)}"
    _ = Processes.run(
      "/usr/bin/python3",
      [
        "-c",
        "import urllib.request,sys; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:\(port)/__standin/fail', data=sys.argv[1].encode(), method='POST'))",
        body,
      ], environment: ["no_proxy": "127.0.0.1"])
  }

  /// The requests received so far, one JSON object per line.
  public var requests: [String] {
    Processes.run("/bin/cat", [directory + "/requests.log"]).stdout.split(separator: "\n").map(
      String.init)
  }
}
