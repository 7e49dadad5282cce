/// The type of a snippet parameter; values are checked against it before anything runs.
public enum ParamType: Equatable, Sendable {
  case int
  case text
  case ident
  case bool
  case interval
  /// Never shown, kept or recorded; generated when not given.
  case secret
  case choice([String])

  public init?(parsing text: String) {
    switch text {
    case "int": self = .int
    case "text": self = .text
    case "ident": self = .ident
    case "bool": self = .bool
    case "interval": self = .interval
    case "secret": self = .secret
    default:
      guard text.hasPrefix("enum("), text.hasSuffix(")") else { return nil }
      let options = text.dropFirst(5).dropLast().split(separator: "|").map { String($0).trimmed }
      guard !options.isEmpty, !options.contains("") else { return nil }
      self = .choice(options)
    }
  }

  public var name: String {
    switch self {
    case .int: return "int"
    case .text: return "text"
    case .ident: return "ident"
    case .bool: return "bool"
    case .interval: return "interval"
    case .secret: return "secret"
    case .choice(let options): return "enum(\(options.joined(separator: "|")))"
    }
  }

  /// The value in canonical form, or nil when it does not fit the type.
  public func normalize(_ raw: String) -> String? {
    if raw.utf8.contains(0) { return nil }
    switch self {
    case .int:
      return Int64(raw.trimmed).map { String($0) }
    case .bool:
      switch raw.trimmed.lowercased() {
      case "true", "t", "on", "yes", "y", "1": return "true"
      case "false", "f", "off", "no", "n", "0": return "false"
      default: return nil
      }
    case .interval:
      return Self.isInterval(raw.trimmed) ? raw.trimmed : nil
    case .ident:
      return raw.isEmpty || raw.utf8.count > 63 ? nil : raw
    case .text, .secret:
      return raw
    case .choice(let options):
      return options.contains(raw) ? raw : nil
    }
  }

  /// `5 minutes`, `1 hour 30 min`, `90s`, `2 days`, `00:05:00`: what Postgres reads as an
  /// interval and a DBA would type.
  static func isInterval(_ text: String) -> Bool {
    let units: Set<String> = [
      "us", "usec", "usecs", "microsecond", "microseconds", "ms", "msec", "msecs", "millisecond",
      "milliseconds", "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute",
      "minutes", "h", "hr", "hrs", "hour", "hours", "d", "day", "days", "w", "week", "weeks", "mon",
      "mons", "month", "months", "y", "yr", "yrs", "year", "years",
    ]
    if text.isEmpty { return false }
    let clock = text.split(separator: ":", omittingEmptySubsequences: false)
    if clock.count == 2 || clock.count == 3 {
      return clock.allSatisfy {
        !$0.isEmpty && $0.count <= 2 && $0.allSatisfy(\.isASCII) && Int($0) != nil
      }
    }
    // Numbers each followed by a unit (glued or spaced); a lone number means seconds.
    var words: [String] = []
    for part in text.split(separator: " ") {
      let digits = part.prefix(while: { $0.isNumber || $0 == "." })
      if !digits.isEmpty { words.append(String(digits)) }
      let rest = part.dropFirst(digits.count)
      if !rest.isEmpty { words.append(String(rest).lowercased()) }
    }
    var k = 0
    while k < words.count {
      guard Double(words[k]) != nil, words[k].allSatisfy({ $0.isASCII }) else { return false }
      k += 1
      if k < words.count && units.contains(words[k]) {
        k += 1
      } else if k < words.count {
        return false
      }
    }
    return true
  }
}

/// One `-- param:` line.
public struct SnippetParam: Equatable, Sendable {
  public var name: String
  public var type: ParamType
  public var defaultValue: String?
  public var description: String
}

/// A snippet: a named, typed, guarded piece of SQL from a `.sql` file.
public struct Snippet: Equatable, Sendable {
  public var name: String
  public var summary: String
  /// Target kinds it runs on.
  public var targets: [TargetKind]
  public var danger: DangerClass
  public var params: [SnippetParam]
  /// The param whose value must be typed to confirm on production.
  public var confirm: String?
  /// A read-only query shown before the guard's question.
  public var preview: String?
  /// A read-only query; a row it returns is the reason the snippet refuses to run.
  public var refuse: String?
  /// Secret params whose generated value is shown once after success.
  public var reveal: [String]
  public var body: String
  /// The file it came from.
  public var path: String
  /// The whole file, for `\n+`.
  public var source: String

  public func param(named name: String) -> SnippetParam? { params.first { $0.name == name } }
}
