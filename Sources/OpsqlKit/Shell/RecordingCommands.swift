/// `\record` and `\replay`.
enum RecordingCommands {
  static func record(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter) throws
    -> Bool
  {
    switch line.arguments.first {
    case nil:
      shell.say(shell.recorder.map { "Recording to \($0.path)." } ?? "Not recording.")
    case "stop":
      guard let recorder = shell.recorder else { throw ShellError("not recording") }
      recorder.close()
      shell.recorder = nil
      shell.say("Recording stopped: \(recorder.path)")
    case let name?:
      guard shell.recorder == nil else {
        throw ShellError("already recording to \(shell.recorder!.path); \\record stop first")
      }
      let recorder = try Recorder(name: name, shell: shell)
      shell.recorder = recorder
      shell.say("Recording to \(recorder.path); \\record stop ends it.")
    }
    return true
  }

  static func replay(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter) throws
    -> Bool
  {
    guard let path = line.arguments.first else { throw ShellError("usage: \\replay FILE") }
    guard shell.includeDepth < 16 else { throw ShellError("\(path): too many nested replays") }
    shell.includeDepth += 1
    defer { shell.includeDepth -= 1 }
    switch Replay(path: path).run(shell) {
    case .finished: return true
    case .quit:
      return true
    case .stopped: return false
    }
  }

  static func share(_ line: MetaCommandLine, _ shell: Shell, _: inout StatementSplitter) throws
    -> Bool
  {
    switch line.arguments.first {
    case "stop":
      guard let share = shell.share else { throw ShellError("not sharing") }
      shell.auditFollowers(share.stop())
      shell.share = nil
      try shell.auditor.record("share", phase: "end")
      shell.say("Sharing stopped.")
    case nil:
      if let share = shell.share {
        shell.say("Already shared: opsql attach \(share.id)")
        return true
      }
      let hub = try ShareHub(id: shell.auditor.session, scrollback: shell.screen)
      try shell.auditor.record(
        "share", phase: "begin", ["detail": jsonObject([("socket", hub.path)])])
      shell.share = hub
      shell.say(
        "Shared, read-only. A partner follows with: opsql attach \(hub.id)   (\\share stop ends it)"
      )
    default:
      throw ShellError("usage: \\share [stop]")
    }
    return true
  }
}
