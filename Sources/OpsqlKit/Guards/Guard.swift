import Glibc

/// One statement ready for the guard and the driver: the SQL to send (with bind parameters),
/// the text to show and keep (secrets masked), and its class.
public struct PreparedStatement: Sendable {
  public var sql: String
  public var params: [String]
  public var display: String
  public var classification: Classification

  /// A typed statement: classified by the lexer, passwords masked for display.
  public init(sql: String) {
    self.init(
      sql: sql, params: [], display: SecretRedactor.redact(sql),
      classification: StatementClassifier.classify(sql))
  }

  public init(sql: String, params: [String], display: String, classification: Classification) {
    self.sql = sql
    self.params = params
    self.display = display
    self.classification = classification
  }
}

/// What the guard decided for a batch, for the executor and the audit.
struct GuardDecision {
  var verdict: GuardVerdict
  var answer: GuardAnswer
  var danger: DangerClass

  /// The policy's verdict in words: `allow`, `ask y/N`, `type "prod"`, `refuse: …`.
  var verdictText: String {
    switch verdict {
    case .allow: return "allow"
    case .confirmYesNo: return "ask y/N"
    case .confirmTyping(let expected): return "type \"\(expected)\""
    case .refuse(let reason): return "refuse: \(reason)"
    }
  }
}

/// Asks the guard's question for a batch of statements on one target and returns how it was
/// settled. The question names the target and its environment and shows the statements
/// (secrets masked); a preview, when there is one, is shown before it.
struct Guard {
  let shell: Shell

  func decide(
    _ statements: [PreparedStatement], on target: Target, confirmValue: String?,
    preview: (() -> Void)?
  ) -> GuardDecision {
    guard let worst = statements.max(by: { $0.classification.danger < $1.classification.danger })
    else { return GuardDecision(verdict: .allow, answer: .notNeeded, danger: .read) }
    let danger = worst.classification.danger
    let verdict = GuardPolicy.verdict(
      danger: danger, reason: worst.classification.reason, target: target,
      confirmValue: confirmValue)
    let answer = settle(statements, target, verdict, danger, worst.classification.reason, preview)
    return GuardDecision(verdict: verdict, answer: answer, danger: danger)
  }

  /// One decision for `\on`: each target's verdict, the strictest one asked once, the question
  /// listing every target with its environment. Typing confirms with the TARGETS text itself.
  func decideFanOut(_ work: [(Session, [PreparedStatement])], label: String) -> GuardDecision {
    var strictest = GuardDecision(verdict: .allow, answer: .notNeeded, danger: .read)
    var reason = "reads only"
    var lines: [String] = []
    for (session, statements) in work {
      lines.append(
        "\(session.name) (\(session.target.environment.rawValue)\(session.target.readonly ? ", read-only" : ""))"
      )
      for statement in statements {
        var verdict = GuardPolicy.verdict(
          danger: statement.classification.danger, reason: statement.classification.reason,
          target: session.target)
        if case .confirmTyping = verdict { verdict = .confirmTyping(expected: label) }
        if verdict.strictness > strictest.verdict.strictness { strictest.verdict = verdict }
        if statement.classification.danger > strictest.danger {
          strictest.danger = statement.classification.danger
          reason = statement.classification.reason
        }
      }
    }
    guard let first = work.first else { return strictest }
    var target = first.0.target
    target.name = "\(work.count) targets: " + lines.joined(separator: ", ")
    strictest.answer = settle(first.1, target, strictest.verdict, strictest.danger, reason, nil)
    return strictest
  }

  private func settle(
    _ statements: [PreparedStatement], _ target: Target, _ verdict: GuardVerdict,
    _ danger: DangerClass, _ reason: String, _ preview: (() -> Void)?
  ) -> GuardAnswer {
    if shell.dryRun { return dryRun(statements, target, verdict) }
    switch verdict {
    case .allow:
      return .notNeeded
    case .refuse(let reason):
      shell.reportError("Refused: \(reason). Nothing was run.")
      return .refused
    case .confirmYesNo, .confirmTyping:
      preview?()
      describe(statements, target, danger, reason)
      if shell.options.yes {
        shell.notify("Confirmed by --yes.")
        return .yesFlag
      }
      guard shell.canAsk else {
        shell.reportError(
          "Refused: this \(danger.name) statement on \(target.name) (\(target.environment.rawValue)) needs confirmation and there is no terminal to ask on; pass --yes to confirm in advance."
        )
        return .noTerminal
      }
      let answer: String?
      switch verdict {
      case .confirmTyping(let expected):
        answer = shell.ask("Type \(quoted(expected)) to run it, anything else cancels: ")
        if answer?.trimmed == expected { return .typed }
        shell.notify("Cancelled: that was not \(quoted(expected)). Nothing was run.")
      default:
        answer = shell.ask("Run it on \(target.name)? [y/N] ")
        if let a = answer?.trimmed.lowercased(), a == "y" || a == "yes" { return .typed }
        shell.notify("Cancelled. Nothing was run.")
      }
      return .declined
    }
  }

  private func describe(
    _ statements: [PreparedStatement], _ target: Target, _ danger: DangerClass, _ reason: String
  ) {
    var text =
      "\(danger.name.uppercased()) on \(target.name) (\(target.environment.rawValue)): \(reason)\n"
    for s in statements {
      for line in s.display.split(separator: "\n", omittingEmptySubsequences: false) {
        text += "    \(line)\n"
      }
    }
    shell.notify(text, newline: false)
  }

  private func dryRun(
    _ statements: [PreparedStatement], _ target: Target, _ verdict: GuardVerdict
  ) -> GuardAnswer {
    let decision: String
    var refused = false
    switch verdict {
    case .allow: decision = "would run"
    case .refuse(let reason):
      decision = "would be refused: \(reason)"
      refused = true
    case .confirmYesNo:
      decision =
        shell.options.yes
        ? "would run (--yes)"
        : (shell.canAsk ? "would ask y/N" : "would be refused: no terminal to ask on")
      refused = !shell.options.yes && !shell.canAsk
    case .confirmTyping(let expected):
      decision =
        shell.options.yes
        ? "would run (--yes)"
        : (shell.canAsk
          ? "would ask to type \(quoted(expected))" : "would be refused: no terminal to ask on")
      refused = !shell.options.yes && !shell.canAsk
    }
    for s in statements {
      shell.say("DRY RUN [\(s.classification.danger.name)] on \(target.name): \(s.display)")
    }
    shell.say("DRY RUN \(decision); nothing was sent.")
    if refused { shell.dryRunRefused = true }
    return .dryRun
  }

  private func quoted(_ s: String) -> String { "\"\(s)\"" }
}
