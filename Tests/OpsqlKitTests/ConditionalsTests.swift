import Testing

@testable import OpsqlKit

/// psql's `\if` … `\endif` as a state machine: which lines run, and psql's complaints.
struct ConditionalsTests {
  /// Feeds `steps` ("if true", "elif false", "else", "endif" or "line") and returns whether
  /// each "line" ran.
  private func run(_ steps: [String]) throws -> [Bool] {
    var conditions = Conditionals()
    var ran: [Bool] = []
    for step in steps {
      let words = step.split(separator: " ").map(String.init)
      if words[0] == "line" {
        ran.append(conditions.isActive)
      } else {
        try conditions.handle(words[0]) { words[1] == "true" }
      }
    }
    return ran
  }

  @Test func branches() throws {
    #expect(try run(["if true", "line", "else", "line", "endif", "line"]) == [true, false, true])
    #expect(
      try run([
        "if false", "line", "elif true", "line", "elif true", "line", "else", "line", "endif",
      ])
        == [false, true, false, false])
    // Nothing inside a branch that does not run runs, nested ones included.
    #expect(
      try run(["if false", "if true", "line", "else", "line", "endif", "line", "endif"])
        == [false, false, false])
    #expect(
      try run(["if true", "if false", "line", "else", "line", "endif", "endif"]) == [false, true])
  }

  @Test func anExpressionIsEvaluatedOnlyWhereTheBranchCouldRun() throws {
    var conditions = Conditionals()
    try conditions.handle("if") { false }
    try conditions.handle("if") {
      Issue.record("evaluated inside a branch that does not run"); return true
    }
    try conditions.handle("endif") { true }
    try conditions.handle("elif") { true }
    #expect(conditions.isActive)
    try conditions.handle("elif") {
      Issue.record("evaluated after a branch ran"); return true
    }
    #expect(!conditions.isActive)
  }

  @Test func complaints() throws {
    var conditions = Conditionals()
    #expect(throws: ShellError("no matching \\if")) { try conditions.handle("endif") { true } }
    #expect(throws: ShellError("no matching \\if")) { try conditions.handle("else") { true } }
    try conditions.handle("if") { true }
    try conditions.handle("else") { true }
    #expect(throws: ShellError("cannot occur after \\else")) {
      try conditions.handle("elif") { true }
    }
    #expect(throws: ShellError("cannot occur after \\else")) {
      try conditions.handle("else") { true }
    }
    // An expression that is not a Boolean still opens the \if, as false.
    var bad = Conditionals()
    #expect(throws: ShellError("no")) { try bad.handle("if") { throw ShellError("no") } }
    #expect(bad.isOpen && !bad.isActive)
  }
}
