"""One module per CLI subcommand; each defines `command` (a click.Command), listed in
`interlock.cli.COMMANDS`.

`interlock -h` imports every command module to show its help line, so a command imports the
model, the experiments, the reports and the figures inside its function, when it runs: those
imports carry `# lazy: startup time` (the package's API is lazy for the same reason). The
configuration, the errors and click are imported at the top.
"""
