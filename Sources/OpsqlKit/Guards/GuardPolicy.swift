/// What the guard requires before a statement may run.
public enum GuardVerdict: Equatable, Sendable {
  case allow
  /// A y/N question.
  case confirmYesNo
  /// The user must type `expected` (the target's name, or a snippet's `confirm` value).
  case confirmTyping(expected: String)
  case refuse(reason: String)

  /// Stricter verdicts rank higher; a batch takes the strictest.
  var strictness: Int {
    switch self {
    case .allow: return 0
    case .confirmYesNo: return 1
    case .confirmTyping: return 2
    case .refuse: return 3
    }
  }
}

/// SPEC §4's policy, pure: read-only targets refuse writes; on production a write asks y/N and a
/// destructive statement asks for the target's name to be typed (or the snippet's `confirm`
/// value); elsewhere a destructive statement asks y/N.
public enum GuardPolicy {
  public static func verdict(
    danger: DangerClass, reason: String, target: Target, confirmValue: String? = nil
  ) -> GuardVerdict {
    if target.readonly && danger > .read {
      return .refuse(
        reason: "\(target.name) is read-only and this statement is \(article(danger)) (\(reason))")
    }
    switch (target.environment, danger) {
    case (_, .read): return .allow
    case (.production, .write): return .confirmYesNo
    case (.production, .destructive): return .confirmTyping(expected: confirmValue ?? target.name)
    case (_, .destructive): return .confirmYesNo
    case (_, .write): return .allow
    }
  }

  static func article(_ danger: DangerClass) -> String {
    danger == .read ? "a read" : (danger == .write ? "a write" : "destructive")
  }
}

/// How a guard question was settled; the audit will record it.
public enum GuardAnswer: String, Sendable {
  /// Nothing had to be asked.
  case notNeeded = "not needed"
  /// The user typed the expected answer.
  case typed
  /// `--yes` answered in advance.
  case yesFlag = "--yes"
  case declined
  /// A question was needed and there was no terminal to ask on.
  case noTerminal = "no terminal"
  /// Refused by policy (read-only target).
  case refused
  /// `--dry-run` or `\set DRY_RUN on`: shown, not sent.
  case dryRun = "dry run"

  public var allowsRunning: Bool { self == .notNeeded || self == .typed || self == .yesFlag }
}
