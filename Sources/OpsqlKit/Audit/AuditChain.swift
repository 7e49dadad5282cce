/// The audit file's columns, in the order the hash chain encodes them. `hash` is last and is
/// not part of its own input.
public enum AuditColumns {
  public static let all = [
    "id", "time", "session", "seq", "operator", "os_user", "host", "target", "target_kind",
    "environment", "server", "kind", "phase", "begin_id", "sql", "snippet", "snippet_hash",
    "params", "danger", "decision", "answer", "outcome", "rows", "duration_ms", "error",
    "sqlstate", "group_id", "detail", "prev_hash", "hash",
  ]
  static let integers: Set<String> = ["id", "seq", "begin_id", "rows"]
  static let reals: Set<String> = ["duration_ms"]
  /// Each column's position in `all`.
  public static let index: [String: Int] = Dictionary(
    uniqueKeysWithValues: all.enumerated().map { ($1, $0) })
  static let hashIndex = all.count - 1
  static let prevHashIndex = all.count - 2
  /// The encoding's `name=` prefixes, made once, end to end; column k's is
  /// `prefixBytes[prefixStarts[k]..<prefixStarts[k + 1]]`.
  static let prefixBytes: [UInt8] = Array(all.map { $0 + "=" }.joined().utf8)
  static let prefixStarts: [Int] = all.reduce(into: [0]) { $0.append($0.last! + $1.utf8.count + 1) }
}

/// SHA-256 hash chain over audit rows: each row's hash covers a canonical encoding of every
/// column (the previous row's hash included), so changing, removing or inserting a row breaks
/// the chain at that row. Pure apart from libcrypto's digest.
public enum AuditChain {
  /// The `prev_hash` of the first row.
  public static let genesis = String(repeating: "0", count: 64)

  /// `name=LENGTH:value` per column (`name=-` for NULL), one per line, in column order; the
  /// row is given in column order.
  public static func canonical(_ row: [String?]) -> [UInt8] { encode(row).bytes }

  /// The canonical encoding and where each column's value lies in it (nil for NULL), so that
  /// the audit stores the very bytes it hashed without copying them again.
  public static func encode(_ row: [String?]) -> (bytes: [UInt8], values: [Range<Int>?]) {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(1024)
    var values: [Range<Int>?] = []
    values.reserveCapacity(AuditColumns.hashIndex + 1)
    AuditColumns.prefixBytes.withUnsafeBufferPointer { prefixes in
      AuditColumns.prefixStarts.withUnsafeBufferPointer { starts in
        for k in 0..<AuditColumns.hashIndex {
          bytes.append(
            contentsOf: UnsafeBufferPointer(rebasing: prefixes[starts[k]..<starts[k + 1]]))
          if var value = row[k] {
            value.withUTF8 { utf8 in
              appendDecimal(utf8.count, to: &bytes)
              bytes.append(UInt8(ascii: ":"))
              values.append(bytes.count..<(bytes.count + utf8.count))
              bytes.append(contentsOf: utf8)
            }
          } else {
            bytes.append(UInt8(ascii: "-"))
            values.append(nil)
          }
          bytes.append(0x0A)
        }
      }
    }
    return (bytes, values)
  }

  private static func appendDecimal(_ n: Int, to bytes: inout [UInt8]) {
    if n >= 10 { appendDecimal(n / 10, to: &bytes) }
    bytes.append(UInt8(ascii: "0") + UInt8(n % 10))
  }

  public static func hash(_ row: [String?]) -> String {
    sha256Hex(canonical(row))
  }

  public static func hash(fields row: [String: String]) -> String {
    hash(AuditColumns.all.map { row[$0] })
  }

  private static let hexDigits = Array("0123456789abcdef".utf8)

  public static func sha256Hex(_ bytes: [UInt8]) -> String {
    let digest = SHA256.hash(bytes)
    var text = [UInt8](repeating: 0, count: 64)
    for (k, b) in digest.enumerated() {
      text[2 * k] = hexDigits[Int(b >> 4)]
      text[2 * k + 1] = hexDigits[Int(b & 15)]
    }
    return String(decoding: text, as: UTF8.self)
  }

  /// The first problem in a chain of rows (oldest first), or nil when it is intact.
  public static func firstBreak(_ rows: [[String: String]]) -> String? {
    var previous = genesis
    var previousID: Int64?
    for row in rows {
      let id = row["id"] ?? "?"
      if row["prev_hash"] != previous {
        if let previousID, let current = Int64(id), current != previousID + 1 {
          return
            "row \(id): the chain is broken after row \(previousID); rows \(previousID + 1)…\(current - 1) were removed"
        }
        return previousID == nil
          ? "row \(id): it does not start the chain; rows before it were removed or it was inserted"
          : "row \(id): its prev_hash does not match row \(previousID!)'s hash; a row was removed or inserted before it"
      }
      if hash(fields: row) != row["hash"] {
        return "row \(id): its content does not match its hash; it was altered (or forged)"
      }
      previous = row["hash"] ?? ""
      previousID = Int64(id)
    }
    return nil
  }
}
