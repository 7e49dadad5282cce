import Dispatch
import Glibc

/// `\share`: publishes the live session — prompts and input, output, guard questions and their
/// answers — on a Unix socket in a private runtime directory. Followers (`opsql attach`) get
/// what is still on screen (the scrollback) and then everything live; they cannot type into the
/// session: the socket is only ever written to. Each follower is identified by the socket's peer
/// credentials, and its attach and detach are handed to the audit.
final class ShareHub: @unchecked Sendable {
  let path: String
  let id: String
  private let listener: Int32
  private let lock = DispatchQueue(label: "opsql.share")
  private var followers: [(fd: Int32, user: String, pid: Int32)] = []
  private var scrollback: [UInt8] = []
  private static let scrollbackLimit = 256 * 1024
  /// Attach and detach events for the main thread to audit: (kind, user, pid).
  private var events: [(String, String, Int32)] = []
  private var running = true

  /// The private runtime directory: `$XDG_RUNTIME_DIR/opsql`, else `/tmp/opsql-UID`, mode 0700.
  static func directory() -> String {
    let base = getenv("XDG_RUNTIME_DIR").map { String(cString: $0) }.flatMap {
      $0.isEmpty ? nil : $0
    }
    let dir = base.map { $0 + "/opsql" } ?? "/tmp/opsql-\(getuid())"
    mkdir(dir, 0o700)
    return dir
  }

  init(id: String, scrollback initial: [UInt8]) throws {
    self.id = id
    let dir = Self.directory()
    var st = stat()
    guard stat(dir, &st) == 0, st.st_uid == getuid(), st.st_mode & 0o077 == 0 else {
      throw ShellError("\(dir) must be a directory of yours with mode 0700 to share safely")
    }
    path = dir + "/" + id + ".sock"
    unlink(path)
    listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard listener >= 0 else {
      throw ShellError("cannot create a socket: \(String(cString: strerror(errno)))")
    }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8CString)
    guard bytes.count <= MemoryLayout.size(ofValue: address.sun_path) else {
      close(listener)
      throw ShellError("\(path) is too long for a Unix socket")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (k, b) in bytes.enumerated() { raw[k] = UInt8(bitPattern: b) }
    }
    let old = umask(0o077)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    umask(old)
    guard bound == 0, listen(listener, 8) == 0 else {
      close(listener)
      throw ShellError("cannot listen on \(path): \(String(cString: strerror(errno)))")
    }
    scrollback = Array(initial.suffix(Self.scrollbackLimit))
    FanOut.spawnThread { [self] in acceptLoop() }
  }

  private func acceptLoop() {
    while lock.sync(execute: { running }) {
      var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
      guard poll(&p, 1, 200) > 0 else { continue }
      let fd = accept(listener, nil, nil)
      guard fd >= 0 else { continue }
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
      // A follower must never hold the driver up: writes to it never block, and one that
      // stops reading until its (enlarged) buffer is full is let go.
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
      var size: Int32 = 1 << 20
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
      var credentials = PeerCredentials()
      var length = socklen_t(MemoryLayout<PeerCredentials>.size)
      getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length)
      let user =
        getpwuid(credentials.uid).flatMap { $0.pointee.pw_name.map { String(cString: $0) } }
        ?? "uid \(credentials.uid)"
      lock.sync {
        send(fd, scrollback)
        followers.append((fd, user, credentials.pid))
        events.append(("attach", user, credentials.pid))
      }
    }
  }

  /// Everything the driver's screen shows goes through here.
  func publish(_ bytes: UnsafeRawBufferPointer) {
    lock.sync {
      scrollback.append(contentsOf: bytes)
      if scrollback.count > Self.scrollbackLimit * 2 {
        scrollback.removeFirst(scrollback.count - Self.scrollbackLimit)
      }
      var gone: [Int] = []
      for (k, f) in followers.enumerated() where !send(f.fd, Array(bytes)) { gone.append(k) }
      for k in gone.reversed() {
        let f = followers.remove(at: k)
        close(f.fd)
        events.append(("detach", f.user, f.pid))
      }
    }
  }

  func publish(_ text: String) {
    var text = text
    text.withUTF8 { publish(UnsafeRawBufferPointer($0)) }
  }

  /// Attaches and detaches since the last call, for the audit.
  func takeEvents() -> [(String, String, Int32)] {
    lock.sync {
      let taken = events
      events.removeAll()
      return taken
    }
  }

  /// Ends the share: followers see the end of their stream.
  func stop() -> [(String, String, Int32)] {
    lock.sync {
      running = false
      for f in followers {
        close(f.fd)
        events.append(("detach", f.user, f.pid))
      }
      followers.removeAll()
    }
    close(listener)
    unlink(path)
    return takeEvents()
  }

  /// Writes all of `bytes`; false when the follower is gone.
  @discardableResult
  private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var off = 0
    while off < bytes.count {
      let n = bytes.withUnsafeBytes {
        Glibc.send(fd, $0.baseAddress! + off, $0.count - off, Int32(MSG_NOSIGNAL))
      }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return false }
      off += n
    }
    return true
  }
}

/// Linux's `struct ucred` (SO_PEERCRED), which Glibc's module leaves out without _GNU_SOURCE.
struct PeerCredentials {
  var pid: Int32 = 0
  var uid: UInt32 = 0
  var gid: UInt32 = 0
}

/// `opsql attach [ID]`: follows a shared session, read-only, until it ends.
enum Attach {
  static func main(_ arguments: [String]) -> Int32 {
    let dir = ShareHub.directory()
    let shared = listDirectory(dir).filter { $0.hasSuffix(".sock") }.map { String($0.dropLast(5)) }
      .sorted()
    let id: String
    if let given = arguments.first {
      id = given
    } else if shared.count == 1 {
      id = shared[0]
    } else {
      Opsql.printError(
        shared.isEmpty
          ? "opsql: no shared session of yours in \(dir); the driver runs \\share"
          : "opsql: several sessions are shared; attach to one: "
            + shared.map { "opsql attach \($0)" }.joined(separator: ", "))
      return 2
    }
    let path = dir + "/" + id + ".sock"
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8CString)
    guard fd >= 0, bytes.count <= MemoryLayout.size(ofValue: address.sun_path) else { return 2 }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (k, b) in bytes.enumerated() { raw[k] = UInt8(bitPattern: b) }
    }
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    guard connected == 0 else {
      Opsql.printError("opsql: cannot attach to \(id): \(String(cString: strerror(errno)))")
      return 2
    }
    Opsql.printError("opsql: following session \(id), read-only; Ctrl-C leaves.")
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = read(fd, &buffer, buffer.count)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      var off = 0
      while off < n {
        let w = buffer.withUnsafeBytes { write(1, $0.baseAddress! + off, n - off) }
        if w <= 0 { break }
        off += w
      }
    }
    Opsql.printError("\nopsql: the shared session ended.")
    return 0
  }
}
