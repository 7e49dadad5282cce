/// `opsql audit export --session ID --format opsql`: an audited session's successful actions as
/// a recording that `opsql replay` runs — its target switches, SQL, `\on` fan-outs and snippet
/// calls (secret arguments as `?`, asked at replay). Statements that held a secret are left out
/// with a comment.
enum AuditExport {
  static func recording(_ rows: [[String: String]], session: String) -> String {
    var text = "-- opsql recording exported from audit session \(session)\n"
    if let first = rows.first {
      text += "-- operator: \(first["operator"] ?? "")\n-- started: \(first["time"] ?? "")\n"
    }
    text += "-- opsql: \(Opsql.version)\n\n"
    // Outcomes by the begin row they end.
    var outcomes: [String: String] = [:]
    for row in rows where row["phase"] == "end" {
      if let begin = row["begin_id"] { outcomes[begin] = row["outcome"] }
    }
    var current: String?
    var groups: Set<String> = []
    for row in rows {
      let ok = outcomes[row["id"] ?? ""] == "ok"
      switch (row["kind"], row["phase"]) {
      case ("connect", "end") where row["outcome"] == "ok":
        continue  // a target is opened by the \c below, when a statement needs it
      case ("snippet", "begin") where ok:
        text += switchTo(row, &current)
        text += "\\n " + (row["snippet"] ?? "") + arguments(row["params"]) + "\n\n"
      case ("statement", "begin") where ok && row["snippet"] == nil:
        let sql = row["sql"] ?? ""
        if let group = row["group_id"] {
          guard !groups.contains(group) else { continue }
          groups.insert(group)
          let targets = rows.filter {
            $0["group_id"] == group && $0["kind"] == "statement" && $0["phase"] == "begin"
          }
          .compactMap { $0["target"] }
          text += "\\on \(targets.joined(separator: ",")) \(sql)\n\n"
          continue
        }
        text += switchTo(row, &current)
        if sql.contains(SecretRedactor.mask) {
          text += "-- not exported (it held a secret):\n--   \(sql)\n\n"
        } else {
          text += sql + (sql.hasSuffix(";") ? "" : ";") + "\n\n"
        }
      default:
        continue
      }
    }
    return text
  }

  private static func switchTo(_ row: [String: String], _ current: inout String?) -> String {
    guard let target = row["target"], target != current else { return "" }
    current = target
    return "\\c \(target)\n"
  }

  /// `name=value` pairs, psql-quoted; masked secrets become `?`.
  static func arguments(_ params: String?) -> String {
    guard let params, case .object(let pairs)? = try? JSON.parse(params) else { return "" }
    return pairs.compactMap { key, value -> String? in
      let v = value.string ?? value.cellText ?? ""
      if v == "(generated)" { return nil }  // a replay generates its own
      return " \(key)=" + (v == "***" ? "?" : psqlQuoted(v))
    }.joined()
  }

  /// A meta-command argument as psql reads it back: bare when safe, else `'…'` with escapes.
  static func psqlQuoted(_ value: String) -> String {
    if !value.isEmpty && value.allSatisfy({ $0.isLetter || $0.isNumber || "-_.:/@".contains($0) }) {
      return value
    }
    var quoted = "'"
    for c in value {
      switch c {
      case "'": quoted += "''"
      case "\\": quoted += "\\\\"
      case "\n": quoted += "\\n"
      default: quoted.append(c)
      }
    }
    return quoted + "'"
  }
}
