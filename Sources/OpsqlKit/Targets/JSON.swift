/// A JSON value, parsed without Foundation (whose start-up cost every opsql run would pay).
public indirect enum JSON: Equatable, Sendable {
  case null
  case bool(Bool)
  /// Numbers keep their text, so integers of any size and decimals survive as written.
  case number(String)
  case string(String)
  case array([JSON])
  case object([(String, JSON)])

  public static func == (a: JSON, b: JSON) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }

  public subscript(key: String) -> JSON? {
    if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
    return nil
  }

  public var string: String? { if case .string(let s) = self { return s } else { return nil } }
  public var array: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
  public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
  public var int: Int? {
    if case .number(let n) = self { return Int(n) ?? Double(n).map { Int($0) } } else { return nil }
  }

  /// The value as a cell: strings as they are, numbers as written, null as nil, the rest as JSON.
  public var cellText: String? {
    switch self {
    case .null: return nil
    case .bool(let b): return b ? "true" : "false"
    case .number(let n): return n
    case .string(let s): return s
    default: return serialized
    }
  }

  public var serialized: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let n): return n
    case .string(let s): return JSON.quote(s)
    case .array(let a): return "[" + a.map(\.serialized).joined(separator: ",") + "]"
    case .object(let o):
      return "{" + o.map { JSON.quote($0.0) + ":" + $0.1.serialized }.joined(separator: ",") + "}"
    }
  }

  public static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 {
          out += "\\u" + hex(u.value, digits: 4)
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }

  /// Parses `text`; `comments` also allows JSONC's `//` and `/* */` comments and trailing commas.
  public static func parse(_ text: String, comments: Bool = false) throws -> JSON {
    var parser = JSONParser(bytes: Array(text.utf8), comments: comments)
    let value = try parser.value()
    parser.skipSpace()
    guard parser.k == parser.b.count else { throw parser.fail("unexpected text after the value") }
    return value
  }
}

public struct JSONError: Error, Equatable, CustomStringConvertible {
  public var message: String
  public var line: Int
  public var description: String { "line \(line): \(message)" }
}

struct JSONParser {
  let b: [UInt8]
  let comments: Bool
  var k = 0
  var depth = 0

  init(bytes: [UInt8], comments: Bool) {
    b = bytes
    self.comments = comments
  }

  func fail(_ message: String) -> JSONError {
    JSONError(message: message, line: b[..<min(k, b.count)].filter { $0 == 0x0A }.count + 1)
  }

  mutating func skipSpace() {
    while k < b.count {
      let c = b[k]
      if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
        k += 1
      } else if comments && c == UInt8(ascii: "/") && k + 1 < b.count
        && b[k + 1] == UInt8(ascii: "/")
      {
        while k < b.count && b[k] != 0x0A { k += 1 }
      } else if comments && c == UInt8(ascii: "/") && k + 1 < b.count
        && b[k + 1] == UInt8(ascii: "*")
      {
        k += 2
        while k + 1 < b.count && !(b[k] == UInt8(ascii: "*") && b[k + 1] == UInt8(ascii: "/")) {
          k += 1
        }
        k += 2
      } else {
        return
      }
    }
  }

  mutating func value() throws -> JSON {
    skipSpace()
    guard k < b.count else { throw fail("unexpected end of input") }
    depth += 1
    defer { depth -= 1 }
    guard depth < 200 else { throw fail("nested too deeply") }
    switch b[k] {
    case UInt8(ascii: "{"):
      k += 1
      var pairs: [(String, JSON)] = []
      while true {
        skipSpace()
        if k < b.count && b[k] == UInt8(ascii: "}") {
          k += 1
          return .object(pairs)
        }
        guard k < b.count, b[k] == UInt8(ascii: "\"") else { throw fail("expected a key") }
        let key = try string()
        skipSpace()
        guard k < b.count, b[k] == UInt8(ascii: ":") else { throw fail("expected ':'") }
        k += 1
        pairs.append((key, try value()))
        skipSpace()
        if k < b.count && b[k] == UInt8(ascii: ",") {
          k += 1
          if !comments {
            skipSpace()
            if k < b.count && b[k] == UInt8(ascii: "}") { throw fail("trailing comma") }
          }
        } else if k < b.count && b[k] == UInt8(ascii: "}") {
          continue
        } else {
          throw fail("expected ',' or '}'")
        }
      }
    case UInt8(ascii: "["):
      k += 1
      var items: [JSON] = []
      while true {
        skipSpace()
        if k < b.count && b[k] == UInt8(ascii: "]") {
          k += 1
          return .array(items)
        }
        items.append(try value())
        skipSpace()
        if k < b.count && b[k] == UInt8(ascii: ",") {
          k += 1
          if !comments {
            skipSpace()
            if k < b.count && b[k] == UInt8(ascii: "]") { throw fail("trailing comma") }
          }
        } else if !(k < b.count && b[k] == UInt8(ascii: "]")) {
          throw fail("expected ',' or ']'")
        }
      }
    case UInt8(ascii: "\""):
      return .string(try string())
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    default:
      let start = k
      while k < b.count, "+-0123456789.eE".utf8.contains(b[k]) { k += 1 }
      let text = String(decoding: b[start..<k], as: UTF8.self)
      guard !text.isEmpty, Double(text) != nil else { throw fail("unexpected character") }
      return .number(text)
    }
  }

  mutating func literal(_ word: String, _ v: JSON) throws -> JSON {
    let w = Array(word.utf8)
    guard k + w.count <= b.count, Array(b[k..<(k + w.count)]) == w else {
      throw fail("unexpected character")
    }
    k += w.count
    return v
  }

  mutating func string() throws -> String {
    k += 1
    var out: [UInt8] = []
    while k < b.count {
      let c = b[k]
      k += 1
      if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
      guard c == UInt8(ascii: "\\") else {
        out.append(c)
        continue
      }
      guard k < b.count else { break }
      let e = b[k]
      k += 1
      switch e {
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "u"):
        var code = try hex4()
        if code >= 0xD800 && code < 0xDC00 && k + 1 < b.count && b[k] == UInt8(ascii: "\\")
          && b[k + 1] == UInt8(ascii: "u")
        {
          k += 2
          let low = try hex4()
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
      default: out.append(e)
      }
    }
    throw fail("unterminated string")
  }

  mutating func hex4() throws -> UInt32 {
    guard k + 4 <= b.count,
      let v = UInt32(String(decoding: b[k..<(k + 4)], as: UTF8.self), radix: 16)
    else { throw fail("bad \\u escape") }
    k += 4
    return v
  }
}
