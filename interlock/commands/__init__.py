"""One module per CLI subcommand; each defines `command` (a click.Command)."""
