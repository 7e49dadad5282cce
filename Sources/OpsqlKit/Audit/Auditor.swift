import Glibc

/// Writes one opsql process's events: who and where (session id, operator, OS user, host) are
/// filled in once; each event gets the next sequence number. Every method throws `AuditError`
/// when the row cannot be written, and callers then run nothing.
public final class Auditor {
  public let log: AuditLog
  public let session: String
  public let operatorName: String
  public let osUser: String
  public let host: String
  private var seq = 0

  public init(log: AuditLog, operatorName: String?) {
    self.log = log
    session = SecretGenerator.hex(bytes: 8)
    osUser = Self.currentUser()
    host = Self.hostName()
    self.operatorName = operatorName ?? "\(osUser)@\(host)"
  }

  /// Appends an event; `target` and `server` describe where it happened.
  @discardableResult
  public func record(
    _ kind: String, phase: String? = nil, target: Target? = nil, server: String? = nil,
    _ fields: [String: String?] = [:]
  ) throws -> Int64 {
    seq += 1
    var row: [String: String] = [
      "session": session, "seq": String(seq), "operator": operatorName, "os_user": osUser,
      "host": host, "kind": kind,
    ]
    row["phase"] = phase
    if let target {
      row["target"] = target.name
      row["target_kind"] = target.kind.rawValue
      row["environment"] = target.environment.rawValue
    }
    row["server"] = server
    for (key, value) in fields { row[key] = value }
    return try log.append(row)
  }

  static func currentUser() -> String {
    if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
    return "uid \(geteuid())"
  }

  static func hostName() -> String {
    var buf = [CChar](repeating: 0, count: 256)
    gethostname(&buf, buf.count - 1)
    return String(cString: buf)
  }

  /// Milliseconds as the audit stores them (so the hash input survives the round trip).
  static func milliseconds(_ ms: Double) -> String {
    String((ms * 1000).rounded() / 1000)
  }
}

/// A JSON object of string values, for the `params` and `detail` columns.
func jsonObject(_ pairs: [(String, String)]) -> String {
  let out = OutputStream()
  out.write("{")
  for (k, (key, value)) in pairs.enumerated() {
    if k > 0 { out.write(",") }
    var key = key
    var value = value
    key.withUTF8 { writeJSONString(UnsafeRawBufferPointer($0), to: out) }
    out.write(":")
    value.withUTF8 { writeJSONString(UnsafeRawBufferPointer($0), to: out) }
  }
  out.write("}")
  out.flush()
  return String(decoding: out.captured, as: UTF8.self)
}
