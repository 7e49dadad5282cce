/// psql's `\if EXPR`, `\elif EXPR`, `\else` and `\endif`: which lines of a script run. Inside a
/// branch that does not run, statements and other meta-commands are read and skipped.
struct Conditionals {
  static let names: Set<String> = ["if", "elif", "else", "endif"]

  private struct Branch {
    /// Whether the lines around this `\if` run at all.
    var parentActive: Bool
    var active: Bool
    /// Whether one of this `\if`'s branches has run (or none may).
    var taken: Bool
    var sawElse = false
  }
  private var stack: [Branch] = []

  /// Whether the current line runs.
  var isActive: Bool { stack.last?.active ?? true }
  var isOpen: Bool { !stack.isEmpty }

  /// Applies one of the four; `value` evaluates the expression, and is called only when the
  /// branch could run. Throws psql's messages; an `\if` whose expression is not a Boolean is
  /// still opened, as false.
  mutating func handle(_ name: String, value: () throws -> Bool) throws {
    switch name {
    case "if":
      let parent = isActive
      var branch = Branch(parentActive: parent, active: false, taken: !parent)
      defer { stack.append(branch) }
      if parent {
        let v = try value()
        branch.active = v
        branch.taken = v
      }
    case "elif":
      guard var top = stack.popLast() else { throw ShellError("no matching \\if") }
      defer { stack.append(top) }
      guard !top.sawElse else { throw ShellError("cannot occur after \\else") }
      top.active = false
      if top.parentActive && !top.taken {
        let v = try value()
        top.active = v
        top.taken = v
      }
    case "else":
      guard var top = stack.popLast() else { throw ShellError("no matching \\if") }
      defer { stack.append(top) }
      guard !top.sawElse else { throw ShellError("cannot occur after \\else") }
      top.active = top.parentActive && !top.taken
      top.taken = true
      top.sawElse = true
    default:
      guard stack.popLast() != nil else { throw ShellError("no matching \\if") }
    }
  }
}
