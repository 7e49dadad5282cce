import CCurl
import Glibc

/// A Cloudflare D1 database over its REST API (libcurl, so that sessions that never touch D1 do
/// not pay for an HTTP stack at start-up). Each statement is one `POST …/raw` (column order and
/// duplicate names survive); there is no server-side cancel and no transaction across
/// requests, and the driver says so instead of pretending.
public final class D1Driver: Driver {
  public let account: String
  public let database: String
  public let baseURL: String
  private let token: String
  private var curl: UnsafeMutableRawPointer?  // CURL*
  private var info: JSON = .null
  public var onNotice: ((DatabaseError) -> Void)?
  /// The longest a 429's Retry-After is honoured, in seconds, before giving up.
  static let maxRetryWait: Double = 10
  /// Abandoned on Ctrl-C: set by the progress callback's check of `Interrupts`.
  private var cancelArmed = false

  /// `connection` is `ACCOUNT/DATABASE`; the token comes from `token` (read by the caller from
  /// the environment variable or 0600 file the target names), never from the config file.
  public init(
    connection: String, token: String, onNotice: ((DatabaseError) -> Void)? = nil
  ) throws {
    self.onNotice = onNotice
    let parts = connection.split(separator: "/", maxSplits: 1).map(String.init)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
      throw ConnectionError(
        "a D1 target needs an account and a database (d1://ACCOUNT/DATABASE, or account = and database = in the config; CLOUDFLARE_ACCOUNT_ID is read too)"
      )
    }
    account = parts[0]
    database = parts[1]
    self.token = token
    let base = getenv("CLOUDFLARE_API_BASE_URL").map { String(cString: $0) } ?? ""
    baseURL =
      base.isEmpty
      ? "https://api.cloudflare.com/client/v4"
      : (base.hasSuffix("/") ? String(base.dropLast()) : base)
    guard opsql_curl_load() == 1 else {
      throw ConnectionError(
        "D1 needs libcurl (libcurl.so.4), which could not be loaded: apt-get install libcurl4")
    }
    curl = opsql_curl_easy_init()
    do {
      info = try request("GET", path: "", body: nil)
    } catch let error as DatabaseError {
      close()
      throw ConnectionError("D1 database \(database): \(error.message)")
    }
  }

  deinit { close() }

  public var kind: TargetKind { .d1 }
  public var placeholderStyle: PlaceholderStyle { .question }
  public var databaseName: String { info["name"]?.string ?? database }
  public var serverVersion: String { "D1" + (info["version"]?.string.map { " (\($0))" } ?? "") }
  public var serverIdentity: String { "D1 database \(info["uuid"]?.string ?? database)" }
  public var isOpen: Bool { curl != nil }
  public func reset() -> Bool { curl != nil }
  /// Every request is its own transaction.
  public var transactionState: TransactionState { .idle }

  public func close() {
    if let curl { opsql_curl_cleanup(curl) }
    curl = nil
  }

  public func armCancel() { cancelArmed = true }
  public func disarmCancel() { cancelArmed = false }

  public func quoteLiteral(_ value: String) -> String {
    SQLQuoting.sqliteLiteral(value)
  }
  public func quoteIdentifier(_ value: String) -> String { SQLQuoting.identifier(value) }

  public func execute(_ sql: String, parameters: [String], into sink: ResultSink) throws
    -> StatementSummary
  {
    let first = SQLLexer.leadingWords(sql).first
    if ["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "START"].contains(first ?? "")
    {
      throw DatabaseError(
        code: nil,
        message:
          "D1 has no transactions across requests: each statement runs in its own transaction, so \(first!) is not sent"
      )
    }
    var body = "{\"sql\":" + JSON.quote(sql)
    if !parameters.isEmpty {
      body += ",\"params\":[" + parameters.map(JSON.quote).joined(separator: ",") + "]"
    }
    body += "}"
    let result = try request("POST", path: "/raw", body: body)
    // One result per statement in the request; opsql sends one statement.
    guard let first = result.array?.last else {
      throw DatabaseError(code: nil, message: "D1 answered without a result")
    }
    if first["success"]?.bool == false {
      throw DatabaseError(code: nil, message: first["error"]?.string ?? "the statement failed")
    }
    let columns = first["results"]?["columns"]?.array?.compactMap(\.string) ?? []
    let rows = first["results"]?["rows"]?.array ?? []
    let meta = first["meta"]
    if !columns.isEmpty {
      let kinds = columns.indices.map { j -> ValueKind in
        for row in rows {
          switch row.array?[j] {
          case .number?: return .number
          case .null?: continue
          default: return .text
          }
        }
        return .text
      }
      try sink.printRows(
        zip(columns, kinds).map { ColumnInfo(name: $0, kind: $1) },
        rows.map { ($0.array ?? []).map(\.cellText) }, tag: "SELECT \(rows.count)")
      return StatementSummary(
        rows: rows.count, tag: "SELECT \(rows.count)", detail: Self.describe(meta))
    }
    let changes = meta?["changes"]?.int ?? 0
    let tag = SQLiteDriver.tag(sql, changed: changes)
    try sink.commandCompleted(tag: tag)
    return StatementSummary(rows: changes, tag: tag, detail: Self.describe(meta))
  }

  /// D1's `meta`, read leniently, for `\timing`: rows read and written and D1's own duration.
  static func describe(_ meta: JSON?) -> String? {
    guard let meta else { return nil }
    var parts: [String] = []
    if let d = meta["duration"]?.cellText { parts.append("D1 duration \(d) ms") }
    if let r = meta["rows_read"]?.cellText { parts.append("rows read \(r)") }
    if let w = meta["rows_written"]?.cellText { parts.append("rows written \(w)") }
    return parts.isEmpty ? nil : parts.joined(separator: ", ")
  }

  // MARK: - HTTP

  private final class Exchange {
    var body: [UInt8] = []
    var retryAfter: Double?
    var armed = false
  }

  /// One request to `…/accounts/ACCOUNT/d1/database/DATABASE<path>`; returns the envelope's
  /// `result`. 429 is retried after Retry-After (bounded); errors come back as
  /// `message [code: N]`; the token never appears in them.
  func request(_ method: String, path: String, body: String?) throws -> JSON {
    guard let curl else { throw DatabaseError(code: nil, message: "the D1 session is closed") }
    let url = "\(baseURL)/accounts/\(account)/d1/database/\(database)\(path)"
    var waited: Double = 0
    while true {
      let exchange = Exchange()
      exchange.armed = cancelArmed
      opsql_curl_reset(curl)
      var headers: UnsafeMutablePointer<curl_slist>?
      headers = opsql_curl_slist_append(headers, "Authorization: Bearer \(token)")
      headers = opsql_curl_slist_append(headers, "Content-Type: application/json")
      headers = opsql_curl_slist_append(headers, "Accept: application/json")
      defer { opsql_curl_slist_free_all(headers) }
      opsql_curl_set_string(curl, CURLOPT_URL, url)
      opsql_curl_set_headers(curl, headers)
      opsql_curl_set_string(curl, CURLOPT_USERAGENT, "opsql/\(Opsql.version)")
      opsql_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT, 10)
      opsql_curl_set_long(curl, CURLOPT_TIMEOUT, 120)
      opsql_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
      if method == "POST" {
        opsql_curl_set_long(curl, CURLOPT_POST, 1)
        opsql_curl_set_string(curl, CURLOPT_COPYPOSTFIELDS, body ?? "")
      }
      let context = Unmanaged.passUnretained(exchange).toOpaque()
      opsql_curl_set_pointer(curl, CURLOPT_WRITEDATA, context)
      opsql_curl_set_write(curl) { data, size, count, context in
        let exchange = Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
        exchange.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: size * count))
        return size * count
      }
      opsql_curl_set_pointer(curl, CURLOPT_HEADERDATA, context)
      opsql_curl_set_header_fn(curl) { data, size, count, context in
        let exchange = Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
        let line = String(
          decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
        if line.lowercased().hasPrefix("retry-after:") {
          exchange.retryAfter = Double(
            String(line.dropFirst("retry-after:".count)).trimmed(newlines: true))
        }
        return size * count
      }
      // Ctrl-C abandons the request: the progress callback is asked often while waiting.
      opsql_curl_set_long(curl, CURLOPT_NOPROGRESS, 0)
      opsql_curl_set_pointer(curl, CURLOPT_XFERINFODATA, context)
      opsql_curl_set_progress(curl) { context, _, _, _, _ in
        let exchange = Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
        return exchange.armed && Interrupts.wasRequested ? 1 : 0
      }
      let rc = opsql_curl_perform(curl)
      if rc == CURLE_ABORTED_BY_CALLBACK {
        throw DatabaseError(
          code: "57014",
          message: "request abandoned; D1 cannot cancel a statement, so it may still complete")
      }
      guard rc == CURLE_OK else {
        let reason = String(cString: opsql_curl_strerror(rc))
        throw DatabaseError(code: nil, message: "request to D1 failed: \(reason)")
      }
      let status = opsql_curl_status(curl)
      if status == 429 {
        let wait = min(exchange.retryAfter ?? 1, Self.maxRetryWait)
        if waited + wait <= Self.maxRetryWait {
          waited += wait
          notify("D1 asked to slow down (429); retrying in \(fixed(wait, 1)) s")
          usleep(UInt32(wait * 1_000_000))
          continue
        }
      }
      return try Self.envelope(exchange.body, status: Int(status))
    }
  }

  private func notify(_ text: String) {
    onNotice?(DatabaseError(severity: "NOTICE", message: text))
  }

  /// Reads Cloudflare's envelope: `result` on success; the first error as
  /// `message [code: N]` on failure; anything that is not the envelope is said to be so.
  static func envelope(_ body: [UInt8], status: Int) throws -> JSON {
    let text = String(decoding: body, as: UTF8.self)
    let json: JSON
    do {
      json = try JSON.parse(text)
    } catch {
      let excerpt = String(text.prefix(80)).replacingAll("\n", with: " ")
      throw DatabaseError(
        code: nil, message: "D1 answered HTTP \(status) with something that is not JSON: \(excerpt)"
      )
    }
    if status / 100 == 2 && json["success"]?.bool == true, let result = json["result"] {
      return result
    }
    if let first = json["errors"]?.array?.first {
      let code = first["code"]?.cellText ?? "?"
      let message = first["message"]?.string ?? "unknown error"
      throw DatabaseError(code: code, message: "\(message) [code: \(code)]")
    }
    throw DatabaseError(
      code: nil, message: "D1 answered HTTP \(status) without a result or an error")
  }
}
