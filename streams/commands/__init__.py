"""One module per `logwarden` subcommand (or subcommand group)."""
