"""The `interlock` command line. Subcommands live one per module in `interlock/commands/`, each
exposing a click command named `command`, listed in `COMMANDS`; a command's module is imported
only when it runs (or when help lists it), so `interlock -h` starts fast. This file only
assembles them and turns bad input into one clear message and exit code 2.

Click is used because it is the most widely used, well-kept CLI library for Python, gives exit
code 2 for usage errors by convention, and composes subcommands from separate modules.
"""

from __future__ import annotations

import atexit
import gc
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
    "app": "app", "validate": "validate", "calibrate": "calibrate", "compare": "compare",
}


class _Group(click.Group):
    def list_commands(self, ctx) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return importlib.import_module(f"interlock.commands.{COMMANDS[name]}").command

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Every error the user can cause ends in one line on stderr: bad input (an InputError or a
        usage error of click) exits 2, Ctrl-C exits 130, a file that cannot be written (a full
        disk, a read-only folder) exits 1; outputs are left as they were (they are written
        atomically). `-v` shows the traceback of an unexpected OSError."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except InputError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(InputError.exit_code)
        except click.exceptions.NoArgsIsHelpError as e:
            click.echo(e.format_message(), err=True)           # `interlock` alone: the help
            sys.exit(e.exit_code)
        except click.ClickException as e:
            hint = f" (`{e.ctx.command_path} -h` for help)" if getattr(e, "ctx", None) is not None else ""
            click.echo(f"error: {e.format_message()}{hint}", err=True)
            sys.exit(e.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo("interrupted: nothing was left half-written", err=True)
            sys.exit(130)
        except OSError as e:
            if logging.getLogger("interlock").isEnabledFor(logging.INFO):
                raise
            where = f"{e.filename}: " if e.filename else ""
            click.echo(f"error: {where}{e.strerror or e} (outputs are left as they were)", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="interlock")
@click.option("-v", "--verbose", is_flag=True, help="Log warnings and progress details.")
def cli(verbose: bool) -> None:
    """interlock: agent-based simulation of capital flows (AI capex, systematic funds, buybacks,
    crypto, the Fed). Run `interlock COMMAND -h` for help on a command."""
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR,
                        format="%(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> None:
    # The process ends when the command does: what is alive then is frozen (out of the collector's
    # reach) before the interpreter's exit collections, which would walk every object the imports
    # made (≈ 0.3 s of `interlock run`'s CPU, issue #15) only to free memory the OS takes back anyway.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    cli.main(args=argv, prog_name="interlock")


if __name__ == "__main__":
    main()
