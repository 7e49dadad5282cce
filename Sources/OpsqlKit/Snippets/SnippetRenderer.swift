/// A snippet with its arguments checked and bound: every declared param has a value.
public struct SnippetCall: Sendable {
  public var snippet: Snippet
  public var values: [String: String]
  /// Secret params whose value opsql generated.
  public var generated: Set<String>
  /// psql's variables of the session: DBNAME, USER, HOST, PORT.
  public var builtins: [String: String] = [:]

  /// The value the user must type to confirm on production, when the snippet names one.
  public var confirmValue: String? { snippet.confirm.flatMap { values[$0] } }

  var secretNames: Set<String> { Set(snippet.params.filter { $0.type == .secret }.map(\.name)) }
}

/// Binds arguments to a snippet's params and renders its SQL so that no value is ever pasted
/// unquoted: `:name` becomes a bind parameter where the statement allows one (and a typed
/// literal elsewhere), `:'name'` a quoted literal, `:"name"` a quoted identifier. Pure: the
/// quoting functions and the secret generator are passed in.
public enum SnippetRenderer {
  /// psql's session variables a snippet may use besides its params.
  public static let builtins: Set<String> = ["DBNAME", "USER", "HOST", "PORT"]

  public enum Form: Equatable, Sendable {
    case plain
    case literal
    case identifier
  }

  public struct Variable: Equatable, Sendable {
    public var name: String
    public var form: Form
    public var start: Int
    public var end: Int
  }

  /// psql's variable forms in `text` (outside quotes and comments).
  public static func variables(in text: String) -> [Variable] {
    let bytes = Array(text.utf8)
    return SQLLexer.tokenize(bytes, startingIn: .normal).tokens.compactMap { token in
      guard token.kind == .variable else { return nil }
      var inner = bytes[(token.start + 1)..<token.end]
      var form = Form.plain
      if inner.first == UInt8(ascii: "'") {
        form = .literal
        inner = inner.dropFirst().dropLast()
      } else if inner.first == UInt8(ascii: "\"") {
        form = .identifier
        inner = inner.dropFirst().dropLast()
      }
      return Variable(
        name: String(decoding: inner, as: UTF8.self), form: form, start: token.start, end: token.end
      )
    }
  }

  /// Checks `arguments` (positional in declared order, or `name=value`) against the params.
  /// A value given as `?` is a hole to fill at run time (a runbook's, or a recorded secret's):
  /// `ask` supplies it (from `--set`, or typed on the terminal) or returns nil. A secret not
  /// given at all is generated.
  public static func bind(
    _ snippet: Snippet, arguments: [String], generateSecret: () -> String,
    ask: (SnippetParam) -> String?
  ) throws -> SnippetCall {
    var values: [String: String] = [:]
    var positional: [String] = []
    for arg in arguments {
      if let eq = arg.firstIndex(of: "="), snippet.param(named: String(arg[..<eq])) != nil {
        let name = String(arg[..<eq])
        guard values[name] == nil else { throw ShellError("param \(name) is given twice") }
        values[name] = String(arg[arg.index(after: eq)...])
      } else {
        positional.append(arg)
      }
    }
    var free = snippet.params.filter { values[$0.name] == nil }[...]
    for value in positional {
      guard let param = free.popFirst() else {
        throw ShellError(
          "\(snippet.name) takes \(snippet.params.count) param(s) (\(snippet.params.map(\.name).joined(separator: ", "))); \"\(value)\" is one too many"
        )
      }
      values[param.name] = value
    }
    var generated: Set<String> = []
    for param in snippet.params {
      if values[param.name] == "?" {
        guard let typed = ask(param), !typed.isEmpty else {
          throw ShellError(
            "\(snippet.name) needs a value for \(param.name) (\(param.description)): type it on a terminal, or give --set \(param.name)=VALUE to opsql replay"
          )
        }
        values[param.name] = typed
      }
      guard let raw = values[param.name] ?? param.defaultValue else {
        if param.type == .secret {
          values[param.name] = generateSecret()
          generated.insert(param.name)
          continue
        }
        throw ShellError(
          "missing param \(param.name) (\(param.type.name)): \(param.description)")
      }
      guard let value = param.type.normalize(raw) else {
        let shown =
          param.type == .secret ? "" : " \"\(raw.count > 40 ? String(raw.prefix(40)) + "…" : raw)\""
        let nul = raw.utf8.contains(0) ? " (it holds a NUL byte)" : ""
        throw ShellError(
          "param \(param.name) must be \(article(param.type)) \(param.type.name), got\(shown)\(nul)"
        )
      }
      values[param.name] = value
    }
    return SnippetCall(snippet: snippet, values: values, generated: generated)
  }

  static func article(_ type: ParamType) -> String {
    switch type {
    case .int, .interval, .ident: return "an"
    case .choice: return "one of"
    default: return "a"
    }
  }

  /// Statements that accept bind parameters in the extended protocol.
  static let bindable: Set<String> = [
    "select", "with", "insert", "update", "delete", "values", "table", "merge",
  ]

  /// The snippet's body as statements ready for the executor.
  public static func statements(
    _ call: SnippetCall, quoteLiteral: (String) -> String, quoteIdentifier: (String) -> String,
    placeholders: PlaceholderStyle = .dollar
  ) -> [PreparedStatement] {
    var splitter = StatementSplitter()
    var texts: [String] = []
    for line in call.snippet.body.split(separator: "\n", omittingEmptySubsequences: false) {
      for case .statement(let s) in splitter.feed(String(line)) { texts.append(s) }
    }
    if case .statement(let s)? = splitter.finish() { texts.append(s) }
    return texts.map {
      render(
        $0, call, quoteLiteral: quoteLiteral, quoteIdentifier: quoteIdentifier,
        placeholders: placeholders)
    }
  }

  /// One statement with its variables replaced; `display` masks secrets and shows bound values
  /// inline, for the guard's question, the audit and recordings.
  public static func render(
    _ text: String, _ call: SnippetCall, quoteLiteral: (String) -> String,
    quoteIdentifier: (String) -> String, placeholders: PlaceholderStyle = .dollar
  ) -> PreparedStatement {
    let bytes = Array(text.utf8)
    let binds = bindable.contains(SQLLexer.leadingWords(text).first?.lowercased() ?? "")
    let secrets = call.secretNames
    var sql = ""
    var display = ""
    var params: [String] = []
    var numbers: [String: Int] = [:]
    var copied = 0
    for v in variables(in: text) {
      let before = String(decoding: bytes[copied..<v.start], as: UTF8.self)
      sql += before
      display += before
      copied = v.end
      let value = call.values[v.name] ?? call.builtins[v.name] ?? ""
      let type = call.snippet.param(named: v.name)?.type ?? .text
      let secret = secrets.contains(v.name)
      switch v.form {
      case .identifier:
        sql += quoteIdentifier(value)
        display += secret ? "\"***\"" : quoteIdentifier(value)
      case .literal:
        sql += quoteLiteral(value)
        display += secret ? SecretRedactor.mask : quoteLiteral(value)
      case .plain:
        let inline = (type == .int || type == .bool) ? value : quoteLiteral(value)
        if binds {
          let n =
            numbers[v.name]
            ?? {
              params.append(value)
              numbers[v.name] = params.count
              return params.count
            }()
          sql += "$\(n)"
        } else {
          sql += inline
        }
        display += secret ? SecretRedactor.mask : inline
      }
    }
    let rest = String(decoding: bytes[copied...], as: UTF8.self)
    sql += rest
    display += rest
    return PreparedStatement(
      sql: sql, params: params, display: display,
      classification: StatementClassifier.classify(display))
  }
}
