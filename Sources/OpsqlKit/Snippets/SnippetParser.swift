/// A malformed snippet file: where, and what is wrong.
public struct SnippetError: Error, Equatable, CustomStringConvertible {
  public var path: String
  public var line: Int
  public var message: String
  public var description: String { "\(path):\(line): \(message)" }
}

/// Reads the snippet format of SPEC §4: a header of `-- key: value` lines, then the body.
public enum SnippetParser {
  public static func parse(_ text: String, path: String) throws -> Snippet {
    var fields: [String: (value: String, line: Int)] = [:]
    var params: [SnippetParam] = []
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var lineNo = 0
    func fail(_ message: String, _ at: Int? = nil) -> SnippetError {
      SnippetError(path: path, line: at ?? lineNo, message: message)
    }
    let known: Set<String> = [
      "name", "summary", "targets", "danger", "param", "confirm", "preview", "refuse", "reveal",
    ]
    while let first = lines.first, first.trimmed.hasPrefix("--") {
      lines.removeFirst()
      lineNo += 1
      let content = first.trimmed.dropFirst(2).drop(while: { $0 == " " })
      guard let colon = content.firstIndex(of: ":"),
        content[..<colon].allSatisfy({ $0.isLetter || $0 == "_" }), !content[..<colon].isEmpty
      else { continue }  // an ordinary comment line
      let key = String(content[..<colon]).lowercased()
      let value = String(content[content.index(after: colon)...]).trimmed
      guard known.contains(key) else {
        throw fail(
          "unknown header key \"\(key)\"; expected one of \(known.sorted().joined(separator: ", "))"
        )
      }
      if key == "param" {
        params.append(try parseParam(value, fail: { fail($0) }))
        if params.dropLast().contains(where: { $0.name == params.last!.name }) {
          throw fail("param \(params.last!.name) is declared twice")
        }
        continue
      }
      if let earlier = fields[key] {
        throw fail("\(key) is given twice (first at line \(earlier.line))")
      }
      fields[key] = (value, lineNo)
    }
    let bodyStart = lineNo + 1
    let body = lines.joined(separator: "\n").trimmed(newlines: true)
    guard let name = fields["name"] else { throw fail("missing \"-- name:\" header", 1) }
    guard !name.value.isEmpty,
      name.value.allSatisfy({
        ($0.isLetter && $0.isASCII && $0.isLowercase) || $0.isNumber || $0 == "-"
      })
    else {
      throw fail(
        "name \"\(name.value)\" may hold lowercase letters, digits and '-' only", name.line)
    }
    guard let summary = fields["summary"], !summary.value.isEmpty else {
      throw fail("missing \"-- summary:\" header", 1)
    }
    guard let dangerField = fields["danger"] else { throw fail("missing \"-- danger:\" header", 1) }
    guard let danger = DangerClass(name: dangerField.value) else {
      throw fail(
        "danger must be read, write or destructive, not \"\(dangerField.value)\"", dangerField.line)
    }
    var targets: [TargetKind] = [.postgres]
    if let t = fields["targets"] {
      targets = []
      for word in t.value.split(separator: ",").map({ String($0).trimmed }) {
        guard let kind = TargetKind(rawValue: word) else {
          throw fail("unknown target kind \"\(word)\"; expected postgres, d1 or sqlite", t.line)
        }
        targets.append(kind)
      }
    }
    guard !body.isEmpty else { throw fail("the snippet has no body after its header", bodyStart) }
    let names = Set(params.map(\.name))
    if let confirm = fields["confirm"], !names.contains(confirm.value) {
      throw fail("confirm names \"\(confirm.value)\", which is not a param", confirm.line)
    }
    var reveal: [String] = []
    if let r = fields["reveal"] {
      reveal = r.value.split(separator: ",").map { String($0).trimmed }
      for name in reveal where params.first(where: { $0.name == name })?.type != .secret {
        throw fail("reveal names \"\(name)\", which is not a secret param", r.line)
      }
    }
    // Every :name in the body, preview and refuse must be a declared param.
    for (text, line) in [
      (body, bodyStart), (fields["preview"]?.value ?? "", fields["preview"]?.line ?? 0),
      (fields["refuse"]?.value ?? "", fields["refuse"]?.line ?? 0),
    ] {
      for variable in SnippetRenderer.variables(in: text)
      where !names.contains(variable.name) && !SnippetRenderer.builtins.contains(variable.name) {
        throw fail(":\(variable.name) is used but not declared with -- param:", line)
      }
    }
    for key in ["preview", "refuse"] {
      if let q = fields[key], StatementClassifier.classify(q.value).danger != .read {
        throw fail("\(key) must be a read-only query", q.line)
      }
    }
    return Snippet(
      name: name.value, summary: summary.value, targets: targets, danger: danger, params: params,
      confirm: fields["confirm"]?.value, preview: fields["preview"]?.value,
      refuse: fields["refuse"]?.value, reveal: reveal, body: body, path: path, source: text)
  }

  /// `NAME TYPE [= DEFAULT] DESCRIPTION`; a default with spaces is quoted: `= '5 minutes'`.
  static func parseParam(_ text: String, fail: (String) -> SnippetError) throws -> SnippetParam {
    var rest = Substring(text)
    func word() -> String {
      rest = rest.drop(while: { $0 == " " })
      let w = rest.prefix(while: { $0 != " " })
      rest = rest.dropFirst(w.count)
      return String(w)
    }
    let name = word()
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
      !(name.first?.isNumber ?? true)
    else {
      throw fail(
        "param needs a name of letters, digits and '_': \"param: NAME TYPE [= DEFAULT] DESCRIPTION\""
      )
    }
    let typeText = word()
    guard let type = ParamType(parsing: typeText) else {
      throw fail(
        "param \(name) has unknown type \"\(typeText)\"; expected int, text, ident, bool, interval, secret or enum(a|b)"
      )
    }
    var defaultValue: String?
    rest = rest.drop(while: { $0 == " " })
    if rest.hasPrefix("=") {
      rest = rest.dropFirst().drop(while: { $0 == " " })
      if rest.hasPrefix("'") {
        guard let close = rest.dropFirst().firstIndex(of: "'") else {
          throw fail("param \(name): unterminated quoted default")
        }
        defaultValue = String(rest[rest.index(after: rest.startIndex)..<close])
        rest = rest[rest.index(after: close)...]
      } else {
        defaultValue = word()
      }
      guard let d = defaultValue, type.normalize(d) != nil else {
        throw fail("param \(name): default \"\(defaultValue ?? "")\" is not a valid \(type.name)")
      }
    }
    return SnippetParam(
      name: name, type: type, defaultValue: defaultValue, description: String(rest).trimmed)
  }
}

extension String {
  /// Without leading and trailing whitespace, newlines included.
  func trimmed(newlines: Bool) -> String {
    var s = Substring(self)
    while let c = s.first, c.isWhitespace { s.removeFirst() }
    while let c = s.last, c.isWhitespace { s.removeLast() }
    return String(s)
  }
}

extension Substring {
  var trimmed: String { String(self).trimmed }
}
