/// Quoting as libpq does it, for when no connection is at hand (dry runs, displays, tests).
public enum SQLQuoting {
  /// `'it''s'`; with a backslash, ` E'a\\b'` as `PQescapeLiteral` writes it.
  public static func literal(_ value: String) -> String {
    var body = ""
    var hasBackslash = false
    for c in value {
      if c == "'" { body.append("'") }
      if c == "\\" {
        body.append("\\")
        hasBackslash = true
      }
      body.append(c)
    }
    return (hasBackslash ? " E'" : "'") + body + "'"
  }

  /// SQLite's (and D1's) literal: `'it''s'`; backslashes are ordinary characters there.
  public static func sqliteLiteral(_ value: String) -> String {
    "'" + value.replacingAll("'", with: "''") + "'"
  }

  /// `"My Table"`, with `"` doubled.
  public static func identifier(_ value: String) -> String {
    "\"" + value.replacingAll("\"", with: "\"\"") + "\""
  }
}

extension String {
  func replacingAll(_ target: Character, with replacement: String) -> String {
    var result = ""
    for c in self {
      if c == target { result += replacement } else { result.append(c) }
    }
    return result
  }
}
