/// How dangerous a statement is, in the guard's three classes.
public enum DangerClass: Int, Comparable, Sendable, CaseIterable {
  case read = 0
  case write = 1
  case destructive = 2

  public static func < (a: DangerClass, b: DangerClass) -> Bool { a.rawValue < b.rawValue }

  public var name: String {
    switch self {
    case .read: return "read"
    case .write: return "write"
    case .destructive: return "destructive"
    }
  }

  public init?(name: String) {
    guard let c = DangerClass.allCases.first(where: { $0.name == name }) else { return nil }
    self = c
  }
}

/// A statement's class and, for anything above read, the reason a DBA would give.
public struct Classification: Equatable, Sendable {
  public var danger: DangerClass
  public var reason: String

  public init(_ danger: DangerClass, _ reason: String) {
    self.danger = danger
    self.reason = reason
  }
}

/// Classifies SQL from the lexer's tokens, not from its first word: DML inside CTEs, `EXPLAIN
/// ANALYZE` of a write, `DELETE`/`UPDATE` without a top-level `WHERE`, `ALTER … DROP`, role and
/// privilege statements, `VACUUM FULL`/`CLUSTER`/`REINDEX` and calls of functions that kill
/// sessions or drop slots are caught. What it cannot classify counts as destructive. Several
/// statements take the worst class.
public enum StatementClassifier {
  public static func classify(_ sql: String) -> Classification {
    let bytes = Array(sql.utf8)
    let tokens = SQLLexer.tokenize(bytes, startingIn: .normal).tokens.filter { $0.kind != .comment }
    // Words lowercased; quoted identifiers keep their case but lose their quotes, so that
    // `"pg_terminate_backend"(…)` is still seen as that function.
    let words = tokens.map { token -> String in
      switch token.kind {
      case .word:
        return String(decoding: bytes[token.start..<token.end], as: UTF8.self).lowercased()
      case .quotedIdentifier where bytes[token.start] == UInt8(ascii: "\""):
        return String(
          decoding: bytes[(token.start + 1)..<max(token.start + 1, token.end - 1)], as: UTF8.self)
      default:
        return ""
      }
    }
    let scan = Scan(tokens: tokens, words: words)
    var worst = Classification(.read, "reads only")
    var start = 0
    // One classification per statement; the worst wins.
    for k in 0...tokens.count where k == tokens.count || tokens[k].kind == .semicolon {
      if k > start {
        let c = scan.statement(start..<k)
        if c.danger > worst.danger { worst = c }
      }
      start = k + 1
    }
    return worst
  }

  /// Functions whose call ends sessions, drops or consumes replication state, discards
  /// statistics or reaches outside the database.
  static let destructiveFunctions: Set<String> = [
    "pg_terminate_backend", "pg_cancel_backend", "pg_drop_replication_slot", "pg_reload_conf",
    "lo_unlink", "pg_rotate_logfile", "pg_promote", "pg_wal_replay_pause", "pg_wal_replay_resume",
    "pg_switch_wal", "pg_replication_origin_drop", "pg_replication_slot_advance",
    "pg_logical_slot_get_changes", "pg_logical_slot_get_binary_changes", "pg_stat_reset",
    "pg_stat_reset_shared", "pg_stat_reset_single_table_counters",
    "pg_stat_reset_single_function_counters", "pg_stat_reset_slru",
    "pg_stat_reset_replication_slot",
    "pg_stat_statements_reset", "pg_file_unlink", "pg_file_write", "dblink_exec",
    "pg_truncate_table",
  ]

  /// Functions that change state without destroying anything.
  static let writingFunctions: Set<String> = [
    "nextval", "setval", "set_config", "pg_create_physical_replication_slot",
    "pg_create_logical_replication_slot", "pg_copy_physical_replication_slot",
    "pg_copy_logical_replication_slot", "pg_create_restore_point", "pg_backup_start",
    "pg_backup_stop", "pg_start_backup", "pg_stop_backup", "lo_import", "lo_export", "lo_create",
    "pg_notify", "txid_current", "pg_current_xact_id",
  ]
}

private struct Scan {
  let tokens: [SQLToken]
  let words: [String]

  func word(_ k: Int) -> String { k < words.count ? words[k] : "" }

  /// Index of the next word token at or after `k` within `range`, skipping nothing else.
  func nextWord(after k: Int, in range: Range<Int>) -> Int? {
    var i = k + 1
    while i < range.upperBound {
      if tokens[i].kind == .word { return i }
      if tokens[i].kind != .openParen { return nil }
      i += 1
    }
    return nil
  }

  /// Depth-0 word positions of `range` (relative to its own parentheses).
  func topLevelWords(_ range: Range<Int>) -> [Int] {
    var depth = 0
    var result: [Int] = []
    for k in range {
      switch tokens[k].kind {
      case .openParen: depth += 1
      case .closeParen: depth = max(0, depth - 1)
      case .word where depth == 0: result.append(k)
      default: break
      }
    }
    return result
  }

  /// The index of the parenthesis closing the one at `open`.
  func closing(_ open: Int, in range: Range<Int>) -> Int {
    var depth = 0
    for k in open..<range.upperBound {
      if tokens[k].kind == .openParen { depth += 1 }
      if tokens[k].kind == .closeParen {
        depth -= 1
        if depth == 0 { return k }
      }
    }
    return range.upperBound
  }

  /// Calls of known functions anywhere in `range`.
  func functionCalls(_ range: Range<Int>) -> Classification? {
    var worst: Classification?
    for k in range
    where !words[k].isEmpty && k + 1 < range.upperBound
      && tokens[k + 1].kind == .openParen
    {
      let name = words[k]
      if StatementClassifier.destructiveFunctions.contains(name) {
        return Classification(.destructive, "calls \(name)()")
      }
      if StatementClassifier.writingFunctions.contains(name) && worst == nil {
        worst = Classification(.write, "calls \(name)()")
      }
    }
    return worst
  }

  func statement(_ range: Range<Int>) -> Classification {
    var base = range
    // `(SELECT …)` and `((…))` at the start.
    while base.lowerBound < base.upperBound && tokens[base.lowerBound].kind == .openParen {
      base = (base.lowerBound + 1)..<base.upperBound
    }
    guard let first = base.first, tokens[first].kind == .word else {
      return base.isEmpty
        ? Classification(.read, "empty") : Classification(.destructive, "cannot be classified")
    }
    let own = byFirstWord(first, base)
    // EXPLAIN without ANALYZE runs nothing; with it, the inner statement was classified.
    guard own.danger < .destructive, words[first] != "explain", let call = functionCalls(base),
      call.danger > own.danger
    else {
      return own
    }
    return call
  }

  func byFirstWord(_ first: Int, _ range: Range<Int>) -> Classification {
    let top = topLevelWords(range)
    let topSet = Set(top.map { words[$0] })
    let second = nextWord(after: first, in: range).map { words[$0] } ?? ""
    switch words[first] {
    case "select", "values", "table":
      if topSet.contains("into") && words[first] == "select" {
        return Classification(.write, "SELECT INTO creates a table")
      }
      if let k = top.firstIndex(where: { words[$0] == "for" }), k + 1 < top.count,
        ["update", "share", "no", "key"].contains(words[top[k + 1]])
      {
        return Classification(.write, "locks rows (FOR UPDATE/SHARE)")
      }
      return Classification(.read, "reads only")
    case "with":
      return withStatement(first, range)
    case "insert":
      return Classification(.write, "INSERT")
    case "update", "delete":
      return updateOrDelete(first, range, top)
    case "merge":
      return topSet.contains("delete")
        ? Classification(.destructive, "MERGE that deletes rows") : Classification(.write, "MERGE")
    case "explain":
      return explain(first, range)
    case "show", "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release",
      "reset", "discard", "listen", "unlisten", "fetch", "move", "close", "deallocate":
      return Classification(.read, "session or transaction control")
    case "set":
      if second == "role" || second == "session" && topSet.contains("authorization") {
        return Classification(.write, "changes the session's role")
      }
      return Classification(.read, "session setting")
    case "prepare":
      // PREPARE name [(types)] AS statement: preparing runs nothing, but PREPARE TRANSACTION does.
      if second == "transaction" { return Classification(.write, "PREPARE TRANSACTION") }
      if let asAt = top.first(where: { words[$0] == "as" }), asAt + 1 < range.upperBound {
        let inner = statement((asAt + 1)..<range.upperBound)
        return inner.danger == .read ? Classification(.read, "prepares a query") : inner
      }
      return Classification(.read, "prepares a query")
    case "declare":
      if let forAt = top.first(where: { words[$0] == "for" }), forAt + 1 < range.upperBound {
        return statement((forAt + 1)..<range.upperBound)
      }
      return Classification(.read, "declares a cursor")
    case "execute":
      return Classification(.destructive, "EXECUTE of a prepared statement cannot be seen into")
    case "do":
      return Classification(.destructive, "DO blocks cannot be seen into")
    case "call":
      return Classification(.destructive, "CALL of a procedure cannot be seen into")
    case "drop":
      return Classification(.destructive, "DROP \(second.uppercased())")
    case "truncate":
      return Classification(.destructive, "TRUNCATE")
    case "grant", "revoke":
      return Classification(.destructive, "\(words[first].uppercased()) changes privileges")
    case "reassign":
      return Classification(.destructive, "REASSIGN OWNED")
    case "create":
      return create(first, range, top)
    case "alter":
      return alter(first, range, topSet, second)
    case "vacuum":
      if topSet.contains("full") || containsFullOption(first, range) {
        return Classification(.destructive, "VACUUM FULL rewrites tables under an exclusive lock")
      }
      return Classification(.write, "VACUUM")
    case "analyze", "analyse":
      return Classification(.write, "ANALYZE")
    case "cluster":
      return Classification(.destructive, "CLUSTER rewrites tables under an exclusive lock")
    case "reindex":
      return Classification(.destructive, "REINDEX locks and rebuilds indexes")
    case "copy":
      if topSet.contains("program") {
        return Classification(.destructive, "COPY … PROGRAM runs a command on the server")
      }
      if topSet.contains("from") && !(tokens[range.lowerBound + 1].kind == .openParen) {
        return Classification(.write, "COPY FROM loads rows")
      }
      if topSet.contains("to") && !topSet.contains("stdout") {
        return Classification(.destructive, "COPY TO a server file")
      }
      return Classification(.read, "COPY TO STDOUT")
    case "lock":
      return Classification(.write, "LOCK takes a table lock")
    case "checkpoint", "notify", "comment", "security", "refresh", "import":
      return Classification(.write, words[first].uppercased())
    case "load":
      return Classification(.destructive, "LOAD loads a shared library")
    // SQLite and D1.
    case "pragma":
      return tokens[range].contains(where: { isEquals($0) })
        ? Classification(.write, "PRAGMA assignment") : Classification(.read, "PRAGMA query")
    case "replace":
      return Classification(.write, "REPLACE")
    case "attach", "detach":
      return Classification(.destructive, "\(words[first].uppercased()) DATABASE")
    default:
      return Classification(
        .destructive, "cannot be classified: \"\(words[first])\" is not a statement opsql knows")
    }
  }

  func isEquals(_ t: SQLToken) -> Bool {
    t.kind == .operatorSymbol && t.end - t.start == 1
  }

  func containsFullOption(_ first: Int, _ range: Range<Int>) -> Bool {
    guard first + 1 < range.upperBound, tokens[first + 1].kind == .openParen else { return false }
    let close = closing(first + 1, in: range)
    var k = first + 2
    while k < close {
      if words[k] == "full" {
        let next = k + 1 < close ? words[k + 1] : ""
        return !["false", "off", "0"].contains(next)
      }
      k += 1
    }
    return false
  }

  func updateOrDelete(_ first: Int, _ range: Range<Int>, _ top: [Int]) -> Classification {
    let verb = words[first].uppercased()
    guard let whereAt = top.first(where: { words[$0] == "where" }) else {
      return Classification(.destructive, "\(verb) without WHERE touches every row")
    }
    // WHERE true / WHERE 1 = 1 is no condition at all.
    var rest = Array((whereAt + 1)..<range.upperBound)
    if let returning = rest.firstIndex(where: { words[$0] == "returning" }) {
      rest = Array(rest[..<returning])
    }
    let texts = rest.map { words[$0].isEmpty ? "#\(tokens[$0].kind)" : words[$0] }
    if texts == ["true"]
      || (rest.count == 3 && isEquals(tokens[rest[1]]) && sameToken(rest[0], rest[2]))
    {
      return Classification(.destructive, "\(verb) with an always-true WHERE touches every row")
    }
    return Classification(.write, verb)
  }

  func sameToken(_ a: Int, _ b: Int) -> Bool {
    tokens[a].kind == tokens[b].kind && tokens[a].kind != .word
      && tokens[a].end - tokens[a].start == tokens[b].end - tokens[b].start
  }

  func explain(_ first: Int, _ range: Range<Int>) -> Classification {
    var k = first + 1
    var analyze = false
    if k < range.upperBound && tokens[k].kind == .openParen {
      let close = closing(k, in: range)
      var i = k + 1
      while i < close {
        if words[i] == "analyze" || words[i] == "analyse" {
          let next = i + 1 < close ? words[i + 1] : ""
          analyze = !["false", "off", "0"].contains(next)
        }
        i += 1
      }
      k = close + 1
    }
    while k < range.upperBound && ["analyze", "analyse", "verbose"].contains(words[k]) {
      if words[k] != "verbose" { analyze = true }
      k += 1
    }
    guard analyze, k < range.upperBound else { return Classification(.read, "EXPLAIN") }
    let inner = statement(k..<range.upperBound)
    guard inner.danger > .read else { return Classification(.read, "EXPLAIN ANALYZE of a query") }
    return Classification(inner.danger, "EXPLAIN ANALYZE runs it: \(inner.reason)")
  }

  /// WITH name AS (body), … main: every CTE body and the main statement are classified.
  func withStatement(_ first: Int, _ range: Range<Int>) -> Classification {
    var worst = Classification(.read, "reads only")
    var k = first + 1
    if words[k] == "recursive" { k += 1 }
    while k < range.upperBound {
      // name [(columns)] AS [NOT] [MATERIALIZED] ( body )
      guard let asAt = (k..<range.upperBound).first(where: { words[$0] == "as" }) else { break }
      var open = asAt + 1
      while open < range.upperBound && tokens[open].kind == .word { open += 1 }
      guard open < range.upperBound, tokens[open].kind == .openParen else { break }
      let close = closing(open, in: range)
      let body = statement((open + 1)..<close)
      if body.danger > worst.danger {
        worst = Classification(body.danger, "a CTE does: \(body.reason)")
      }
      k = close + 1
      if k < range.upperBound && tokens[k].kind == .punctuation && tokenIsComma(k) {
        k += 1
        continue
      }
      break
    }
    if k < range.upperBound {
      let main = statement(k..<range.upperBound)
      if main.danger > worst.danger { worst = main }
    }
    return worst
  }

  func tokenIsComma(_ k: Int) -> Bool {
    tokens[k].end - tokens[k].start == 1 && tokens[k].kind == .punctuation
  }

  func create(_ first: Int, _ range: Range<Int>, _ top: [Int]) -> Classification {
    var k = first + 1
    while k < range.upperBound
      && ["or", "replace", "temp", "temporary", "unique", "unlogged", "global", "local"].contains(
        words[k])
    {
      k += 1
    }
    let object = words[min(k, words.count - 1)]
    switch object {
    case "role", "user", "group":
      return Classification(.destructive, "CREATE \(object.uppercased()) (role statements)")
    case "index":
      return Classification(.write, "CREATE INDEX")
    default:
      return Classification(.write, "CREATE \(object.uppercased())")
    }
  }

  func alter(_ first: Int, _ range: Range<Int>, _ topSet: Set<String>, _ second: String)
    -> Classification
  {
    switch second {
    case "system":
      return Classification(.destructive, "ALTER SYSTEM changes the server's configuration")
    case "role", "user", "group":
      return Classification(.destructive, "ALTER \(second.uppercased()) (role statements)")
    case "default":
      return Classification(.destructive, "ALTER DEFAULT PRIVILEGES changes privileges")
    default:
      if words[range].contains("drop") {
        return Classification(.destructive, "ALTER … DROP")
      }
      return Classification(.write, "ALTER \(second.uppercased())")
    }
  }
}
