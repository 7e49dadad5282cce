import Glibc

/// A buffered writer to a file descriptor. The shell writes everything the user sees through
/// these, so output can be redirected (`\o`), paged and, later, shared.
public final class OutputStream {
  public private(set) var fd: Int32
  private var buffer: [UInt8] = []
  private let capacity = 1 << 16
  /// Sees every byte written to the descriptor (the shell's screen log and `\share`).
  public var tap: ((UnsafeRawBufferPointer) -> Void)?
  /// Set when a write failed (a closed pipe); later writes are dropped.
  public private(set) var failed = false

  public init(fd: Int32) {
    self.fd = fd
    buffer.reserveCapacity(capacity)
  }

  /// A stream that keeps what is written in memory (`captured`), for tests and for callers
  /// that need the text.
  public init() {
    fd = -1
  }

  /// What a memory stream received.
  public private(set) var captured: [UInt8] = []

  @inline(__always)
  public func write(_ bytes: UnsafeRawBufferPointer) {
    if buffer.count + bytes.count > capacity { flush() }
    if bytes.count >= capacity {
      writeAll(bytes)
    } else {
      buffer.append(contentsOf: bytes)
    }
  }

  @inline(__always)
  public func write<C: Collection>(_ bytes: C) where C.Element == UInt8 {
    if buffer.count + bytes.count > capacity { flush() }
    buffer.append(contentsOf: bytes)
  }

  public func write(_ text: String) {
    var text = text
    text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
  }

  @inline(__always)
  public func write(byte: UInt8) {
    if buffer.count >= capacity { flush() }
    buffer.append(byte)
  }

  @inline(__always)
  public func writeSpaces(_ n: Int) {
    guard n > 0 else { return }
    if buffer.count + n > capacity { flush() }
    buffer.append(contentsOf: repeatElement(0x20, count: n))
  }

  public func flush() {
    guard !buffer.isEmpty else { return }
    if holdLimit != nil && !overflowHold() { return }
    buffer.withUnsafeBytes { writeAll($0) }
    buffer.removeAll(keepingCapacity: true)
  }

  // MARK: - Pager

  private var holdLimit: Int?
  private var heldLines = 0
  private var countedUpTo = 0
  private var pagerCommand = ""
  private var pager: UnsafeMutablePointer<FILE>?
  private var fdBeforePager: Int32 = 1

  /// Holds what is written until it is taller than `lines`; then starts `command` (the pager)
  /// and sends everything there. Output that fits is written as usual at `endPaging()`.
  public func beginPaging(lines: Int, command: String) {
    flush()
    holdLimit = lines
    heldLines = 0
    countedUpTo = 0
    pagerCommand = command
  }

  /// Ends a paged result: writes held output, or waits for the pager to be quit.
  public func endPaging() {
    if holdLimit != nil {
      _ = overflowHold()
      holdLimit = nil
    }
    flush()
    if let pager {
      pclose(pager)
      self.pager = nil
      fd = fdBeforePager
      failed = false
    }
  }

  /// Counts the held lines; when they exceed the limit, switches to the pager. Returns whether
  /// the buffer may be written now.
  private func overflowHold() -> Bool {
    guard let limit = holdLimit else { return true }
    for c in buffer[countedUpTo...] where c == 0x0A { heldLines += 1 }
    countedUpTo = buffer.count
    guard heldLines > limit else { return false }
    holdLimit = nil
    if let p = popen(pagerCommand, "w") {
      pager = p
      fdBeforePager = fd
      fd = fileno(p)
    }
    return true
  }

  /// Points the stream at another descriptor after flushing what was written so far.
  public func redirect(to newFD: Int32) {
    flush()
    fd = newFD
    failed = false
  }

  private func writeAll(_ bytes: UnsafeRawBufferPointer) {
    if fd < 0 {
      captured.append(contentsOf: bytes)
      return
    }
    guard !failed, var p = bytes.baseAddress else { return }
    tap?(bytes)
    var left = bytes.count
    while left > 0 {
      let n = Glibc.write(fd, p, left)
      if n < 0 {
        if errno == EINTR { continue }
        failed = true
        return
      }
      p += n
      left -= n
    }
  }
}
