/// What the splitter found in the input: a complete statement or a meta-command line.
public enum InputItem: Equatable, Sendable {
  /// A statement, with its terminating `;` when it had one.
  case statement(String)
  /// A meta-command from its backslash to the end of the line, e.g. `\x on`.
  case metaCommand(String)
}

/// Splits typed or scripted input into statements and meta-commands, line by line, the way psql's
/// lexer does: a statement ends at `;` outside quotes, comments, dollar quotes, parentheses and
/// `BEGIN … END` bodies of `CREATE FUNCTION`/`PROCEDURE`; an unfinished one continues on the next
/// line. A backslash outside quotes starts a meta-command that runs to the end of the line; the
/// unfinished statement before it stays pending, as in psql.
public struct StatementSplitter: Sendable {
  private var buffer: [UInt8] = []
  private var mode: SQLLexMode = .normal
  private var parenDepth = 0
  private var beginDepth = 0
  /// The first words of the statement, lowercased, to recognise `CREATE [OR REPLACE] FUNCTION`.
  private var leadingWords: [String] = []

  public init() {}

  /// True when no statement text is pending.
  public var isEmpty: Bool { buffer.isEmpty }

  /// The pending, unfinished statement text.
  public var pendingText: String { String(decoding: buffer, as: UTF8.self) }

  /// psql's `%R` for the continuation prompt: `'`, `"`, `$`, `*` inside a quote, dollar quote or
  /// comment, `(` inside parentheses, `-` otherwise.
  public var continuationMarker: Character {
    switch mode {
    case .singleQuote: return "'"
    case .doubleQuote: return "\""
    case .dollarQuote: return "$"
    case .blockComment: return "*"
    case .normal: return parenDepth > 0 ? "(" : "-"
    }
  }

  /// Discards the pending statement (Ctrl-C at the prompt, `\r`).
  public mutating func reset() {
    buffer.removeAll(keepingCapacity: true)
    mode = .normal
    parenDepth = 0
    beginDepth = 0
    leadingWords.removeAll()
  }

  /// Feeds one line (without or with its newline) and returns what it completed.
  public mutating func feed(_ line: String) -> [InputItem] {
    var bytes = Array(line.utf8)
    if bytes.last != 0x0A { bytes.append(0x0A) }
    let (tokens, endMode) = SQLLexer.tokenize(bytes, startingIn: mode)
    var items: [InputItem] = []
    var segmentStart = 0
    let continuing = mode != .normal
    for (n, token) in tokens.enumerated() {
      switch token.kind {
      case .semicolon where parenDepth == 0 && beginDepth == 0:
        append(bytes[segmentStart..<token.end])
        if let statement = takeStatement() { items.append(.statement(statement)) }
        segmentStart = token.end
      case .metaCommand:
        append(bytes[segmentStart..<token.start])
        if !buffer.isEmpty { buffer.append(0x0A) }
        items.append(.metaCommand(String(decoding: bytes[token.start..<token.end], as: UTF8.self)))
        mode = .normal
        return items
      case .openParen:
        parenDepth += 1
      case .closeParen:
        parenDepth = max(0, parenDepth - 1)
      case .word:
        noteWord(bytes[token.start..<token.end])
      case .comment
      where buffer.isEmpty && !(n == 0 && continuing)
        && bytes[segmentStart..<token.start].allSatisfy(isSpace):
        // Comments before a statement starts are not part of it (psql drops them too).
        segmentStart = token.end
      default:
        break
      }
    }
    append(bytes[segmentStart...])
    mode = endMode
    return items
  }

  /// At the end of a script: the unfinished statement, if any, which psql also runs.
  public mutating func finish() -> InputItem? {
    defer { reset() }
    return takeStatement().map { .statement($0) }
  }

  private mutating func append(_ slice: ArraySlice<UInt8>) {
    if buffer.isEmpty {
      // A statement starts at its first significant byte.
      guard let first = slice.firstIndex(where: { !isSpace($0) }) else { return }
      buffer.append(contentsOf: slice[first...])
    } else {
      buffer.append(contentsOf: slice)
    }
  }

  private mutating func takeStatement() -> String? {
    while let last = buffer.last, isSpace(last) { buffer.removeLast() }
    let text = buffer.isEmpty || buffer == [UInt8(ascii: ";")] ? nil : pendingText
    buffer.removeAll(keepingCapacity: true)
    parenDepth = 0
    beginDepth = 0
    leadingWords.removeAll()
    return text
  }

  private mutating func noteWord(_ word: ArraySlice<UInt8>) {
    let lower = String(
      decoding: word.map { $0 | (($0 >= 65 && $0 <= 90) ? 0x20 : 0) }, as: UTF8.self)
    if lower == "begin" || lower == "case" {
      if isRoutineDefinition { beginDepth += 1 }
    } else if lower == "end" {
      beginDepth = max(0, beginDepth - 1)
    }
    if leadingWords.count < 4 { leadingWords.append(lower) }
  }

  /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE`: only there can `BEGIN ATOMIC … END` hold `;`.
  private var isRoutineDefinition: Bool {
    guard leadingWords.first == "create" else { return false }
    let routine: Set<String> = ["function", "procedure"]
    if leadingWords.count > 1 && routine.contains(leadingWords[1]) { return true }
    return leadingWords.count > 3 && leadingWords[1] == "or" && leadingWords[2] == "replace"
      && routine.contains(leadingWords[3])
  }
}

@inline(__always) func isSpace(_ c: UInt8) -> Bool {
  c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == 0x0C || c == 0x0B
}
