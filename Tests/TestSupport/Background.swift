import CPseudoTerminal
import Glibc

/// A program left running in the background (a psql session holding a lock, sleeping, or
/// idle in a transaction), fed through its stdin, stopped with `stop()`.
public final class Background {
  public let pid: pid_t
  private let input: Int32

  public init(_ path: String, _ arguments: [String], environment: [String: String] = [:]) {
    var inPipe: [Int32] = [0, 0]
    opsql_pipe_cloexec(&inPipe)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addclose(&actions, inPipe[1])
    var attributes = Processes.defaultAttributes()
    defer { posix_spawnattr_destroy(&attributes) }
    pid = Processes.spawn(path, arguments, environment, &actions, &attributes)
    close(inPipe[0])
    input = inPipe[1]
  }

  /// A psql session named `application` (so tests can find its backend) reading `sql` and then
  /// waiting with its stdin open.
  public static func psql(_ database: String, application: String, _ sql: String) -> Background {
    let b = Background(
      TestEnvironment.psql, ["-X", "-q", "-d", database], environment: ["PGAPPNAME": application])
    b.send(sql)
    return b
  }

  public func send(_ text: String) {
    var bytes = Array(text.utf8)
    _ = write(input, &bytes, bytes.count)
  }

  public func stop() {
    close(input)
    kill(pid, SIGKILL)
    _ = Processes.waitFor(pid)
  }

  /// Waits until `query` (run with psql -At) prints `expected`.
  @discardableResult
  public static func waitFor(
    _ database: String, _ query: String, toPrint expected: String, timeout: Double = 10
  )
    -> Bool
  {
    let deadline = Processes.now() + timeout
    while Processes.now() < deadline {
      if TestEnvironment.psql(["-d", database, "-At", "-c", query]).stdout == expected {
        return true
      }
      usleep(50_000)
    }
    return false
  }
}
