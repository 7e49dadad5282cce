/// Tab completion, pure: given the text before the cursor and what the shell knows, the word
/// being completed and its candidates. Meta-commands, snippet names and their `param=`, target
/// names after `\c`, SQL keywords, and the session's table names.
public struct Completer {
  public var metaCommands: [String]
  public var snippets: SnippetCatalog
  public var targets: [String]
  /// Table names of the current session, fetched on demand.
  public var tables: () -> [String]

  public init(
    metaCommands: [String], snippets: SnippetCatalog, targets: [String],
    tables: @escaping () -> [String]
  ) {
    self.metaCommands = metaCommands
    self.snippets = snippets
    self.targets = targets
    self.tables = tables
  }

  static let keywords = [
    "ALTER", "ANALYZE", "AND", "AS", "ASC", "BEGIN", "BETWEEN", "BY", "CASCADE", "CASE", "COMMIT",
    "CREATE", "DATABASE", "DEFAULT", "DELETE", "DESC", "DISTINCT", "DROP", "ELSE", "END", "EXISTS",
    "EXPLAIN", "FALSE", "FROM", "FULL", "GRANT", "GROUP", "HAVING", "IN", "INDEX", "INNER",
    "INSERT",
    "INTO", "IS", "JOIN", "LEFT", "LIKE", "LIMIT", "NOT", "NULL", "OFFSET", "ON", "OR", "ORDER",
    "OUTER", "RETURNING", "REVOKE", "RIGHT", "ROLE", "ROLLBACK", "SCHEMA", "SELECT", "SET", "SHOW",
    "TABLE", "THEN", "TRUE", "TRUNCATE", "UNION", "UPDATE", "USING", "VACUUM", "VALUES", "VIEW",
    "WHEN", "WHERE", "WITH",
  ]

  /// The word before the cursor and what it could become.
  public func complete(_ before: String) -> (word: String, candidates: [String]) {
    let word = String(before.reversed().prefix(while: { !$0.isWhitespace }).reversed())
    let head = String(before.dropLast(word.count))
    let words = head.split(whereSeparator: \.isWhitespace).map(String.init)
    if head.trimmed.isEmpty && word.hasPrefix("\\") {
      return (word, metaCommands.map { "\\" + $0 }.filter { $0.hasPrefix(word) }.sorted())
    }
    if let first = words.first, first.hasPrefix("\\") {
      switch first {
      case "\\n", "\\n+":
        if words.count == 1 {
          return (word, snippets.snippets.keys.filter { $0.hasPrefix(word) }.sorted())
        }
        guard first == "\\n", let snippet = snippets[words[1]] else { return (word, []) }
        let given = Set(
          words.dropFirst(2).compactMap { $0.split(separator: "=").first.map(String.init) })
        let names = snippet.params.map(\.name).filter { !given.contains($0) }
        return (word, names.map { $0 + "=" }.filter { $0.hasPrefix(word) })
      case "\\c", "\\connect":
        return (word, words.count == 1 ? targets.filter { $0.hasPrefix(word) }.sorted() : [])
      default:
        return (word, [])
      }
    }
    guard !word.isEmpty else { return (word, []) }
    let lower = word.lowercased() == word
    let previous = words.last?.lowercased() ?? ""
    if ["from", "join", "into", "update", "table"].contains(previous) {
      return (word, tables().filter { $0.hasPrefix(word) }.sorted())
    }
    let matches = Self.keywords.filter { $0.hasPrefix(word.uppercased()) }
    return (word, lower ? matches.map { $0.lowercased() } : matches)
  }

  /// The longest prefix all candidates share.
  public static func commonPrefix(_ candidates: [String]) -> String {
    guard var prefix = candidates.first else { return "" }
    for c in candidates.dropFirst() {
      while !c.hasPrefix(prefix) { prefix.removeLast() }
    }
    return prefix
  }
}
