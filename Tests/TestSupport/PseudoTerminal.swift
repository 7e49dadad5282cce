import CPseudoTerminal
import Glibc

/// A program running on a real pseudo-terminal, driven the way a person types.
public final class PseudoTerminal {
  public let pid: pid_t
  private let master: Int32
  /// Everything the program wrote to the terminal so far.
  public private(set) var transcript: [UInt8] = []
  private var exitStatus: Int32?

  /// Starts `path` as a session leader whose controlling terminal is a new pty of `rows`×`columns`.
  public init(
    _ path: String, _ arguments: [String], environment: [String: String] = [:],
    rows: UInt16 = 40, columns: UInt16 = 120
  ) {
    var slaveName = [CChar](repeating: 0, count: 256)
    master = opsql_open_pty(rows, columns, &slaveName, slaveName.count)
    precondition(master >= 0, "cannot open a pseudo-terminal")
    let slavePath = String(cString: slaveName)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // Opened after setsid (the spawn attribute below), so the pty becomes the controlling tty.
    posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
    posix_spawn_file_actions_adddup2(&actions, 0, 1)
    posix_spawn_file_actions_adddup2(&actions, 0, 2)
    posix_spawn_file_actions_addclose(&actions, master)
    var attributes = Processes.defaultAttributes()
    defer { posix_spawnattr_destroy(&attributes) }
    let setsid: Int32 = 0x80  // POSIX_SPAWN_SETSID, not imported
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | setsid))
    var env = environment
    if env["TERM"] == nil { env["TERM"] = "xterm" }
    pid = Processes.spawn(path, arguments, env, &actions, &attributes)
    let flags = fcntl(master, F_GETFL)
    _ = fcntl(master, F_SETFL, flags | O_NONBLOCK)
  }

  deinit {
    if exitStatus == nil {
      kill(pid, SIGKILL)
      _ = Processes.waitFor(pid)
    }
    close(master)
  }

  /// The transcript as text.
  public var text: String { String(decoding: transcript, as: UTF8.self) }

  /// Reads what is available for up to `seconds`.
  public func pump(_ seconds: Double) {
    let deadline = Processes.now() + seconds
    repeat {
      var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
      let left = max(0, deadline - Processes.now())
      if poll(&p, 1, Int32(min(left, 0.05) * 1000)) > 0 { drain() }
    } while Processes.now() < deadline
  }

  private func drain() {
    var buf = [UInt8](repeating: 0, count: 8192)
    while true {
      let n = read(master, &buf, buf.count)
      if n <= 0 { break }
      transcript.append(contentsOf: buf[0..<n])
    }
  }

  /// Waits until the transcript, after `offset`, contains `needle`; returns whether it did.
  @discardableResult
  public func expect(_ needle: String, after offset: Int = 0, timeout: Double = 10) -> Bool {
    let deadline = Processes.now() + timeout
    while Processes.now() < deadline {
      if contains(needle, after: offset) { return true }
      pump(0.05)
    }
    return contains(needle, after: offset)
  }

  public func contains(_ needle: String, after offset: Int = 0) -> Bool {
    let hay = transcript.count > offset ? Array(transcript[offset...]) : []
    let n = Array(needle.utf8)
    guard !n.isEmpty, hay.count >= n.count else { return n.isEmpty }
    for i in 0...(hay.count - n.count) where hay[i] == n[0] && Array(hay[i..<(i + n.count)]) == n {
      return true
    }
    return false
  }

  /// Waits for the line editor to switch the terminal to raw mode (ICANON off): keys sent
  /// before that may be lost.
  @discardableResult
  public func waitForInput(timeout: Double = 10) -> Bool {
    let deadline = Processes.now() + timeout
    while Processes.now() < deadline {
      var t = termios()
      if tcgetattr(master, &t) == 0 && t.c_lflag & tcflag_t(ICANON) == 0 { return true }
      pump(0.02)
    }
    return false
  }

  /// Resizes the terminal, as a person dragging the window would.
  public func resize(rows: UInt16, columns: UInt16) {
    _ = opsql_resize_pty(master, rows, columns)
  }

  /// Types `text` (use "\r" for Enter, "\u{03}" for Ctrl-C, "\u{04}" for Ctrl-D).
  public func type(_ text: String) {
    var bytes = Array(text.utf8)
    _ = write(master, &bytes, bytes.count)
  }

  /// Waits for the program to exit; returns its status or nil on timeout.
  public func waitForExit(timeout: Double = 10) -> Int32? {
    if let exitStatus { return exitStatus }
    let deadline = Processes.now() + timeout
    while Processes.now() < deadline {
      pump(0.05)
      var status: Int32 = 0
      if waitpid(pid, &status, WNOHANG) == pid {
        pump(0.05)
        exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return exitStatus
      }
    }
    return nil
  }
}
