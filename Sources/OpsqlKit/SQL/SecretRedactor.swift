/// Masks secrets before text is kept anywhere (history now; audit and recordings later): the
/// string after `PASSWORD` (also `ENCRYPTED PASSWORD`) in SQL becomes `'***'`, and so do the
/// password of a `postgresql://user:password@host` URL and a conninfo `password=…` value.
public enum SecretRedactor {
  public static let mask = "'***'"

  public static func redact(_ text: String) -> String {
    mayHoldSecret(text) ? redactConnectionStrings(redactPasswordLiterals(text)) : text
  }

  /// Whether `text` has "password" (in any case) or "://" at all; most statements have
  /// neither and are kept as they are without being lexed.
  static func mayHoldSecret(_ text: String) -> Bool {
    let password = Array("password".utf8)
    var bytes = text.utf8.makeIterator()
    var matched = 0
    var previous: (UInt8, UInt8) = (0, 0)
    while let b = bytes.next() {
      if previous == (UInt8(ascii: ":"), UInt8(ascii: "/")) && b == UInt8(ascii: "/") {
        return true
      }
      previous = (previous.1, b)
      let lower = b | 0x20
      matched = lower == password[matched] ? matched + 1 : (lower == password[0] ? 1 : 0)
      if matched == password.count { return true }
    }
    return false
  }

  static func redactPasswordLiterals(_ sql: String) -> String {
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

extension SecretRedactor {
  /// `scheme://user:secret@host` → `scheme://user:***@host`; `password=secret` or
  /// `password='a secret'` → `password=***`.
  static func redactConnectionStrings(_ text: String) -> String {
    var b = Array(text.utf8)
    var k = 0
    while k + 3 <= b.count {
      if b[k] == UInt8(ascii: ":") && b[k + 1] == UInt8(ascii: "/") && b[k + 2] == UInt8(ascii: "/")
      {
        // The authority ends at '/', '?', '#' or whitespace; its userinfo at the last '@'.
        var end = k + 3
        while end < b.count && !isSpace(b[end])
          && ![UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")].contains(b[end])
        {
          end += 1
        }
        if let at = b[(k + 3)..<end].lastIndex(of: UInt8(ascii: "@")),
          let colon = b[(k + 3)..<at].firstIndex(of: UInt8(ascii: ":"))
        {
          b.replaceSubrange((colon + 1)..<at, with: Array("***".utf8))
          k = colon + 4
          continue
        }
        k = end
        continue
      }
      k += 1
    }
    let key = Array("password".utf8)
    k = 0
    while k + key.count < b.count {
      let starts = k == 0 || isSpace(b[k - 1])
      if starts && b[k..<(k + key.count)].map({ $0 | 0x20 }) == key {
        var v = k + key.count
        while v < b.count && b[v] == 0x20 { v += 1 }
        if v < b.count && b[v] == UInt8(ascii: "=") {
          v += 1
          while v < b.count && b[v] == 0x20 { v += 1 }
          var end = v
          if end < b.count && b[end] == UInt8(ascii: "'") {
            end += 1
            while end < b.count && b[end] != UInt8(ascii: "'") {
              end += b[end] == UInt8(ascii: "\\") ? 2 : 1
            }
            end = min(end + 1, b.count)
          } else {
            while end < b.count && !isSpace(b[end]) { end += 1 }
          }
          b.replaceSubrange(v..<end, with: Array("***".utf8))
          k = v + 3
          continue
        }
      }
      k += 1
    }
    return String(decoding: b, as: UTF8.self)
  }
}
