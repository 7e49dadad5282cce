import Glibc
import OpsqlKit

exit(Opsql.main(Array(CommandLine.arguments.dropFirst())))
