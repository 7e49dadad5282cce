import Glibc

/// Where the main loop's lines come from: the line editor, a script file, stdin or `-c` text.
public protocol InputSource: AnyObject {
  /// The file name for `opsql:FILE:LINE:` error prefixes; nil when typed or from `-c`.
  var name: String? { get }
  /// The number of the line read last.
  var lineNumber: Int { get }
  /// True for the line editor: prompts, history, questions.
  var isInteractive: Bool { get }
  func readLine(prompt: String) -> LineRead
}

/// Typed input through libedit.
public final class EditorInput: InputSource {
  public let editor: LineEditor
  public private(set) var lineNumber = 0
  public var name: String? { nil }
  public var isInteractive: Bool { true }

  public init(editor: LineEditor) { self.editor = editor }

  public func readLine(prompt: String) -> LineRead {
    let read = editor.readLine(prompt: prompt)
    if case .line = read { lineNumber += 1 }
    return read
  }
}

/// Lines of a file descriptor (a script, or stdin when it is not a terminal), read in blocks.
public final class FileInput: InputSource {
  public let name: String?
  public private(set) var lineNumber = 0
  public var isInteractive: Bool { false }
  private let fd: Int32
  private let ownsFD: Bool
  private var buffer: [UInt8] = []
  private var start = 0
  private var atEOF = false

  /// Opens `path` ("-" is stdin); nil with errno set when it cannot be read.
  public init?(path: String) {
    if path == "-" {
      fd = 0
      ownsFD = false
      name = "<stdin>"
    } else {
      fd = open(path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else { return nil }
      var st = stat()
      if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
        Glibc.close(fd)
        errno = EISDIR
        return nil
      }
      ownsFD = true
      name = path
    }
  }

  deinit { if ownsFD { Glibc.close(fd) } }

  public func readLine(prompt: String) -> LineRead {
    while true {
      if let nl = buffer[start...].firstIndex(of: 0x0A) {
        let line = String(decoding: buffer[start..<nl], as: UTF8.self)
        start = nl + 1
        lineNumber += 1
        return .line(line)
      }
      if atEOF {
        guard start < buffer.count else { return .endOfInput }
        let line = String(decoding: buffer[start...], as: UTF8.self)
        start = buffer.count
        lineNumber += 1
        return .line(line)
      }
      if start > 0 {
        buffer.removeSubrange(0..<start)
        start = 0
      }
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR {
          if Interrupts.wasRequested { return .interrupted }
          continue
        }
        atEOF = true
      } else if n == 0 {
        atEOF = true
      } else {
        buffer.append(contentsOf: chunk[0..<n])
      }
    }
  }
}

/// The text of one `-c` option, line by line.
public final class TextInput: InputSource {
  private var lines: [Substring]
  private var next = 0
  public var name: String? { nil }
  public var lineNumber: Int { next }
  public var isInteractive: Bool { false }

  public init(_ text: String) {
    lines = text.split(separator: "\n", omittingEmptySubsequences: false)
  }

  public func readLine(prompt: String) -> LineRead {
    guard next < lines.count else { return .endOfInput }
    next += 1
    return .line(String(lines[next - 1]))
  }
}
