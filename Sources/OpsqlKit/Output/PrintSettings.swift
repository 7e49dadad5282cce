/// Output formats, by psql's names where psql has one.
public enum OutputFormat: String, Sendable, CaseIterable {
  case aligned
  case unaligned
  case csv
  case json
  case markdown
}

/// `\x`: expanded (one line per column) display.
public enum ExpandedMode: Sendable, Equatable {
  case off
  case on
  /// Expanded when the aligned table would be wider than the terminal.
  case auto
}

/// What `\pset`, `\x` and `\timing` control.
public struct PrintSettings: Sendable, Equatable {
  public var format: OutputFormat = .aligned
  public var expanded: ExpandedMode = .off
  public var nullDisplay: String = ""
  public var pager: Bool = true
  public var timing: Bool = false
  /// `\t`: rows only, without header and footer.
  public var tuplesOnly: Bool = false
  public var fieldSeparator: String = "|"
  /// A title centred above an aligned table (psql's `\d` output: "List of relations").
  public var title: String?
  /// Lines printed under an aligned table instead of `(N rows)` (psql's `\d NAME` footers).
  public var footer: [String]?

  public init() {}
}
