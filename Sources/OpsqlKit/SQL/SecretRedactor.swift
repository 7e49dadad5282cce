/// Masks secrets in SQL text before it is kept anywhere (history now; audit and recordings
/// later): the string after `PASSWORD` (also `ENCRYPTED PASSWORD`) becomes `'***'`.
public enum SecretRedactor {
  public static let mask = "'***'"

  public static func redact(_ sql: String) -> String {
    let bytes = Array(sql.utf8)
    let tokens = SQLLexer.tokenize(bytes, startingIn: .normal).tokens
    var out: [UInt8] = []
    var copied = 0
    var afterPassword = false
    for token in tokens where token.kind != .comment {
      if afterPassword && token.kind == .string {
        out.append(contentsOf: bytes[copied..<token.start])
        out.append(contentsOf: mask.utf8)
        copied = token.end
      }
      afterPassword =
        token.kind == .word && token.end - token.start == 8
        && String(decoding: bytes[token.start..<token.end], as: UTF8.self).lowercased()
          == "password"
    }
    out.append(contentsOf: bytes[copied...])
    return String(decoding: out, as: UTF8.self)
  }
}
