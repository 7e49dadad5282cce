import Glibc
import Testing

@testable import OpsqlKit
@testable import TestSupport

/// Every opsql run opens the audit file, and the first to open it rebuilds the WAL index by
/// reading every frame of the WAL. A short WAL is left at exit (no fsync); a long one is folded
/// into the file and truncated, so a start never reads much back.
@Suite struct AuditWALTests {
  let path = TestEnvironment.temporaryDirectory() + "/audit.db"

  private func walBytes() -> Int {
    var info = stat()
    return stat(path + "-wal", &info) == 0 ? Int(info.st_size) : -1
  }

  /// One process's worth: `count` statements, each in its own transaction, then close.
  private func run(statements count: Int) throws {
    let auditor = Auditor(log: try AuditLog(path: path), operatorName: "test")
    for k in 0..<count {
      try auditor.record("statement", phase: "begin", ["sql": "select \(k)"])
    }
  }

  @Test func aShortWALIsKeptAndALongOneTruncatedAtExit() throws {
    try run(statements: 3)
    #expect(walBytes() > 0)
    try run(statements: 100)
    #expect(walBytes() == 0)
    try run(statements: 2)
    let wal = walBytes()
    #expect(wal > 0 && wal < 64 * 4096)

    let rows = try AuditLog(path: path, readOnly: true).rows()
    #expect(rows.count == 105)
    #expect(AuditChain.firstBreak(rows) == nil)
  }

  @Test func aLongWALLeftByAKilledProcessIsTruncatedByTheNextOne() throws {
    // A process that never closes its connection, as when it is killed.
    let killed = Auditor(log: try AuditLog(path: path), operatorName: "test")
    for k in 0..<100 { try killed.record("statement", phase: "begin", ["sql": "select \(k)"]) }
    _ = Unmanaged.passRetained(killed)
    #expect(walBytes() > 64 * 4096)

    _ = try AuditLog(path: path)
    #expect(walBytes() == 0)
    let rows = try AuditLog(path: path, readOnly: true).rows()
    #expect(rows.count == 100)
    #expect(AuditChain.firstBreak(rows) == nil)
  }
}
