/// What kind of database a target is.
public enum TargetKind: String, Sendable, CaseIterable {
  case postgres
  case d1
  case sqlite
}

/// How careful the guard is with a target.
public enum Environment: String, Sendable, CaseIterable {
  case production
  case staging
  case development
}

/// A named database, from the config file or given ad hoc on the command line.
public struct Target: Sendable, Equatable {
  public var name: String
  public var kind: TargetKind
  /// For postgres: a URL or conninfo string (nil: libpq's defaults).
  public var connection: String?
  public var environment: Environment
  public var readonly: Bool
  /// Where it came from: `file:line`, or "command line".
  public var origin: String
  /// Kind-specific settings: for d1, `token_env` and `token_file`.
  public var options: [String: String] = [:]

  public init(
    name: String, kind: TargetKind = .postgres, connection: String?,
    environment: Environment = .development, readonly: Bool = false, origin: String
  ) {
    self.name = name
    self.kind = kind
    self.connection = connection
    self.environment = environment
    self.readonly = readonly
    self.origin = origin
  }
}
