/// psql's `\copy`: `\copy { table [(columns)] | (query) } { from | to } { 'file' | file | stdin
/// | stdout | pstdin | pstdout } [options]` becomes `COPY … FROM STDIN` or `COPY … TO STDOUT`
/// with the file read or written by the client. Pure: the shell opens the file.
public struct CopyCommand: Equatable, Sendable {
  public enum Direction: Equatable, Sendable { case from, to }

  /// The statement sent to the server.
  public var sql: String
  public var direction: Direction
  /// The client-side file, or nil for the script's input or the output (`stdin`, `stdout`).
  public var file: String?

  /// Parses what follows `\copy`; the error is psql's wording.
  public static func parse(_ text: String) throws -> CopyCommand {
    let bytes = Array(text.utf8)
    guard !text.trimmed.isEmpty else { throw ShellError("arguments required") }
    // FROM or TO at the top level: a query in parentheses may hold either.
    var depth = 0
    var keyword: SQLToken?
    for token in SQLLexer.tokenize(bytes, startingIn: .normal).tokens {
      switch token.kind {
      case .openParen: depth += 1
      case .closeParen: depth -= 1
      case .word where depth == 0:
        let word = String(decoding: bytes[token.start..<token.end], as: UTF8.self).lowercased()
        if word == "from" || word == "to" { keyword = token }
      default: break
      }
      if keyword != nil { break }
    }
    guard let keyword, keyword.start > 0 else {
      throw ShellError("parse error at end of line")
    }
    let head = String(decoding: bytes[..<keyword.start], as: UTF8.self).trimmed
    let direction: Direction = bytes[keyword.start] | 0x20 == UInt8(ascii: "f") ? .from : .to
    // The file: a quoted name ('' for a quote), or a word up to the next space.
    var at = keyword.end
    while at < bytes.count && (bytes[at] == 0x20 || bytes[at] == 0x09) { at += 1 }
    guard at < bytes.count else { throw ShellError("parse error at end of line") }
    var name: [UInt8] = []
    if bytes[at] == UInt8(ascii: "'") {
      at += 1
      while true {
        guard at < bytes.count else { throw ShellError("unterminated quoted string") }
        if bytes[at] == UInt8(ascii: "'") {
          if at + 1 < bytes.count && bytes[at + 1] == UInt8(ascii: "'") {
            name.append(UInt8(ascii: "'"))
            at += 2
            continue
          }
          at += 1
          break
        }
        name.append(bytes[at])
        at += 1
      }
    } else {
      while at < bytes.count && bytes[at] != 0x20 && bytes[at] != 0x09 {
        name.append(bytes[at])
        at += 1
      }
    }
    let file = String(decoding: name, as: UTF8.self)
    let rest = String(decoding: bytes[at...], as: UTF8.self).trimmed
    var isStream = false
    switch file.lowercased() {
    case "program":
      throw ShellError("program is not supported; write the data to a file first")
    case "stdin", "pstdin":
      guard direction == .from else { throw ShellError("parse error at \"\(file)\"") }
      isStream = true
    case "stdout", "pstdout":
      guard direction == .to else { throw ShellError("parse error at \"\(file)\"") }
      isStream = true
    default:
      guard !file.isEmpty else { throw ShellError("parse error at end of line") }
    }
    let endpoint = direction == .from ? "FROM STDIN" : "TO STDOUT"
    return CopyCommand(
      sql: "COPY \(head) \(endpoint)" + (rest.isEmpty ? "" : " \(rest)"),
      direction: direction, file: isStream ? nil : file)
  }
}
