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
}
