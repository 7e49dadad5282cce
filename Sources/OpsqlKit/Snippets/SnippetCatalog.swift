import Glibc

/// The snippets in force: the built-in catalogue (the repository's `snippets/`), then
/// `$XDG_CONFIG_HOME/opsql/snippets/`, then `./snippets/`; a later one with the same name wins.
/// A malformed file is reported with file and line and skipped; the rest still load.
public struct SnippetCatalog: Sendable {
  public private(set) var snippets: [String: Snippet] = [:]
  /// Problems found while loading, one line each.
  public private(set) var problems: [SnippetError] = []
  /// Where each name was also defined before the one in force (for `\n+`).
  public private(set) var overridden: [String: [String]] = [:]

  public init() {}

  /// Loads the standard directories.
  public static func standard() -> SnippetCatalog {
    var catalog = SnippetCatalog()
    var seen: [String] = []
    for dir in standardDirectories() {
      let real = realPath(dir)
      guard !seen.contains(real) else { continue }
      seen.append(real)
      catalog.load(directory: dir)
    }
    return catalog
  }

  /// The directories, in load order, that exist.
  public static func standardDirectories() -> [String] {
    var dirs: [String] = []
    if let builtIn = builtInDirectory() { dirs.append(builtIn) }
    if let xdg = getenv("XDG_CONFIG_HOME").map({ String(cString: $0) }), !xdg.isEmpty {
      dirs.append(xdg + "/opsql/snippets")
    } else if let home = getenv("HOME").map({ String(cString: $0) }) {
      dirs.append(home + "/.config/opsql/snippets")
    }
    dirs.append("./snippets")
    return dirs.filter { isDirectory($0) }
  }

  /// The repository's `snippets/` found from the executable: beside it as installed
  /// (`…/share/opsql/snippets`) or up the source tree (`.build/<triple>/debug/opsql`);
  /// `OPSQL_BUILTIN_SNIPPETS` overrides.
  public static func builtInDirectory() -> String? {
    if let env = getenv("OPSQL_BUILTIN_SNIPPETS").map({ String(cString: $0) }), !env.isEmpty {
      return env
    }
    var dir = directoryName(realPath("/proc/self/exe"))
    for _ in 0..<6 {
      for candidate in [dir + "/snippets", dir + "/share/opsql/snippets"]
      where isDirectory(candidate + "/postgres") {
        return candidate
      }
      dir = directoryName(dir)
      if dir == "/" { break }
    }
    return nil
  }

  /// Loads every `.sql` file of `directory` and of its subdirectories (one level).
  public mutating func load(directory: String) {
    var files: [String] = []
    for entry in listDirectory(directory) {
      let path = directory + "/" + entry
      if entry.hasSuffix(".sql") {
        files.append(path)
      } else if isDirectory(path) {
        files += listDirectory(path).filter { $0.hasSuffix(".sql") }.map { path + "/" + $0 }
      }
    }
    for path in files.sorted() {
      guard let text = readTextFile(path) else {
        problems.append(
          SnippetError(path: path, line: 0, message: String(cString: strerror(errno))))
        continue
      }
      add(text: text, path: path)
    }
  }

  /// Adds one file's snippet, or records why it could not be read.
  public mutating func add(text: String, path: String) {
    do {
      let snippet = try SnippetParser.parse(text, path: path)
      if let earlier = snippets[snippet.name] {
        overridden[snippet.name, default: []].append(earlier.path)
      }
      snippets[snippet.name] = snippet
    } catch let error as SnippetError {
      problems.append(error)
    } catch {}
  }

  public subscript(name: String) -> Snippet? { snippets[name] }

  /// The catalogue as `\n` lists it: grouped by target kind, one line each.
  public func listing() -> String {
    var text = ""
    for kind in TargetKind.allCases {
      let group = snippets.values.filter { $0.targets.contains(kind) }.sorted { $0.name < $1.name }
      guard !group.isEmpty else { continue }
      text += kind.rawValue + "\n"
      let width = max(group.map(\.name.count).max() ?? 0, 4)
      for s in group {
        text +=
          "  " + s.name + String(repeating: " ", count: width - s.name.count + 2)
          + s.danger.name + String(repeating: " ", count: 13 - s.danger.name.count) + s.summary
          + "\n"
      }
    }
    return text.isEmpty ? "No snippets found.\n" : text
  }

  /// `\n+ NAME`: where it comes from (and what it overrides), then the file.
  public func describe(_ name: String) -> String? {
    guard let s = snippets[name] else { return nil }
    var text = "-- from \(s.path)\n"
    for earlier in overridden[name] ?? [] { text += "-- overrides \(earlier)\n" }
    return text + s.source + (s.source.hasSuffix("\n") ? "" : "\n")
  }

  /// A typed `\n NAME ARGS` line with the values of secret params masked, for history (`***`)
  /// or recordings (`?`, which a replay asks for).
  public func redactCall(_ line: String, mask: String = "***") -> String {
    let parsed = MetaCommandLine(parsing: line)
    guard parsed.name == "n", let name = parsed.arguments.first, let s = snippets[name] else {
      return line
    }
    let secrets = s.params.filter { $0.type == .secret }.map(\.name)
    guard !secrets.isEmpty else { return line }
    var args = Array(parsed.arguments.dropFirst())
    var position = 0
    var free = s.params.map(\.name)
    for arg in args {
      if let eq = arg.firstIndex(of: "="), s.param(named: String(arg[..<eq])) != nil {
        free.removeAll { $0 == String(arg[..<eq]) }
      }
    }
    for (k, arg) in args.enumerated() {
      if let eq = arg.firstIndex(of: "="), s.param(named: String(arg[..<eq])) != nil {
        if secrets.contains(String(arg[..<eq])) { args[k] = String(arg[...eq]) + mask }
      } else {
        if position < free.count && secrets.contains(free[position]) { args[k] = mask }
        position += 1
      }
    }
    return "\\n " + ([name] + args).joined(separator: " ")
  }
}

func isDirectory(_ path: String) -> Bool {
  var st = stat()
  return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}

func listDirectory(_ path: String) -> [String] {
  guard let dir = opendir(path) else { return [] }
  defer { closedir(dir) }
  var names: [String] = []
  while let entry = readdir(dir) {
    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
      String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
    }
    if name != "." && name != ".." { names.append(name) }
  }
  return names
}

func realPath(_ path: String) -> String {
  guard let p = realpath(path, nil) else { return path }
  defer { free(p) }
  return String(cString: p)
}

func directoryName(_ path: String) -> String {
  guard let slash = path.lastIndex(of: "/") else { return "." }
  return slash == path.startIndex ? "/" : String(path[..<slash])
}
