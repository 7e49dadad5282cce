import CLibPQ
import Glibc

/// A PostgreSQL session on libpq. Statements go out with the simple query protocol, as psql sends
/// them, and come back in single-row mode so memory stays flat however many rows arrive.
public final class PostgresDriver: Driver {
  private var conn: OpaquePointer?
  private var cancelHandle: OpaquePointer?
  private var cancelSlot: Int?
  /// How the next statements wait for their first response (`ResponseWait`).
  private var responseBackoff = ResponseWait.Backoff()
  /// Where notices (`NOTICE`, `WARNING`) go while a statement runs.
  public var onNotice: ((DatabaseError) -> Void)?

  /// Connects the way psql does: `target` is a database name, a `postgresql://` URL or a
  /// conninfo string (`service=…` included); what it leaves out comes from the PG* variables,
  /// the service files and `~/.pgpass`. `passwordPrompt` is asked for a password when the server
  /// wants one and none was found.
  /// `interactive` asks the server for the terminal's encoding (`client_encoding=auto`), as psql
  /// does when it talks with a terminal.
  public init(
    target: String?, interactive: Bool = false, passwordPrompt: ((String) -> String?)? = nil
  ) throws {
    self.interactive = interactive
    conn = try Self.open(target, password: nil, interactive: interactive)
    if PQstatus(conn) != CONNECTION_OK, PQconnectionNeedsPassword(conn) == 1,
      let ask = passwordPrompt
    {
      let user = String(cString: PQuser(conn))
      PQfinish(conn)
      conn = nil
      guard let password = ask(user) else { throw ConnectionError("no password supplied") }
      conn = try Self.open(target, password: password, interactive: interactive)
    }
    guard PQstatus(conn) == CONNECTION_OK else {
      let message = Self.oneLine(String(cString: PQerrorMessage(conn)))
      PQfinish(conn)
      conn = nil
      throw ConnectionError(message)
    }
    PQsetNoticeReceiver(
      conn,
      { arg, result in
        guard let arg, let result else { return }
        let driver = Unmanaged<PostgresDriver>.fromOpaque(arg).takeUnretainedValue()
        driver.onNotice?(PostgresDriver.error(from: result, statement: nil))
      }, Unmanaged.passUnretained(self).toOpaque())
  }

  deinit { close() }

  private let interactive: Bool

  private static func open(_ target: String?, password: String?, interactive: Bool) throws
    -> OpaquePointer?
  {
    var pairs: [(String, String)] = [("fallback_application_name", "opsql")]
    if interactive && getenv("PGCLIENTENCODING") == nil {
      pairs.append(("client_encoding", "auto"))
    }
    if let target { pairs.insert(("dbname", target), at: 0) }
    if let password { pairs.append(("password", password)) }
    let keys = pairs.map { strdup($0.0) }
    let values = pairs.map { strdup($0.1) }
    defer {
      keys.forEach { free($0) }
      values.forEach { free($0) }
    }
    var keyPointers = keys.map { UnsafePointer($0) } + [nil]
    var valuePointers = values.map { UnsafePointer($0) } + [nil]
    // expand_dbname = 1: a dbname holding `=` or a URI prefix is parsed as a connection string.
    return PQconnectdbParams(&keyPointers, &valuePointers, 1)
  }

  public func close() {
    disarmCancel()
    if let conn { PQfinish(conn) }
    conn = nil
  }

  public var isOpen: Bool { conn != nil && PQstatus(conn) == CONNECTION_OK }

  /// After the server went away: reconnects with the same parameters (psql's reset).
  public func reset() -> Bool {
    guard let conn else { return false }
    PQreset(conn)
    return PQstatus(conn) == CONNECTION_OK
  }

  // MARK: - Facts about the session

  public var database: String { conn.map { String(cString: PQdb($0)) } ?? "" }
  public var user: String { conn.map { String(cString: PQuser($0)) } ?? "" }
  public var host: String { conn.map { String(cString: PQhost($0)) } ?? "" }
  public var hostAddress: String? {
    guard let conn, let p = PQhostaddr(conn), p.pointee != 0 else { return nil }
    return String(cString: p)
  }
  public var port: String { conn.map { String(cString: PQport($0)) } ?? "" }
  public var backendPID: Int32 { conn.map { PQbackendPID($0) } ?? 0 }
  public var kind: TargetKind { .postgres }
  public var placeholderStyle: PlaceholderStyle { .dollar }
  public var databaseName: String { database }

  /// The backend pid and where the server is.
  /// Made once per backend (every audit row names it; a reset gets a new pid).
  public var serverIdentity: String {
    let pid = backendPID
    if let identity, identity.pid == pid { return identity.text }
    let text = "pid \(pid) at \(hostAddress ?? host):\(port)"
    identity = (pid, text)
    return text
  }
  private var identity: (pid: Int32, text: String)?

  public var serverVersion: String {
    guard let conn, let p = PQparameterStatus(conn, "server_version") else { return "" }
    return String(cString: p)
  }
  public var sslInUse: Bool { conn.map { PQsslInUse($0) == 1 } ?? false }

  public var transactionState: TransactionState {
    guard let conn else { return .unknown }
    switch PQtransactionStatus(conn) {
    case PQTRANS_IDLE: return .idle
    case PQTRANS_INTRANS: return .inTransaction
    case PQTRANS_INERROR: return .failed
    default: return .unknown
    }
  }

  // MARK: - Cancel

  public func armCancel() {
    guard let conn, cancelHandle == nil, let handle = PQgetCancel(conn) else { return }
    cancelHandle = handle
    cancelSlot = Interrupts.arm(postgres: handle)
  }

  public func disarmCancel() {
    guard let handle = cancelHandle else { return }
    Interrupts.withdraw(cancelSlot)
    cancelSlot = nil
    cancelHandle = nil
    PQfreeCancel(handle)
  }

  // MARK: - Quoting

  /// A string literal in this server's quoting (libpq's `PQescapeLiteral`: `'…'`, or `E'…'` when
  /// the value holds a backslash).
  public func quoteLiteral(_ value: String) -> String {
    guard let conn, let p = PQescapeLiteral(conn, value, value.utf8.count) else {
      return SQLQuoting.literal(value)
    }
    defer { PQfreemem(p) }
    return String(cString: p)
  }

  /// A quoted identifier (`PQescapeIdentifier`).
  public func quoteIdentifier(_ value: String) -> String {
    guard let conn, let p = PQescapeIdentifier(conn, value, value.utf8.count) else {
      return SQLQuoting.identifier(value)
    }
    defer { PQfreemem(p) }
    return String(cString: p)
  }

  // MARK: - Statements

  /// Runs one statement; with `parameters`, they are sent apart from the text as `$1`, `$2`, …
  /// (extended protocol, types inferred by the server as for a quoted literal).
  public func execute(_ sql: String, parameters: [String], into sink: ResultSink) throws
    -> StatementSummary
  {
    let conn = try send(sql, parameters: parameters)
    ResponseWait.spin(conn, backoff: &responseBackoff)
    var reading = Reading(sql: sql)
    while let result = PQgetResult(conn) {
      defer { PQclear(result) }
      try take(result, into: &reading, sink)
    }
    return try reading.finish(sink)
  }

  /// Sends a statement, its results to be read in single-row mode.
  private func send(_ sql: String, parameters: [String]) throws -> OpaquePointer {
    guard let conn, PQstatus(conn) == CONNECTION_OK else {
      throw DatabaseError(severity: "FATAL", message: "no connection to the server")
    }
    let sent: Int32
    if parameters.isEmpty {
      sent = PQsendQuery(conn, sql)
    } else {
      let values = parameters.map { strdup($0) }
      defer { values.forEach { free($0) } }
      let pointers = values.map { UnsafePointer($0) }
      sent = PQsendQueryParams(conn, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
    }
    guard sent == 1 else {
      throw DatabaseError(
        severity: "FATAL", message: Self.oneLine(String(cString: PQerrorMessage(conn))))
    }
    PQsetSingleRowMode(conn)
    return conn
  }

  /// What the results of one statement have given so far.
  struct Reading {
    let sql: String
    var failure: DatabaseError?
    var summary = StatementSummary(rows: nil, tag: "")
    var rowsStarted = false
    var rowCount = 0
    var cells: [UnsafeRawBufferPointer?] = []

    init(sql: String) { self.sql = sql }

    /// The statement's summary once its last result is in, or its first error.
    func finish(_ sink: ResultSink) throws -> StatementSummary {
      if let failure {
        if rowsStarted { try? sink.endRows(count: rowCount, tag: "") }
        throw failure
      }
      return summary
    }
  }

  /// One result of a statement: rows go to `sink` as they come.
  private func take(_ result: OpaquePointer, into reading: inout Reading, _ sink: ResultSink)
    throws
  {
    switch PQresultStatus(result) {
    case PGRES_SINGLE_TUPLE:
      if !reading.rowsStarted {
        reading.rowsStarted = true
        try sink.beginRows(Self.columns(of: result))
        reading.cells = Array(repeating: nil, count: Int(PQnfields(result)))
      }
      for j in 0..<reading.cells.count {
        let column = Int32(j)
        reading.cells[j] =
          PQgetisnull(result, 0, column) == 1
          ? nil
          : UnsafeRawBufferPointer(
            start: PQgetvalue(result, 0, column), count: Int(PQgetlength(result, 0, column)))
      }
      reading.rowCount += 1
      try sink.row(reading.cells)
    case PGRES_TUPLES_OK:
      if !reading.rowsStarted { try sink.beginRows(Self.columns(of: result)) }
      let tag = String(cString: PQcmdStatus(result))
      try sink.endRows(count: reading.rowCount, tag: tag)
      reading.summary = StatementSummary(rows: reading.rowCount, tag: tag)
      reading.rowsStarted = false
      reading.rowCount = 0
    case PGRES_COMMAND_OK:
      let tag = String(cString: PQcmdStatus(result))
      try sink.commandCompleted(tag: tag)
      reading.summary = StatementSummary(
        rows: Int(String(cString: PQcmdTuples(result))), tag: tag)
    case PGRES_EMPTY_QUERY:
      break
    case PGRES_COPY_OUT:
      // Its data is drained either way, so the results after it are read too.
      do { try copyOut(conn!, into: sink) } catch {
        if reading.failure == nil { reading.failure = DatabaseError(message: "\(error)") }
      }
    case PGRES_COPY_IN:
      copyIn(conn!)
    default:
      if reading.failure == nil {
        reading.failure = Self.error(from: result, statement: reading.sql)
      }
    }
  }

  /// One driver's statements for `runTogether`: they run in order up to the first that fails.
  final class Batch {
    let driver: PostgresDriver
    let statements: [(sql: String, parameters: [String])]
    let sink: ResultSink
    /// The last statement's summary, or the error that stopped the batch.
    var summary: StatementSummary?
    var error: DatabaseError?
    /// When the batch ended, on `monotonicNow()`'s clock.
    var ended: Double?

    init(
      _ driver: PostgresDriver, _ statements: [(sql: String, parameters: [String])],
      into sink: ResultSink
    ) {
      self.driver = driver
      self.statements = statements
      self.sink = sink
    }

    fileprivate var next = 0
    fileprivate var reading: Reading?
  }

  /// Runs several drivers' statements at once on the calling thread: every driver's statement
  /// is sent, then their sockets are waited on together, each result read as it arrives. A thread
  /// per driver cost more than a short statement here (wake-ups and hand-offs between threads;
  /// bench/PROFILE.md).
  static func runTogether(_ batches: [Batch]) {
    for batch in batches { sendNext(batch) }
    var waiting: [Batch] = batches.filter { $0.ended == nil }
    while !waiting.isEmpty {
      var fds = waiting.map {
        pollfd(fd: PQsocket($0.driver.conn), events: Int16(POLLIN), revents: 0)
      }
      // Without a socket there is nothing to wait for: what libpq holds ends the statement.
      if let lost = fds.firstIndex(where: { $0.fd < 0 }) {
        let batch = waiting[lost]
        read(batch)
        if batch.ended == nil {
          end(
            batch,
            DatabaseError(severity: "FATAL", message: "the connection to the server was lost"))
        }
        waiting.removeAll { $0.ended != nil }
        continue
      }
      // Interrupted by Ctrl-C: the cancel requests went out; the errors arrive as results.
      if poll(&fds, nfds_t(fds.count), -1) < 0 && errno != EINTR { break }
      for (k, batch) in waiting.enumerated() where fds[k].revents != 0 { read(batch) }
      waiting.removeAll { $0.ended != nil }
    }
    // Only a failed poll leaves batches waiting.
    for batch in waiting {
      end(batch, DatabaseError(severity: "FATAL", message: String(cString: strerror(errno))))
    }
  }

  private static func sendNext(_ batch: Batch) {
    guard batch.next < batch.statements.count else { return end(batch, nil) }
    let (sql, parameters) = batch.statements[batch.next]
    batch.next += 1
    do {
      _ = try batch.driver.send(sql, parameters: parameters)
      batch.reading = Reading(sql: sql)
    } catch {
      end(batch, error as? DatabaseError ?? DatabaseError(message: "\(error)"))
    }
  }

  /// Reads what has arrived for the batch without waiting for more.
  private static func read(_ batch: Batch) {
    let driver = batch.driver
    guard let conn = driver.conn else {
      return end(batch, DatabaseError(severity: "FATAL", message: "no connection to the server"))
    }
    // A lost connection leaves libpq idle with its error as the next result.
    _ = PQconsumeInput(conn)
    while PQisBusy(conn) == 0 {
      guard let result = PQgetResult(conn) else {
        guard let reading = batch.reading else { return end(batch, nil) }
        batch.reading = nil
        do {
          batch.summary = try reading.finish(batch.sink)
        } catch {
          return end(batch, error as? DatabaseError ?? DatabaseError(message: "\(error)"))
        }
        if batch.error != nil { return end(batch, nil) }
        sendNext(batch)
        if batch.ended != nil { return }
        continue
      }
      defer { PQclear(result) }
      // After a result the sink refused, the statement's others are read and dropped.
      guard batch.error == nil, batch.reading != nil else { continue }
      do {
        try driver.take(result, into: &batch.reading!, batch.sink)
      } catch {
        batch.error = DatabaseError(message: "\(error)")
      }
    }
  }

  private static func end(_ batch: Batch, _ error: DatabaseError?) {
    if let error { batch.error = error }
    batch.ended = monotonicNow()
  }

  /// `COPY … FROM STDIN`: the data lines come from the input the statement came from, up to
  /// a line `\.` (or its end), as in psql.
  private func copyIn(_ conn: OpaquePointer) {
    if let nextChunk = copyChunks {
      // A client-side file (`\copy … from FILE`): its bytes as they are, in chunks.
      do {
        while true {
          let chunk = try nextChunk()
          if chunk.isEmpty { break }
          let sent = chunk.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) {
              PQputCopyData(conn, $0.baseAddress, Int32($0.count))
            }
          }
          if sent != 1 { break }
        }
        PQputCopyEnd(conn, nil)
      } catch {
        PQputCopyEnd(conn, "\(error)")
      }
      return
    }
    guard let next = copySource else {
      PQputCopyEnd(conn, "COPY FROM STDIN needs its data after the statement, in the same script")
      return
    }
    while let line = next() {
      if line == "\\." { break }
      var data = Array(line.utf8)
      data.append(0x0A)
      let sent = data.withUnsafeBufferPointer { p in
        p.withMemoryRebound(to: CChar.self) { PQputCopyData(conn, $0.baseAddress, Int32($0.count)) }
      }
      if sent != 1 { break }
    }
    PQputCopyEnd(conn, nil)
  }

  /// Where `COPY … FROM STDIN` reads its data lines (nil at the end of the data).
  public var copySource: (() -> String?)?
  /// Instead, for `\copy … from FILE`: the file's next chunk of bytes (empty at its end).
  public var copyChunks: (() throws -> [UInt8])?
  /// For `\copy … to FILE`: where `COPY … TO STDOUT`'s data goes instead of the output.
  public var copyDestination: ((UnsafeRawBufferPointer) throws -> Void)?

  /// The data of `COPY … TO STDOUT`, all of it read even when writing it fails (the
  /// connection must reach the end of the COPY), the first failure thrown afterwards.
  private func copyOut(_ conn: OpaquePointer, into sink: ResultSink) throws {
    var buffer: UnsafeMutablePointer<CChar>?
    var failure: Error?
    while true {
      let n = PQgetCopyData(conn, &buffer, 0)
      guard n > 0, let buffer else { break }
      defer { PQfreemem(buffer) }
      guard failure == nil else { continue }
      let data = UnsafeRawBufferPointer(start: buffer, count: Int(n))
      do {
        if let copyDestination { try copyDestination(data) } else { try sink.copyData(data) }
      } catch {
        failure = error
      }
    }
    if let failure { throw failure }
  }

  private static func columns(of result: OpaquePointer) -> [ColumnInfo] {
    (0..<PQnfields(result)).map { j in
      ColumnInfo(name: String(cString: PQfname(result, j)), kind: kind(of: PQftype(result, j)))
    }
  }

  /// psql right-aligns the numeric types; JSON output also keeps booleans and json typed.
  static func kind(of oid: Oid) -> ValueKind {
    switch oid {
    case 20, 21, 23, 26, 28, 29, 700, 701, 790, 1700, 5069: return .number
    case 16: return .boolean
    case 114, 3802: return .json
    default: return .text
    }
  }

  static func error(from result: OpaquePointer, statement: String?) -> DatabaseError {
    func field(_ code: Character) -> String? {
      guard let p = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
      return String(cString: p)
    }
    let message =
      field("M") ?? oneLine(String(cString: PQresultErrorMessage(result)))
    return DatabaseError(
      severity: field("S") ?? "ERROR", code: field("C"), message: message, detail: field("D"),
      hint: field("H"), context: field("W"), position: field("P").flatMap { Int($0) },
      statement: statement)
  }

  /// libpq's multi-line messages as one line: `connection to server … failed: … Is the server…`.
  static func oneLine(_ text: String) -> String {
    text.split(whereSeparator: { $0 == "\n" }).map {
      $0.trimmingCharacters(in: " \t")
    }.filter { !$0.isEmpty }.joined(separator: " ")
  }
}

/// How a statement's first response is awaited. A process that sleeps in `poll()` is woken by the
/// kernel when the reply lands, and on a virtual machine that wake-up (the idle vCPU halted, then
/// an interrupt through the hypervisor) costs more than a short statement itself: 70 of psql's
/// 110 µs per `select` here (bench/PROFILE.md). So the first response is awaited by polling the
/// socket without sleeping for up to `budget`, then by sleeping as libpq does. A statement that
/// outlasts the budget makes the next ones sleep straight away (one, then two, four, … 64 while
/// they keep outlasting it), so a run of long statements spends about 1% of a core on it at
/// most. `\on` does not spin: its statements are waited on together (`runTogether`), and the
/// cores are the servers'.
enum ResponseWait {
  static let budget = 0.25  // ms

  /// Polls until the first response is in, the budget is spent, or the connection fails.
  static func spin(_ conn: OpaquePointer, backoff: inout Backoff) {
    if backoff.skip > 0 {
      backoff.skip -= 1
      return
    }
    let start = monotonicNow()
    while PQisBusy(conn) == 1 {
      guard PQconsumeInput(conn) == 1 else { return }
      if monotonicNow() - start > budget {
        backoff.outlasted()
        return
      }
    }
    backoff.answered()
  }

  /// After statements that outlast the budget, the next ones sleep straight away: one after the
  /// first, then two, four, … up to 64, until one answers within the budget again.
  struct Backoff {
    var skip = 0
    var next = 1
    mutating func outlasted() {
      skip = next
      next = min(next * 2, 64)
    }
    mutating func answered() { self = Backoff() }
  }
}

extension Substring {
  func trimmingCharacters(in set: String) -> String {
    let chars = Set(set)
    return String(
      self.drop(while: { chars.contains($0) }).reversed().drop(while: { chars.contains($0) })
        .reversed())
  }
}
