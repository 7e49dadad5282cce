/// psql's variables in typed SQL: `:name` is the value as it is, `:'name'` a quoted literal,
/// `:"name"` a quoted identifier; a name that is not set stays as typed. Variables inside
/// strings, comments and dollar quotes are left alone (the lexer does not see them).
public enum VariableInterpolation {
  public static func apply(
    _ sql: String, variables: [String: String], quoteLiteral: (String) -> String,
    quoteIdentifier: (String) -> String
  ) -> String {
    guard !variables.isEmpty, sql.contains(":") else { return sql }
    let bytes = Array(sql.utf8)
    var out = ""
    var copied = 0
    for v in SnippetRenderer.variables(in: sql) {
      guard let value = variables[v.name] else { continue }
      out += String(decoding: bytes[copied..<v.start], as: UTF8.self)
      switch v.form {
      case .plain: out += value
      case .literal: out += quoteLiteral(value)
      case .identifier: out += quoteIdentifier(value)
      }
      copied = v.end
    }
    return out + String(decoding: bytes[copied...], as: UTF8.self)
  }
}
