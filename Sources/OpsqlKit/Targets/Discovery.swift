import Glibc

/// Targets found without config: every service of the libpq service files as `service:NAME`,
/// and every `d1_databases` entry of a wrangler config in the working directory as `d1:BINDING`
/// (remote) and `d1-local:BINDING` (wrangler's local SQLite file).
public enum Discovery {
  public static func targets(in directory: String = ".") -> (targets: [Target], problems: [String])
  {
    var found: [Target] = []
    var problems: [String] = []
    for path in serviceFiles() {
      guard let text = readTextFile(path) else { continue }
      found += services(text, path: path)
    }
    for name in ["wrangler.toml", "wrangler.json", "wrangler.jsonc"] {
      let path = directory + "/" + name
      guard let text = readTextFile(path) else { continue }
      do {
        found += try wrangler(text, path: path, directory: directory)
      } catch {
        problems.append("\(path): \(error)")
      }
    }
    return (found, problems)
  }

  /// libpq's order: `PGSERVICEFILE` (else `~/.pg_service.conf`), then the system file
  /// (`PGSYSCONFDIR/pg_service.conf`, else Debian's `/etc/postgresql-common/pg_service.conf`).
  static func serviceFiles() -> [String] {
    let env = { (n: String) in getenv(n).map { String(cString: $0) } }
    var files: [String] = []
    if let f = env("PGSERVICEFILE") {
      files.append(f)
    } else if let home = env("HOME") {
      files.append(home + "/.pg_service.conf")
    }
    files.append((env("PGSYSCONFDIR") ?? "/etc/postgresql-common") + "/pg_service.conf")
    return files
  }

  static func services(_ text: String, path: String) -> [Target] {
    var result: [Target] = []
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let l = line.trimmed
      guard l.hasPrefix("["), l.hasSuffix("]") else { continue }
      let name = String(l.dropFirst().dropLast()).trimmed
      guard !name.isEmpty, !result.contains(where: { $0.name == "service:" + name }) else {
        continue
      }
      result.append(
        Target(name: "service:" + name, connection: "service=" + name, origin: "\(path):\(n + 1)"))
    }
    return result
  }

  /// The `d1_databases` of a wrangler.toml, .json or .jsonc.
  static func wrangler(_ text: String, path: String, directory: String) throws -> [Target] {
    var account: String?
    var entries: [(line: Int, fields: [String: String])] = []
    if path.hasSuffix(".toml") {
      var inD1 = false
      for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let line = raw.trimmed
        if line.hasPrefix("[[d1_databases]]") {
          inD1 = true
          entries.append((n + 1, [:]))
          continue
        }
        if line.hasPrefix("[") {
          inD1 = false
          continue
        }
        guard let eq = line.firstIndex(of: "=") else { continue }
        let key = String(line[..<eq]).trimmed
        var value = String(line[line.index(after: eq)...]).trimmed
        if let hash = value.firstIndex(of: "#"), value.first != "#" {
          let before = value[..<hash]
          if before.filter({ $0 == "\"" }).count % 2 == 0 { value = String(before).trimmed }
        }
        guard value.count >= 2, value.first == "\"" || value.first == "'", value.last == value.first
        else {
          continue
        }
        value = String(value.dropFirst().dropLast())
        if inD1 {
          entries[entries.count - 1].fields[key] = value
        } else if key == "account_id" && entries.isEmpty {
          account = value
        }
      }
    } else {
      let json = try JSON.parse(text, comments: true)
      account = json["account_id"]?.string
      for item in json["d1_databases"]?.array ?? [] {
        var fields: [String: String] = [:]
        if case .object(let pairs) = item {
          for (k, v) in pairs { if let s = v.string { fields[k] = s } }
        }
        entries.append((0, fields))
      }
    }
    account = account ?? getenv("CLOUDFLARE_ACCOUNT_ID").map { String(cString: $0) }
    var result: [Target] = []
    for entry in entries {
      guard let binding = entry.fields["binding"] else {
        throw JSONError(message: "a d1_databases entry has no binding", line: entry.line)
      }
      let origin = entry.line > 0 ? "\(path):\(entry.line)" : path
      if let id = entry.fields["database_id"] {
        result.append(
          Target(
            name: "d1:" + binding, kind: .d1, connection: "\(account ?? "")/\(id)", origin: origin))
      }
      let localID = entry.fields["preview_database_id"] ?? entry.fields["database_id"] ?? binding
      let file =
        directory + "/.wrangler/state/v3/d1/miniflare-D1DatabaseObject/" + localFileName(localID)
      result.append(
        Target(name: "d1-local:" + binding, kind: .sqlite, connection: file, origin: origin))
    }
    return result
  }

  /// The file name miniflare gives a local D1 database: workerd's `idFromName` over the id,
  /// `key = SHA-256("miniflare-D1DatabaseObject")`, `a = HMAC(key, id)[0..16]`,
  /// `b = HMAC(key, a)[0..16]`, `hex(a ‖ b) + ".sqlite"`.
  public static func localFileName(_ id: String) -> String {
    let key = sha256(Array("miniflare-D1DatabaseObject".utf8))
    let a = Array(hmac(key: key, Array(id.utf8)).prefix(16))
    let b = Array(hmac(key: key, a).prefix(16))
    return (a + b).map { hex(UInt32($0), digits: 2).lowercased() }.joined() + ".sqlite"
  }

  static func sha256(_ data: [UInt8]) -> [UInt8] { SHA256.hash(data) }

  static func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] { SHA256.hmac(key: key, data) }
}
