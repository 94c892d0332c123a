"""The `interlock` command line. Subcommands live one per module in `interlock/commands/`, each
exposing a click command named `command`, listed in `COMMANDS`; a command's module is imported
only when it runs (or when help lists it), so `interlock -h` starts fast. This file only
assembles them and turns bad input into one clear message and exit code 2.

Click is used because it is the most widely used, well-kept CLI library for Python, gives exit
code 2 for usage errors by convention, and composes subcommands from separate modules.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from ._version import __version__
from .errors import InputError

# command name → module in interlock.commands
COMMANDS: dict[str, str] = {
    "run": "run", "scenarios": "scenarios", "params": "params", "graph": "graph", "sweep": "sweep",
    "sensitivity": "sensitivity", "sweep-plot": "sweep_plot", "stress": "stress", "plot": "plot",
    "app": "app", "validate": "validate", "calibrate": "calibrate",
}


class _Group(click.Group):
    def list_commands(self, ctx) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return importlib.import_module(f"interlock.commands.{COMMANDS[name]}").command

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(InputError.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="interlock")
@click.option("-v", "--verbose", is_flag=True, help="Log warnings and progress details.")
def cli(verbose: bool) -> None:
    """interlock: agent-based simulation of capital flows (AI capex, systematic funds, buybacks,
    crypto, the Fed). Run `interlock COMMAND -h` for help on a command."""
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR,
                        format="%(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="interlock")


if __name__ == "__main__":
    main()
