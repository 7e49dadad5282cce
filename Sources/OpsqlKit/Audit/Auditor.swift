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

  /// An end row waiting to be written with the next row (or at `flush()`): writing it in the
  /// same transaction as the next statement's begin row halves the cost of the audit, and a
  /// begin row is never held back.
  private var pending: [String?]?

  /// Appends an event (with any pending end row first) and returns its id; `target` and
  /// `server` describe where it happened.
  @discardableResult
  public func record(
    _ kind: String, phase: String? = nil, target: Target? = nil, server: String? = nil,
    _ fields: [String: String?] = [:]
  ) throws -> Int64 {
    let row = makeRow(kind, phase, target, server, fields)
    let rows = (pending.map { [$0] } ?? []) + [row]
    pending = nil
    return try log.append(rows).last!
  }

  /// Records an outcome row that may wait for the next write (see `pending`).
  public func recordLater(
    _ kind: String, phase: String? = nil, target: Target? = nil, server: String? = nil,
    _ fields: [String: String?] = [:]
  ) throws {
    try flush()
    pending = makeRow(kind, phase, target, server, fields)
  }

  /// Writes a pending row now: before waiting for the user, before reading the audit, at exit.
  public func flush() throws {
    guard let row = pending else { return }
    pending = nil
    try log.append([row])
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
