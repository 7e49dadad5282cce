/// psql's main loop: reads lines from an input source, splits them into statements and
/// meta-commands, and hands each to the executor or the meta-command table. It is re-entrant:
/// `\i` runs a file through a nested loop.
struct MainLoop {
  let shell: Shell
  let source: InputSource
  /// A replay's say over each item before it runs: run it (perhaps rewritten), skip it, or quit.
  var stepHook: ((InputItem) -> Replay.Decision)?

  init(shell: Shell, source: InputSource) {
    self.shell = shell
    self.source = source
  }

  enum Outcome {
    /// The input ended.
    case finished
    /// `\q`, or Ctrl-D at the prompt.
    case quit
    /// A script stopped at its first error (or Ctrl-C).
    case stopped
  }

  func run() -> Outcome {
    let outer = shell.source
    shell.source = source
    defer { shell.source = outer }
    var splitter = StatementSplitter()
    var entryLines: [String] = []
    let interactive = source.isInteractive
    // One `-c` text is guarded as a whole; a typed line too; a script statement by statement.
    let wholeInput = source is TextInput
    var batch: [String] = []
    var conditions = Conditionals()

    /// `\if`, `\elif`, `\else`, `\endif`; the expression is a Boolean as `\set` takes one
    /// (`:name` is the variable's value, as in any meta-command's arguments).
    func branch(_ line: MetaCommandLine) -> Executor.Outcome {
      do {
        try conditions.handle(line.name) {
          guard let expression = line.arguments.first, !expression.isEmpty else {
            throw ShellError("missing expression")
          }
          do {
            return try MetaCommands.toggle(expression, current: false)
          } catch {
            throw ShellError(
              "unrecognized value \"\(expression)\" for \"\\\(line.name) expression\": Boolean expected"
            )
          }
        }
        return .ok
      } catch let error as ShellError {
        shell.reportError("\\\(line.name): \(error.message)")
        return .failed
      } catch {
        return .failed
      }
    }

    /// What a batch's or command's outcome means for the loop: nil to go on.
    func settle(_ result: Executor.Outcome) -> Outcome? {
      if result == .failed { shell.anyFailed = true }
      if shell.quitRequested { return .quit }
      if shell.connectionLost || shell.auditFailed { return .stopped }
      if interactive || result == .ok { return nil }
      return result == .refused || !shell.options.continueOnError ? .stopped : nil
    }

    /// Runs the pending batch.
    func flush() -> Outcome? {
      guard !batch.isEmpty else { return nil }
      // psql's :name, :'name' and :"name" from \set, quoted by the current target's rules.
      let driver = shell.session?.driver
      let statements = batch.map {
        PreparedStatement(
          sql: VariableInterpolation.apply(
            $0, variables: shell.variables,
            quoteLiteral: driver?.quoteLiteral ?? SQLQuoting.literal,
            quoteIdentifier: driver?.quoteIdentifier ?? SQLQuoting.identifier))
      }
      let texts = batch
      batch.removeAll()
      let result = shell.executor.run(statements)
      if let recorder = shell.recorder {
        // One step per statement, each ended with `;` so that a replay splits them alike.
        for text in texts {
          let ended = text.hasSuffix(";") ? text : text + ";"
          if SecretRedactor.redact(ended) != ended {
            recorder.omitted(SecretRedactor.redact(ended), reason: "it holds a password")
          } else {
            recorder.step(ended, outcome: shell.lastOutcome)
          }
        }
      }
      return settle(result)
    }

    while true {
      // Before waiting for a person, the last outcome goes to the audit (a partner may follow it).
      if interactive {
        if let share = shell.share { shell.auditFollowers(share.takeEvents()) }
        do { try shell.auditor.flush() } catch {
          _ = shell.auditFailure(error)
        }
      }
      let prompt =
        interactive
        ? Prompt.text(
          for: shell.session, splitter: splitter, colour: shell.promptColour,
          skipping: !conditions.isActive) : ""
      switch source.readLine(prompt: prompt) {
      case .endOfInput:
        if interactive {
          shell.out.write("\\q\n")
          shell.out.flush()
          if confirmQuit() { return .quit }
          continue
        }
        if let item = splitter.finish() {
          switch stepHook?(item) ?? .run(item) {
          case .run(.statement(let sql)): batch.append(sql)
          case .quit: return .quit
          default: break
          }
        }
        if let end = flush() { return end }
        if conditions.isOpen {
          shell.reportError("reached EOF without finding closing \\endif(s)")
          shell.anyFailed = true
        }
        return shell.quitRequested ? .quit : .finished
      case .interrupted:
        if interactive {
          splitter.reset()
          entryLines.removeAll()
          continue
        }
        shell.anyFailed = true
        return .stopped
      case .line(let line):
        if interactive {
          entryLines.append(line)
          shell.echoToFollowers(prompt, line)
        }
        for fed in splitter.feed(line) {
          var item = fed
          if let stepHook {
            switch stepHook(fed) {
            case .run(let chosen): item = chosen
            case .skip: continue
            case .quit: return .quit
            }
          }
          switch item {
          case .statement where !conditions.isActive:
            continue
          case .metaCommand(let text)
          where shell.restrictKey == nil
            && Conditionals.names.contains(MetaCommandLine(parsing: text).name):
            if let end = flush() { return end }
            let parsed = MetaCommandLine(parsing: text, variables: shell.variables)
            if let end = settle(branch(parsed)) { return end }
          case .metaCommand where !conditions.isActive:
            continue
          case .statement(let sql):
            batch.append(sql)
            if !interactive && !wholeInput, let end = flush() { return end }
          case .metaCommand(let text):
            if let end = flush() { return end }
            let refusedBefore = shell.anyRefused
            let parsed = MetaCommandLine(parsing: text, variables: shell.variables)
            let recording = shell.recorder
            let ok = MetaCommands.run(parsed, shell: shell, buffer: &splitter)
            if let recording, shell.recorder === recording,
              !Recorder.unrecorded.contains(parsed.name)
            {
              let step = parsed.name == "n" ? shell.snippets.redactCall(text, mask: "?") : text
              recording.step(
                step, outcome: ok ? (parsed.name == "n" ? shell.lastOutcome : "ok") : "failed")
            }
            let result: Executor.Outcome =
              ok ? .ok : (shell.anyRefused && !refusedBefore ? .refused : .failed)
            if let end = settle(result) { return end }
          }
        }
        if interactive, let end = flush() { return end }
        if interactive && splitter.isEmpty && !entryLines.isEmpty {
          remember(entryLines)
          entryLines.removeAll()
        }
      }
    }
  }

  /// One history entry per statement, however many lines it took; an entry whose first line
  /// starts with a space is not kept, and passwords never reach the file.
  private func remember(_ lines: [String]) {
    guard let editor = (source as? EditorInput)?.editor, let first = lines.first,
      !first.hasPrefix(" "), lines.contains(where: { !$0.allSatisfy(\.isWhitespace) })
    else { return }
    var entry = lines.joined(separator: "\n")
    if entry.hasPrefix("\\n ") { entry = shell.snippets.redactCall(entry) }
    editor.addHistory(SecretRedactor.redact(entry))
  }

  /// Ctrl-D or `\q` with a transaction open asks first.
  func confirmQuit() -> Bool {
    guard let session = shell.session, source.isInteractive else { return true }
    switch session.driver.transactionState {
    case .inTransaction, .failed:
      let read = source.readLine(
        prompt: "A transaction is open on \(session.name); quitting rolls it back. Quit? [y/N] ")
      if case .line(let answer) = read, answer.lowercased().hasPrefix("y") { return true }
      return false
    default:
      return true
    }
  }
}

/// The prompt: `name=>`, `name=*>` in a transaction, `name=!>` in a failed one; continuation
/// lines show psql's `%R` (`-`, `(`, `'`, `"`, `$`, `*`, and `@` in an `\if` branch that does not
/// run) instead of `=`. Production targets are
/// marked `[prod]` and coloured red, read-only ones marked `[ro]`.
enum Prompt {
  static func text(
    for session: Session?, splitter: StatementSplitter, colour: Bool = false,
    skipping: Bool = false
  ) -> String {
    guard let session else { return "!> " }
    // psql's `@`: inside an `\if` branch that does not run.
    let marker = skipping ? "@" : splitter.isEmpty ? "=" : String(splitter.continuationMarker)
    let state = session.driver.transactionState.promptMarker
    var marks: [String] = []
    if session.target.environment == .production { marks.append("prod") }
    if session.target.readonly { marks.append("ro") }
    var name = session.name + (marks.isEmpty ? "" : "[" + marks.joined(separator: ",") + "]")
    if colour && session.target.environment == .production {
      // \u{1} brackets the invisible escape sequences for libedit (EL_PROMPT_ESC); a visible
      // character follows the reset, as libedit drops an escape at the very end.
      name = "\u{1}\u{1B}[1;31m\u{1}" + name + "\u{1}\u{1B}[0m\u{1}"
    }
    return name + marker + state + "> "
  }
}
