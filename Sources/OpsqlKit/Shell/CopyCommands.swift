import Glibc

/// psql's `\copy`: COPY with the file on the client's side, through the front door (guard,
/// audit) like any statement.
enum CopyCommands {
  static func run(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter) throws
    -> Bool
  {
    let copy = try CopyCommand.parse(line.rest)
    guard let session = shell.session else { throw ShellError("not connected") }
    guard session.target.kind == .postgres else {
      throw ShellError(
        "\\copy needs a PostgreSQL target; \(session.name) is \(session.target.kind.rawValue)")
    }
    var clientCopy = Executor.ClientCopy()
    var fd: Int32 = -1
    if let file = copy.file {
      fd =
        copy.direction == .from
        ? open(file, O_RDONLY | O_CLOEXEC)
        : open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
      guard fd >= 0 else { throw ShellError("\(file): \(String(cString: strerror(errno)))") }
      let opened = fd
      if copy.direction == .from {
        clientCopy.read = {
          var chunk = [UInt8](repeating: 0, count: 1 << 16)
          while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(opened, $0.baseAddress, $0.count) }
            if n >= 0 { return Array(chunk[0..<n]) }
            if errno != EINTR { throw ShellError("\(file): \(String(cString: strerror(errno)))") }
          }
        }
      } else {
        clientCopy.write = { data in
          var done = 0
          while done < data.count {
            let n = Glibc.write(opened, data.baseAddress! + done, data.count - done)
            if n > 0 {
              done += n
            } else if errno != EINTR {
              throw ShellError("\(file): \(String(cString: strerror(errno)))")
            }
          }
        }
      }
    }
    defer { if fd >= 0 { close(fd) } }
    shell.executor.clientCopy = clientCopy
    defer { shell.executor.clientCopy = nil }
    return shell.executor.run(copy.sql)
  }
}
