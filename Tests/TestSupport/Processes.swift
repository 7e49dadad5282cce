import CPseudoTerminal
import Glibc

/// What a finished child process printed and returned.
public struct ProcessResult: Sendable {
  public var stdout: String
  public var stderr: String
  public var status: Int32
  public var stdoutBytes: [UInt8]
}

/// Spawns programs with posix_spawn (Foundation.Process deadlocks under Swift Testing on 2 cores).
public enum Processes {
  /// Runs `path` with `arguments`, feeding `stdin`, and waits (killing it after `timeout` s).
  public static func run(
    _ path: String, _ arguments: [String], stdin: String? = nil,
    environment: [String: String] = [:], timeout: Double = 60
  ) -> ProcessResult {
    var inPipe: [Int32] = [0, 0]
    var outPipe: [Int32] = [0, 0]
    var errPipe: [Int32] = [0, 0]
    opsql_pipe_cloexec(&inPipe)
    opsql_pipe_cloexec(&outPipe)
    opsql_pipe_cloexec(&errPipe)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    for fd in inPipe + outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
    var attributes = defaultAttributes()
    defer { posix_spawnattr_destroy(&attributes) }
    let pid = spawn(path, arguments, environment, &actions, &attributes)
    close(inPipe[0])
    close(outPipe[1])
    close(errPipe[1])
    if let stdin {
      var bytes = Array(stdin.utf8)
      var off = 0
      while off < bytes.count {
        let n = bytes.withUnsafeMutableBytes {
          write(inPipe[1], $0.baseAddress! + off, $0.count - off)
        }
        if n <= 0 { break }
        off += n
      }
      bytes.removeAll()
    }
    close(inPipe[1])
    var out: [UInt8] = []
    var err: [UInt8] = []
    let deadline = now() + timeout
    var open = [outPipe[0], errPipe[0]]
    while !open.isEmpty {
      var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      let left = deadline - now()
      if left <= 0 {
        kill(pid, SIGKILL)
        break
      }
      _ = poll(&fds, nfds_t(fds.count), Int32(min(left, 1) * 1000))
      for p in fds where p.revents != 0 {
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = read(p.fd, &buf, buf.count)
        if n <= 0 {
          open.removeAll { $0 == p.fd }
        } else if p.fd == outPipe[0] {
          out.append(contentsOf: buf[0..<n])
        } else {
          err.append(contentsOf: buf[0..<n])
        }
      }
    }
    close(outPipe[0])
    close(errPipe[0])
    let status = waitFor(pid)
    return ProcessResult(
      stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
      status: status, stdoutBytes: out)
  }

  /// An empty signal mask and default handlers, so the child does not inherit a blocked SIGINT.
  static func defaultAttributes() -> posix_spawnattr_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    var none = sigset_t()
    sigemptyset(&none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    return attributes
  }

  static func spawn(
    _ path: String, _ arguments: [String], _ environment: [String: String],
    _ actions: inout posix_spawn_file_actions_t, _ attributes: inout posix_spawnattr_t
  ) -> pid_t {
    var env = currentEnvironment()
    for (k, v) in environment { env[k] = v }
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
    precondition(rc == 0, "posix_spawn \(path) failed: \(rc)")
    return pid
  }

  public static func waitFor(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    if status & 0x7f == 0 { return (status >> 8) & 0xff }
    return 128 + (status & 0x7f)
  }

  public static func currentEnvironment() -> [String: String] {
    var env: [String: String] = [:]
    var p = environ
    while let entry = p.pointee {
      let s = String(cString: entry)
      if let eq = s.firstIndex(of: "=") {
        env[String(s[..<eq])] = String(s[s.index(after: eq)...])
      }
      p += 1
    }
    return env
  }

  public static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}
