/// A parsed meta-command line: `\pset null '(null)'` has name `pset` and arguments
/// `["null", "(null)"]`.
public struct MetaCommandLine: Equatable, Sendable {
  /// The command without its backslash, e.g. `x`, `pset`, `dt+`, `?`.
  public var name: String
  /// Arguments after psql's quoting rules: `'…'` is one argument with backslash escapes
  /// (`\n`, `\t`, `\\`, `\'`) and doubled quotes; `"…"` keeps its quotes (an identifier).
  public var arguments: [String]
  /// The text after the name, unparsed and trimmed (for commands that take the whole line).
  public var rest: String

  public init(name: String, arguments: [String], rest: String) {
    self.name = name
    self.arguments = arguments
    self.rest = rest
  }

  /// Parses text that starts with a backslash. Outside quotes, psql's variable references in
  /// the arguments take the variable's value: `:name`, `:'name'` as a quoted literal,
  /// `:"name"` as a quoted identifier; a name that is not set is left as it is.
  public init(parsing text: String, variables: [String: String] = [:]) {
    var bytes = Array(text.utf8)
    if bytes.first == UInt8(ascii: "\\") { bytes.removeFirst() }
    var k = 0
    // The name: `?` alone, or letters, digits and `+`/`!`; psql ends it at space or backslash.
    while k < bytes.count && !isSpace(bytes[k]) && (k == 0 || bytes[k] != UInt8(ascii: "\\")) {
      k += 1
      if bytes[k - 1] == UInt8(ascii: "?") { break }
    }
    name = String(decoding: bytes[..<k], as: UTF8.self)
    let restBytes = bytes[k...].drop(while: isSpace)
    rest = String(decoding: restBytes.reversed().drop(while: isSpace).reversed(), as: UTF8.self)
    arguments = Self.split(Array(restBytes), variables)
  }

  private static func split(_ b: [UInt8], _ variables: [String: String]) -> [String] {
    var args: [String] = []
    var k = 0
    while k < b.count {
      while k < b.count && isSpace(b[k]) { k += 1 }
      guard k < b.count else { break }
      var arg: [UInt8] = []
      while k < b.count && !isSpace(b[k]) {
        let c = b[k]
        if c == UInt8(ascii: "'") {
          k += 1
          while k < b.count {
            if b[k] == UInt8(ascii: "'") {
              if k + 1 < b.count && b[k + 1] == UInt8(ascii: "'") {
                arg.append(c)
                k += 2
                continue
              }
              k += 1
              break
            }
            if b[k] == UInt8(ascii: "\\") && k + 1 < b.count {
              k += 1
              switch b[k] {
              case UInt8(ascii: "n"): arg.append(0x0A)
              case UInt8(ascii: "t"): arg.append(0x09)
              case UInt8(ascii: "r"): arg.append(0x0D)
              case UInt8(ascii: "b"): arg.append(0x08)
              case UInt8(ascii: "f"): arg.append(0x0C)
              default: arg.append(b[k])
              }
              k += 1
              continue
            }
            arg.append(b[k])
            k += 1
          }
        } else if c == UInt8(ascii: "\"") {
          arg.append(c)
          k += 1
          while k < b.count {
            arg.append(b[k])
            k += 1
            if b[k - 1] == UInt8(ascii: "\"") { break }
          }
        } else if c == UInt8(ascii: ":"), !variables.isEmpty,
          let (value, end) = reference(b, at: k, variables)
        {
          arg.append(contentsOf: value.utf8)
          k = end
        } else {
          arg.append(c)
          k += 1
        }
      }
      args.append(String(decoding: arg, as: UTF8.self))
    }
    return args
  }

  /// The value of the variable reference at `b[k]` (a colon) and where it ends, or nil when
  /// there is none or the variable is not set.
  private static func reference(_ b: [UInt8], at k: Int, _ variables: [String: String]) -> (
    String, Int
  )? {
    var start = k + 1
    var quote: UInt8?
    if start < b.count && (b[start] == UInt8(ascii: "'") || b[start] == UInt8(ascii: "\"")) {
      quote = b[start]
      start += 1
    }
    var end = start
    while end < b.count && (isNameByte(b[end])) { end += 1 }
    guard end > start else { return nil }
    if let quote {
      guard end < b.count && b[end] == quote else { return nil }
    }
    guard let value = variables[String(decoding: b[start..<end], as: UTF8.self)] else {
      return nil
    }
    switch quote {
    case UInt8(ascii: "'"): return (SQLQuoting.literal(value), end + 1)
    case UInt8(ascii: "\""): return (SQLQuoting.identifier(value), end + 1)
    default: return (value, end)
    }
  }

  private static func isNameByte(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
      || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
      || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c >= 0x80
  }
}
