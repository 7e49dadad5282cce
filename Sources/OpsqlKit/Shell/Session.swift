/// An open connection to a target, as the shell keeps it.
public final class Session {
  /// The target, with the name shown in the prompt.
  public let target: Target
  public let driver: any Driver

  public init(target: Target, driver: any Driver) {
    self.target = target
    self.driver = driver
  }

  public var name: String { target.name }

  /// For the audit: which server process or database answered.
  public var serverIdentity: String { driver.serverIdentity }

  /// psql's `\conninfo` sentence.
  public var connectionDescription: String {
    guard let driver = driver as? PostgresDriver else {
      return
        "You are connected to \(target.kind.rawValue) target \"\(name)\" (\(driver.serverIdentity))."
    }
    var text = "You are connected to database \"\(driver.database)\" as user \"\(driver.user)\""
    let host = driver.host
    if host.hasPrefix("/") {
      text += " via socket in \"\(host)\""
    } else {
      text += " on host \"\(host)\""
      if let address = driver.hostAddress, address != host { text += " (address \"\(address)\")" }
    }
    text += " at port \"\(driver.port)\"."
    if driver.sslInUse { text += "\nSSL connection is in use." }
    return text
  }
}
