import CEditLine
import Glibc

/// What one read from the line editor gave.
public enum LineRead: Equatable {
  case line(String)
  /// Ctrl-C: the typed line is discarded.
  case interrupted
  /// Ctrl-D on an empty line.
  case endOfInput
}

/// libedit's native API with opsql's habits: ^C is a key while editing (the tty's isig is off
/// in edit mode, so no signal can be lost between reads) that discards the line; libedit's own
/// signal handling is off; history is one entry per statement, saved after each entry with
/// mode 0600.
public final class LineEditor {
  private let el: OpaquePointer
  private let history: OpaquePointer
  private var event = HistEvent()
  private let historyPath: String?
  private var promptBuffer: UnsafeMutablePointer<CChar>
  private var interrupted = false
  /// Given the text before the cursor: the word to replace and its candidates.
  public var completion: ((String) -> (word: String, candidates: [String]))?

  /// Nil when libedit cannot be loaded.
  public init?(program: String, historyPath: String?) {
    guard opsql_edit_load() == 1, let el = opsql_el_init(program) else { return nil }
    guard let history = opsql_history_init() else {
      opsql_el_end(el)
      return nil
    }
    self.el = el
    self.history = history
    self.historyPath = historyPath
    promptBuffer = strdup("")
    opsql_history_setsize(history, &event, 1000)
    opsql_history_setunique(history, &event, 1)
    if let historyPath { _ = opsql_history_load(history, &event, historyPath) }
    opsql_el_set_editor(el, "emacs")
    opsql_el_set_signal(el, 0)
    opsql_el_set_history(el, history)
    opsql_el_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
    // \u{1} marks the start and end of invisible escape sequences (colours) in the prompt.
    opsql_el_set_prompt(
      el,
      { el in
        guard let el, let data = opsql_el_get_clientdata(el) else { return nil }
        return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().promptBuffer
      }, 1)
    opsql_el_addfn(el, "opsql-interrupt", "Discard the line (Ctrl-C)") { el, _ in
      if let el, let data = opsql_el_get_clientdata(el) {
        Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().interrupted = true
      }
      return UInt8(CC_NEWLINE)
    }
    opsql_el_bind(el, "^C", "opsql-interrupt")
    opsql_el_addfn(el, "opsql-complete", "Complete the word (Tab)") { el, _ in
      guard let el, let data = opsql_el_get_clientdata(el) else { return UInt8(CC_ERROR) }
      return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().complete()
    }
    opsql_el_bind(el, "^I", "opsql-complete")
    opsql_el_disable_isig(el)
    opsql_el_source(el)
  }

  deinit {
    opsql_el_end(el)
    opsql_history_end(history)
    free(promptBuffer)
  }

  /// Reads one line, showing `prompt`.
  public func readLine(prompt: String) -> LineRead {
    free(promptBuffer)
    promptBuffer = strdup(prompt)
    interrupted = false
    Interrupts.clear()
    // libedit's own SIGWINCH handling is off with its signals: take the size afresh each time.
    opsql_el_resize(el)
    var count: Int32 = 0
    guard let p = opsql_el_gets(el, &count) else {
      if count == -1 && errno == EINTR { return .interrupted }
      return .endOfInput
    }
    if interrupted || Interrupts.wasRequested {
      Interrupts.clear()
      // The abandoned line stays on screen; the next prompt starts below it.
      fputs("\n", stdout)
      fflush(stdout)
      return .interrupted
    }
    var line = String(cString: p)
    if line.hasSuffix("\n") { line.removeLast() }
    return .line(line)
  }

  /// Tab: one candidate replaces the word; several insert what they share, or are listed.
  private func complete() -> UInt8 {
    guard let completion, let info = opsql_el_line(el) else { return UInt8(CC_ERROR) }
    let length = info.pointee.cursor - info.pointee.buffer
    let before = String(
      decoding: UnsafeRawBufferPointer(start: info.pointee.buffer, count: length), as: UTF8.self)
    let (word, candidates) = completion(before)
    guard !candidates.isEmpty else { return UInt8(CC_ERROR) }
    var replacement = candidates.count == 1 ? candidates[0] : Completer.commonPrefix(candidates)
    if candidates.count == 1 && !replacement.hasSuffix("=") { replacement += " " }
    if replacement.count > word.count || (candidates.count == 1 && replacement != word) {
      // Delete the typed word and insert the whole candidate, so case comes out right.
      opsql_el_deletestr(el, Int32(word.unicodeScalars.count))
      opsql_el_insertstr(el, replacement)
      return UInt8(CC_REFRESH)
    }
    let list = "\n" + candidates.joined(separator: "  ") + "\n"
    fputs(list, stdout)
    fflush(stdout)
    return UInt8(CC_REDISPLAY)
  }

  /// Loads libedit on a thread of its own, for a `LineEditor` made soon after (which waits for
  /// it): the interactive start overlaps it with opening the audit and connecting.
  public static func preload() {
    FanOut.spawnThread { _ = opsql_edit_load() }
  }

  /// Adds one history entry (a whole statement, however many lines) and saves the file.
  public func addHistory(_ entry: String) {
    opsql_history_enter(history, &event, entry)
    guard let historyPath else { return }
    let old = umask(0o077)
    _ = opsql_history_save(history, &event, historyPath)
    umask(old)
    chmod(historyPath, 0o600)
  }
}

/// The terminal's size, when `fd` is one.
public func terminalSize(_ fd: Int32 = 1) -> (rows: Int, columns: Int)? {
  var rows: Int32 = 0
  var cols: Int32 = 0
  guard opsql_terminal_size(fd, &rows, &cols) == 0 else { return nil }
  return (Int(rows), Int(cols))
}

/// Asks for a secret on the controlling terminal with echo off (psql's password prompt).
public func readSecret(prompt: String) -> String? {
  let fd = open("/dev/tty", O_RDWR)
  guard fd >= 0 else { return nil }
  defer { Glibc.close(fd) }
  var saved = termios()
  guard tcgetattr(fd, &saved) == 0 else { return nil }
  var quiet = saved
  quiet.c_lflag &= ~tcflag_t(ECHO)
  _ = prompt.withCString { Glibc.write(fd, $0, strlen($0)) }
  tcsetattr(fd, TCSAFLUSH, &quiet)
  defer {
    tcsetattr(fd, TCSAFLUSH, &saved)
    _ = Glibc.write(fd, "\n", 1)
  }
  var bytes: [UInt8] = []
  var c: UInt8 = 0
  while Glibc.read(fd, &c, 1) == 1 && c != 0x0A && c != 0x0D { bytes.append(c) }
  return String(decoding: bytes, as: UTF8.self)
}
