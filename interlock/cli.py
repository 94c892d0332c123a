"""The `interlock` command line. Subcommands live one per module in `interlock/commands/`, each
exposing a click command named `command`; this file only assembles them and turns bad input
into one clear message and exit code 2.

Click is used because it is the most widely used, well-kept CLI library for Python, gives exit
code 2 for usage errors by convention, and composes subcommands from separate modules.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys

import click

from . import __version__
from .errors import InputError


class _Group(click.Group):
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


def _register() -> None:
    import interlock.commands as pkg
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"interlock.commands.{info.name}")
        cmd = getattr(mod, "command", None)
        if isinstance(cmd, click.Command):
            cli.add_command(cmd)


_register()


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="interlock")


if __name__ == "__main__":
    main()
