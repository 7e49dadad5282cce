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
  /// has to precede its first action), and who learns their ids: writing them in the same
  /// transaction as the next row keeps the audit cheap. A begin row of an action is never held
  /// back.
  private var pendingRows: [[String?]] = []
  private var pendingWritten: [((Int64) -> Void)?] = []

  /// Appends an event (with any pending rows first) and returns its id; `target` and `server`
  /// describe where it happened.
  @discardableResult
  public func record(
    _ kind: String, phase: String? = nil, target: Target? = nil, server: String? = nil,
    _ fields: KeyValuePairs<String, String?> = [:]
  ) throws -> Int64 {
    recordLater(kind, phase: phase, target: target, server: server, fields)
    return try writePending().last!
  }

  /// Records a row that may wait for the next write (see `pendingRows`); `written` learns its id.
  public func recordLater(
    _ kind: String, phase: String? = nil, target: Target? = nil, server: String? = nil,
    _ fields: KeyValuePairs<String, String?> = [:], written: ((Int64) -> Void)? = nil
  ) {
    pendingRows.append(makeRow(kind, phase, target, server, fields))
    pendingWritten.append(written)
  }

  private func writePending() throws -> [Int64] {
    // Taken out of the pending lists first, so the append fills the rows in place.
    var rows = pendingRows
    let written = pendingWritten
    pendingRows = []
    pendingWritten = []
    let ids = try log.append(&rows)
    for (k, callback) in written.enumerated() { callback?(ids[k]) }
    return ids
  }

  /// Writes pending rows now: before waiting for the user, before reading the audit, at exit.
  public func flush() throws {
    guard !pendingRows.isEmpty else { return }
    _ = try writePending()
  }

  private func makeRow(
    _ kind: String, _ phase: String?, _ target: Target?, _ server: String?,
    _ fields: KeyValuePairs<String, String?>
  ) -> [String?] {
    seq += 1
    var row = [String?](repeating: nil, count: AuditColumns.all.count)
    row[Self.sessionColumn] = session
    row[Self.seqColumn] = String(seq)
    row[Self.operatorColumn] = operatorName
    row[Self.osUserColumn] = osUser
    row[Self.hostColumn] = host
    row[Self.kindColumn] = kind
    row[Self.phaseColumn] = phase
    if let target {
      row[Self.targetColumn] = target.name
      row[Self.targetKindColumn] = target.kind.rawValue
      row[Self.environmentColumn] = target.environment.rawValue
    }
    row[Self.serverColumn] = server
    for (key, value) in fields { row[AuditColumns.index[key]!] = value }
    return row
  }

  private static let sessionColumn = AuditColumns.index["session"]!
  private static let seqColumn = AuditColumns.index["seq"]!
  private static let operatorColumn = AuditColumns.index["operator"]!
  private static let osUserColumn = AuditColumns.index["os_user"]!
  private static let hostColumn = AuditColumns.index["host"]!
  private static let kindColumn = AuditColumns.index["kind"]!
  private static let phaseColumn = AuditColumns.index["phase"]!
  private static let targetColumn = AuditColumns.index["target"]!
  private static let targetKindColumn = AuditColumns.index["target_kind"]!
  private static let environmentColumn = AuditColumns.index["environment"]!
  private static let serverColumn = AuditColumns.index["server"]!

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
