/// An open connection to a target, as the shell keeps it.
public final class Session {
  /// The target, with the name shown in the prompt.
  public let target: Target
  public let driver: PostgresDriver

  public init(target: Target, driver: PostgresDriver) {
    self.target = target
    self.driver = driver
  }

  public var name: String { target.name }

  /// For the audit: the backend pid and where the server is.
  public var serverIdentity: String {
    let address = driver.hostAddress ?? driver.host
    return "pid \(driver.backendPID) at \(address):\(driver.port)"
  }

  /// psql's `\conninfo` sentence.
  public var connectionDescription: String {
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
