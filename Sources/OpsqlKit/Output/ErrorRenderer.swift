/// Renders errors and notices as psql prints them (severity, message, the `LINE n:` excerpt with
/// a caret under the position, DETAIL, HINT, CONTEXT), with the SQLSTATE after the severity as
/// psql's verbose form shows it.
public enum ErrorRenderer {
  /// `asNotice` drops the SQLSTATE and CONTEXT, as psql shows notices (SHOW_CONTEXT=errors).
  public static func render(_ error: DatabaseError, asNotice: Bool = false) -> String {
    var text = error.severity + ":  "
    if !asNotice, let code = error.code, !code.isEmpty { text += code + ": " }
    text += error.message + "\n"
    if let position = error.position, let statement = error.statement {
      text += excerpt(statement, position: position)
    }
    if let detail = error.detail { text += "DETAIL:  \(detail)\n" }
    if let hint = error.hint { text += "HINT:  \(hint)\n" }
    if !asNotice, let context = error.context { text += "CONTEXT:  \(context)\n" }
    return text
  }

  /// libpq's reportErrorPosition: the line holding the 1-based character `position`, cut to about
  /// 60 columns around it with `...`, and a caret under the character.
  static func excerpt(_ statement: String, position: Int) -> String {
    let displaySize = 60
    let minRightCut = 10
    let chars = Array(statement.unicodeScalars)
    guard position >= 1, position <= chars.count + 1 else { return "" }
    let loc = position - 1
    var lineNo = 1
    var lineStart = 0
    for k in 0..<min(loc, chars.count) where chars[k] == "\n" {
      lineNo += 1
      lineStart = k + 1
    }
    var lineEnd = lineStart
    while lineEnd < chars.count && chars[lineEnd] != "\n" && chars[lineEnd] != "\r" { lineEnd += 1 }
    let line = Array(chars[lineStart..<lineEnd]).map { $0 == "\t" ? " " : $0 }
    // Screen offset before each character of the line.
    var offsets = [0]
    for s in line { offsets.append(offsets.last! + max(DisplayText.scalarWidth(s), 0)) }
    var begin = 0
    var end = line.count
    let caret = min(loc - lineStart, line.count)
    var cutLeft = false
    var cutRight = false
    if offsets[end] - offsets[begin] > displaySize {
      if offsets[begin] + displaySize >= offsets[caret] + minRightCut {
        while offsets[end] - offsets[begin] > displaySize { end -= 1 }
        cutRight = true
      } else {
        while offsets[caret] + minRightCut < offsets[end] {
          end -= 1
          cutRight = true
        }
        while offsets[end] - offsets[begin] > displaySize {
          begin += 1
          cutLeft = true
        }
      }
    }
    var scalars = String.UnicodeScalarView()
    scalars.append(contentsOf: line[begin..<end])
    let prefix = "LINE \(lineNo): "
    var text = prefix + (cutLeft ? "..." : "") + String(scalars) + (cutRight ? "..." : "") + "\n"
    let indent = prefix.count + (cutLeft ? 3 : 0) + offsets[caret] - offsets[begin]
    text += String(repeating: " ", count: indent) + "^\n"
    return text
  }
}
