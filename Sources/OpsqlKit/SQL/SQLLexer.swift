/// A token of PostgreSQL (and SQLite) text, as byte offsets into the scanned input.
public struct SQLToken: Equatable, Sendable {
  public enum Kind: Equatable, Sendable {
    /// A keyword or unquoted identifier.
    case word
    /// `"…"` or `U&"…"`.
    case quotedIdentifier
    /// `'…'`, `E'…'`, `B'…'`, `X'…'`, `N'…'`, `U&'…'` or a dollar-quoted string.
    case string
    case number
    /// `$1`, `$2`, … (a positional bind parameter).
    case parameter
    /// psql's `:name`, `:'name'` or `:"name"`.
    case variable
    case operatorSymbol
    case semicolon
    case openParen
    case closeParen
    /// `,`, `.`, `[`, `]` and any other single byte.
    case punctuation
    /// `-- …` or `/* … */`.
    case comment
    /// A backslash outside quotes: the rest of the input is a meta-command.
    case metaCommand
  }

  public var kind: Kind
  public var start: Int
  public var end: Int
  /// False when a quote, dollar quote or comment runs past the end of the input.
  public var isComplete: Bool

  public init(_ kind: Kind, _ start: Int, _ end: Int, isComplete: Bool = true) {
    self.kind = kind
    self.start = start
    self.end = end
    self.isComplete = isComplete
  }
}

/// What the lexer is inside of at the end of a chunk of input; the next chunk resumes there.
public enum SQLLexMode: Equatable, Sendable {
  case normal
  /// Inside `'…'`; `backslashEscapes` for `E'…'`.
  case singleQuote(backslashEscapes: Bool)
  case doubleQuote
  case dollarQuote(tag: [UInt8])
  case blockComment(depth: Int)
}

/// A pure lexer for PostgreSQL's lexical rules (quotes, `E''`, dollar quotes, nested comments,
/// `::` casts, psql variables and meta-commands). It never fails: what it does not know becomes
/// punctuation. Chunks (lines) are lexed one at a time, resuming in the mode the previous one
/// ended in, so a statement typed over many lines is scanned once.
public enum SQLLexer {
  public static func tokenize(_ text: String) -> [SQLToken] {
    tokenize(Array(text.utf8), startingIn: .normal).tokens
  }

  /// The first `count` words of `sql` (comments and punctuation skipped), uppercased: what
  /// kind of statement it is.
  public static func leadingWords(_ sql: String, count: Int = 1) -> [String] {
    let bytes = Array(sql.utf8)
    return tokenize(bytes, startingIn: .normal).tokens.lazy.filter { $0.kind == .word }.prefix(
      count
    )
    .map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self).uppercased() }
  }

  public static func tokenize(_ bytes: [UInt8], startingIn mode: SQLLexMode) -> (
    tokens: [SQLToken], endMode: SQLLexMode
  ) {
    var scanner = Scanner(bytes: bytes)
    return scanner.run(startingIn: mode)
  }
}

private struct Scanner {
  let b: [UInt8]
  var i = 0
  var tokens: [SQLToken] = []

  init(bytes: [UInt8]) {
    b = bytes
    tokens.reserveCapacity(bytes.count / 4)
  }

  func at(_ k: Int) -> UInt8 { k < b.count ? b[k] : 0 }

  mutating func run(startingIn mode: SQLLexMode) -> (tokens: [SQLToken], endMode: SQLLexMode) {
    if let open = resume(mode) { return (tokens, open) }
    while i < b.count {
      if let open = scanOne() { return (tokens, open) }
    }
    return (tokens, .normal)
  }

  /// Continues a construct left open by the previous chunk; returns the mode if still open.
  mutating func resume(_ mode: SQLLexMode) -> SQLLexMode? {
    switch mode {
    case .normal: return nil
    case .singleQuote(let esc):
      return quoted(start: 0, from: 0, quote: UInt8(ascii: "'"), escapes: esc)
    case .doubleQuote: return quoted(start: 0, from: 0, quote: UInt8(ascii: "\""), escapes: false)
    case .dollarQuote(let tag): return dollarBody(start: 0, from: 0, tag: tag)
    case .blockComment(let depth): return blockComment(start: 0, from: 0, depth: depth)
    }
  }

  mutating func scanOne() -> SQLLexMode? {
    let c = b[i]
    let start = i
    switch c {
    case 0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B:
      i += 1
    case UInt8(ascii: "-") where at(i + 1) == UInt8(ascii: "-"):
      while i < b.count && b[i] != 0x0A { i += 1 }
      tokens.append(SQLToken(.comment, start, i))
    case UInt8(ascii: "/") where at(i + 1) == UInt8(ascii: "*"):
      return blockComment(start: start, from: i + 2, depth: 1)
    case UInt8(ascii: "'"):
      return quoted(start: start, from: i + 1, quote: c, escapes: false)
    case UInt8(ascii: "\""):
      return quoted(start: start, from: i + 1, quote: c, escapes: false)
    case UInt8(ascii: "$"):
      return dollar(start: start)
    case UInt8(ascii: "0")...UInt8(ascii: "9"):
      number()
    case UInt8(ascii: ".") where isDigit(at(i + 1)):
      number()
    case UInt8(ascii: ":"):
      colon()
    case UInt8(ascii: ";"):
      i += 1
      tokens.append(SQLToken(.semicolon, start, i))
    case UInt8(ascii: "("):
      i += 1
      tokens.append(SQLToken(.openParen, start, i))
    case UInt8(ascii: ")"):
      i += 1
      tokens.append(SQLToken(.closeParen, start, i))
    case UInt8(ascii: "\\"):
      var end = b.count
      while end > start && (b[end - 1] == 0x0A || b[end - 1] == 0x0D) { end -= 1 }
      tokens.append(SQLToken(.metaCommand, start, end))
      i = b.count
    default:
      if isIdentStart(c) { return word() }
      if isOperatorChar(c) {
        operatorRun()
      } else {
        i += 1
        tokens.append(SQLToken(.punctuation, start, i))
      }
    }
    return nil
  }

  mutating func word() -> SQLLexMode? {
    let start = i
    while i < b.count && isIdentChar(b[i]) { i += 1 }
    let len = i - start
    // String and identifier prefixes: E'…', B'…', X'…', N'…', U&'…', U&"…".
    if len == 1 && at(i) == UInt8(ascii: "'") {
      let p = b[start] | 0x20
      if p == UInt8(ascii: "e") {
        return quoted(start: start, from: i + 1, quote: UInt8(ascii: "'"), escapes: true)
      }
      if p == UInt8(ascii: "b") || p == UInt8(ascii: "x") || p == UInt8(ascii: "n") {
        return quoted(start: start, from: i + 1, quote: UInt8(ascii: "'"), escapes: false)
      }
    }
    if len == 1 && (b[start] | 0x20) == UInt8(ascii: "u") && at(i) == UInt8(ascii: "&") {
      let q = at(i + 1)
      if q == UInt8(ascii: "'") || q == UInt8(ascii: "\"") {
        return quoted(start: start, from: i + 2, quote: q, escapes: false)
      }
    }
    tokens.append(SQLToken(.word, start, i))
    return nil
  }

  /// Scans the body of a quoted string or identifier from `from`; a doubled quote is an escaped
  /// quote, and with `escapes` so is a backslash-quote.
  mutating func quoted(start: Int, from: Int, quote: UInt8, escapes: Bool) -> SQLLexMode? {
    let kind: SQLToken.Kind = quote == UInt8(ascii: "'") ? .string : .quotedIdentifier
    var k = from
    while k < b.count {
      let c = b[k]
      if escapes && c == UInt8(ascii: "\\") {
        k += 2
        continue
      }
      if c == quote {
        if at(k + 1) == quote {
          k += 2
          continue
        }
        i = k + 1
        tokens.append(SQLToken(kind, start, i))
        return nil
      }
      k += 1
    }
    i = b.count
    tokens.append(SQLToken(kind, start, i, isComplete: false))
    if quote == UInt8(ascii: "'") {
      // A chunk that ends right after a backslash inside E'' leaves the escape pending; chunks end
      // with a newline, and an escaped newline is just a newline, so nothing is lost.
      return .singleQuote(backslashEscapes: escapes)
    }
    return .doubleQuote
  }

  mutating func blockComment(start: Int, from: Int, depth: Int) -> SQLLexMode? {
    var k = from
    var depth = depth
    while k < b.count {
      if b[k] == UInt8(ascii: "*") && at(k + 1) == UInt8(ascii: "/") {
        depth -= 1
        k += 2
        if depth == 0 {
          i = k
          tokens.append(SQLToken(.comment, start, i))
          return nil
        }
      } else if b[k] == UInt8(ascii: "/") && at(k + 1) == UInt8(ascii: "*") {
        depth += 1
        k += 2
      } else {
        k += 1
      }
    }
    i = b.count
    tokens.append(SQLToken(.comment, start, i, isComplete: false))
    return .blockComment(depth: depth)
  }

  mutating func dollar(start: Int) -> SQLLexMode? {
    if isDigit(at(i + 1)) {
      i += 1
      while i < b.count && isDigit(b[i]) { i += 1 }
      tokens.append(SQLToken(.parameter, start, i))
      return nil
    }
    // $tag$ where tag is empty or an identifier that does not start with a digit.
    var k = i + 1
    if k < b.count && isIdentStart(b[k]) {
      while k < b.count && isIdentChar(b[k]) && b[k] != UInt8(ascii: "$") { k += 1 }
    }
    if at(k) == UInt8(ascii: "$") && k < b.count {
      let tag = Array(b[(i + 1)..<k])
      return dollarBody(start: start, from: k + 1, tag: tag)
    }
    i += 1
    tokens.append(SQLToken(.operatorSymbol, start, i))
    return nil
  }

  mutating func dollarBody(start: Int, from: Int, tag: [UInt8]) -> SQLLexMode? {
    var k = from
    while k < b.count {
      if b[k] == UInt8(ascii: "$") && matchesTag(at: k + 1, tag) {
        i = k + tag.count + 2
        tokens.append(SQLToken(.string, start, i))
        return nil
      }
      k += 1
    }
    i = b.count
    tokens.append(SQLToken(.string, start, i, isComplete: false))
    return .dollarQuote(tag: tag)
  }

  func matchesTag(at k: Int, _ tag: [UInt8]) -> Bool {
    guard k + tag.count < b.count, b[k + tag.count] == UInt8(ascii: "$") else { return false }
    for (n, t) in tag.enumerated() where b[k + n] != t { return false }
    return true
  }

  mutating func number() {
    let start = i
    while i < b.count && (isDigit(b[i]) || b[i] == UInt8(ascii: "_")) { i += 1 }
    if at(i) == UInt8(ascii: ".") && at(i + 1) != UInt8(ascii: ".") {
      i += 1
      while i < b.count && isDigit(b[i]) { i += 1 }
    }
    if (at(i) | 0x20) == UInt8(ascii: "e")
      && (isDigit(at(i + 1))
        || ((at(i + 1) == UInt8(ascii: "+") || at(i + 1) == UInt8(ascii: "-"))
          && isDigit(at(i + 2))))
    {
      i += 2
      while i < b.count && isDigit(b[i]) { i += 1 }
    }
    tokens.append(SQLToken(.number, start, i))
  }

  mutating func colon() {
    let start = i
    let n = at(i + 1)
    if n == UInt8(ascii: ":") {
      i += 2
      tokens.append(SQLToken(.operatorSymbol, start, i))
      return
    }
    if n == UInt8(ascii: "'") || n == UInt8(ascii: "\"") {
      // :'name' / :"name" — only when a plain variable name is closed by the same quote.
      var k = i + 2
      while k < b.count && isVariableChar(b[k]) { k += 1 }
      if k > i + 2 && at(k) == n {
        i = k + 1
        tokens.append(SQLToken(.variable, start, i))
        return
      }
    } else if isVariableChar(n) {
      i += 1
      while i < b.count && isVariableChar(b[i]) { i += 1 }
      tokens.append(SQLToken(.variable, start, i))
      return
    }
    i += 1
    tokens.append(SQLToken(.punctuation, start, i))
  }

  mutating func operatorRun() {
    let start = i
    while i < b.count && isOperatorChar(b[i]) {
      if i > start
        && ((b[i] == UInt8(ascii: "-") && at(i + 1) == UInt8(ascii: "-"))
          || (b[i] == UInt8(ascii: "/") && at(i + 1) == UInt8(ascii: "*")))
      {
        break
      }
      i += 1
    }
    tokens.append(SQLToken(.operatorSymbol, start, i))
  }
}

@inline(__always) private func isDigit(_ c: UInt8) -> Bool {
  c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
}

@inline(__always) private func isIdentStart(_ c: UInt8) -> Bool {
  (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") || c == UInt8(ascii: "_")
    || c >= 0x80
}

@inline(__always) private func isIdentChar(_ c: UInt8) -> Bool {
  isIdentStart(c) || isDigit(c) || c == UInt8(ascii: "$")
}

@inline(__always) private func isVariableChar(_ c: UInt8) -> Bool {
  isIdentStart(c) || isDigit(c)
}

@inline(__always) private func isOperatorChar(_ c: UInt8) -> Bool {
  switch c {
  case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"),
    UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "="), UInt8(ascii: "~"),
    UInt8(ascii: "!"), UInt8(ascii: "@"), UInt8(ascii: "#"), UInt8(ascii: "%"),
    UInt8(ascii: "^"), UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "`"),
    UInt8(ascii: "?"):
    return true
  default:
    return false
  }
}
