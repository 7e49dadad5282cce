import Glibc

/// A config problem, always with the file and line it was found at.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
  public var path: String
  public var line: Int
  public var message: String
  public var description: String { "\(path):\(line): \(message)" }
}

/// The INI config of SPEC §2: `[settings]`, `[target NAME]` and `[group NAME]` sections of
/// `key = value` lines; `;` and `#` start comments (at the start of a line, or after a space).
/// Secrets are never read from it: a password in it is an error.
public struct Config: Sendable, Equatable {
  public var operatorName: String?
  /// Targets in the order the file names them.
  public var targets: [Target] = []
  public var groups: [String: [String]] = [:]
  public var path: String?

  public init() {}

  public func target(named name: String) -> Target? { targets.first { $0.name == name } }

  /// The file to read: `--config`, else `$OPSQL_CONFIG`, else `$XDG_CONFIG_HOME/opsql/config`
  /// (`~/.config/opsql/config`). Only an explicitly named file must exist.
  public static func load(explicitPath: String?) throws -> Config {
    let env = { (name: String) -> String? in
      getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }
    let named = explicitPath ?? env("OPSQL_CONFIG")
    let path: String
    if let named {
      path = named
    } else if let xdg = env("XDG_CONFIG_HOME") {
      path = xdg + "/opsql/config"
    } else if let home = env("HOME") {
      path = home + "/.config/opsql/config"
    } else {
      return Config()
    }
    guard let text = readTextFile(path) else {
      if named == nil && errno == ENOENT { return Config() }
      throw ConfigError(path: path, line: 0, message: String(cString: strerror(errno)))
    }
    var config = try parse(text, path: path)
    config.path = path
    return config
  }

  public static func parse(_ text: String, path: String) throws -> Config {
    var config = Config()
    enum Section {
      case none, settings
      case target(Int)
      case group(String)
    }
    var section = Section.none
    var targetKeys: [String: Int] = [:]
    for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let lineNo = n + 1
      func fail(_ message: String) -> ConfigError {
        ConfigError(path: path, line: lineNo, message: message)
      }
      let line = stripComment(String(raw)).trimmed
      if line.isEmpty { continue }
      if line.hasPrefix("[") {
        guard line.hasSuffix("]") else { throw fail("section header without a closing ]") }
        let words = line.dropFirst().dropLast().split(separator: " ").map(String.init)
        switch (words.first, words.count) {
        case ("settings", 1):
          section = .settings
        case ("target", 2):
          let name = words[1]
          guard isValidName(name) else {
            throw fail("target name \"\(name)\" may hold letters, digits, '-', '_' and '.' only")
          }
          if let earlier = targetKeys[name] {
            throw fail("target \"\(name)\" is defined twice (first at line \(earlier))")
          }
          targetKeys[name] = lineNo
          config.targets.append(
            Target(name: name, connection: nil, origin: "\(path):\(lineNo)"))
          section = .target(config.targets.count - 1)
        case ("group", 2):
          section = .group(words[1])
          config.groups[words[1]] = []
        default:
          throw fail("unknown section \(line); expected [settings], [target NAME] or [group NAME]")
        }
        continue
      }
      guard let eq = line.firstIndex(of: "=") else {
        throw fail("expected key = value, found \"\(line)\"")
      }
      let key = String(line[..<eq]).trimmed.lowercased()
      let value = String(line[line.index(after: eq)...]).trimmed
      if key == "password" || key == "token" {
        throw fail(
          "\(key) is never read from the config file; use ~/.pgpass, PGPASSWORD or token_env/token_file"
        )
      }
      switch section {
      case .none:
        throw fail("\(key) is outside any section")
      case .settings:
        guard key == "operator" else { throw fail("unknown setting \(key); expected operator") }
        config.operatorName = value
      case .group(let name):
        guard key == "targets" else {
          throw fail("unknown key \(key) in [group \(name)]; expected targets")
        }
        config.groups[name] = value.split(separator: ",").map { String($0).trimmed }.filter {
          !$0.isEmpty
        }
      case .target(let index):
        try apply(key, value, to: &config.targets[index], fail: fail)
      }
    }
    // A d1 target's connection is ACCOUNT/DATABASE; the account may come from the environment.
    for k in config.targets.indices where config.targets[k].kind == .d1 {
      let options = config.targets[k].options
      let account =
        options["account"] ?? getenv("CLOUDFLARE_ACCOUNT_ID").map { String(cString: $0) } ?? ""
      config.targets[k].connection = account + "/" + (options["database"] ?? "")
    }
    for target in config.targets where target.kind == .postgres {
      if let url = target.connection, SecretRedactor.redactConnectionStrings(url) != url {
        let line = Int(target.origin.split(separator: ":").last ?? "0") ?? 0
        throw ConfigError(
          path: path, line: line,
          message:
            "the connection of target \(target.name) holds a password; use ~/.pgpass or PGPASSWORD")
      }
    }
    for (name, members) in config.groups {
      for member in members where config.target(named: member) == nil {
        throw ConfigError(
          path: path, line: 0, message: "group \(name) names unknown target \(member)")
      }
    }
    return config
  }

  private static func apply(
    _ key: String, _ value: String, to target: inout Target, fail: (String) -> ConfigError
  ) throws {
    switch key {
    case "kind":
      guard let kind = TargetKind(rawValue: value) else {
        throw fail("unknown kind \"\(value)\"; expected postgres, d1 or sqlite")
      }
      target.kind = kind
    case "url", "conninfo", "service":
      target.connection = key == "service" ? "service=\(value)" : value
    case "environment":
      guard let env = Environment(rawValue: value) else {
        throw fail("unknown environment \"\(value)\"; expected production, staging or development")
      }
      target.environment = env
    case "readonly":
      switch value.lowercased() {
      case "true", "yes", "on", "1": target.readonly = true
      case "false", "no", "off", "0": target.readonly = false
      default: throw fail("readonly must be true or false, not \"\(value)\"")
      }
    case "path":
      target.connection = value
    case "account", "database", "token_env", "token_file":
      target.options[key] = value
    default:
      throw fail(
        "unknown key \(key) in [target \(target.name)]; expected kind, url, conninfo, service, environment or readonly"
      )
    }
  }

  static func isValidName(_ name: String) -> Bool {
    !name.isEmpty
      && name.unicodeScalars.allSatisfy {
        ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0)
          || "-_.".unicodeScalars.contains($0)
      }
  }

  /// Drops a comment: a line starting with `;` or `#`, or ` ;`/` #` later on.
  static func stripComment(_ line: String) -> String {
    let trimmed = line.trimmed
    if trimmed.hasPrefix(";") || trimmed.hasPrefix("#") { return "" }
    var previous: Character = " "
    var index = line.startIndex
    for c in line {
      if (c == ";" || c == "#") && (previous == " " || previous == "\t") {
        return String(line[..<index])
      }
      previous = c
      index = line.index(after: index)
    }
    return line
  }
}

extension String {
  /// Without leading and trailing spaces and tabs.
  var trimmed: String {
    let chars = Array(self)
    var start = 0
    var end = chars.count
    while start < end && (chars[start] == " " || chars[start] == "\t" || chars[start] == "\r") {
      start += 1
    }
    while end > start && (chars[end - 1] == " " || chars[end - 1] == "\t" || chars[end - 1] == "\r")
    { end -= 1 }
    return String(chars[start..<end])
  }
}

/// The whole of a text file, or nil with errno set.
func readTextFile(_ path: String) -> String? {
  let fd = open(path, O_RDONLY | O_CLOEXEC)
  guard fd >= 0 else { return nil }
  defer { close(fd) }
  var st = stat()
  if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
    errno = EISDIR
    return nil
  }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 65536)
  while true {
    let n = read(fd, &chunk, chunk.count)
    if n < 0 && errno == EINTR { continue }
    if n <= 0 { break }
    bytes.append(contentsOf: chunk[0..<n])
  }
  return String(decoding: bytes, as: UTF8.self)
}
