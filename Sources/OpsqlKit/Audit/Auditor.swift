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
  /// The id of this process's `session begin` row, for its end row.
  public var sessionBegin: Int64?

  public init(log: AuditLog, operatorName: String?) {
    self.log = log
    session = SecretGenerator.hex(bytes: 8)
    osUser = Self.currentUser()
    host = Self.hostName()
    self.operatorName = operatorName ?? "\(osUser)@\(host)"
  }

  /// Rows that may wait for the next write (outcomes, and a session's own begin, which only
  /// has to precede its first action): writing them in the same transaction as the next row
  /// keeps the audit cheap. A begin row of an action is never held back.
  private var pending: [(row: [String?], written: ((Int64) -> Void)?)] = []

  /// Appends an event (with any pending rows first) and returns its id; `target` and `server`
  /// describe where it happened.
  @discardableResult
  public func record(
    _ kind: String, phase: String? = nil, target: Target? = nil, server: String? = nil,
    _ fields: [String: String?] = [:]
  ) throws -> Int64 {
    let row = makeRow(kind, phase, target, server, fields)
    return try write(pending + [(row, nil)]).last!
  }

  /// Records a row that may wait for the next write (see `pending`); `written` learns its id.
  public func recordLater(
    _ kind: String, phase: String? = nil, target: Target? = nil, server: String? = nil,
    _ fields: [String: String?] = [:], written: ((Int64) -> Void)? = nil
  ) {
    pending.append((makeRow(kind, phase, target, server, fields), written))
  }

  private func write(_ rows: [(row: [String?], written: ((Int64) -> Void)?)]) throws -> [Int64] {
    pending.removeAll()
    let ids = try log.append(rows.map(\.row))
    for (k, entry) in rows.enumerated() { entry.written?(ids[k]) }
    return ids
  }

  /// Writes pending rows now: before waiting for the user, before reading the audit, at exit.
  public func flush() throws {
    guard !pending.isEmpty else { return }
    _ = try write(pending)
  }

  private func makeRow(
    _ kind: String, _ phase: String?, _ target: Target?, _ server: String?,
    _ fields: [String: String?]
  ) -> [String?] {
    seq += 1
    var row = [String?](repeating: nil, count: AuditColumns.all.count)
    func set(_ column: String, _ value: String?) { row[AuditColumns.index[column]!] = value }
    set("session", session)
    set("seq", String(seq))
    set("operator", operatorName)
    set("os_user", osUser)
    set("host", host)
    set("kind", kind)
    set("phase", phase)
    if let target {
      set("target", target.name)
      set("target_kind", target.kind.rawValue)
      set("environment", target.environment.rawValue)
    }
    set("server", server)
    for (key, value) in fields { set(key, value ?? nil) }
    return row
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
