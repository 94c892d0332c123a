"""`interlock validate`: the model beside the real world (MODEL.md §6) in one report."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("validate")
@click.option("--out", "out", type=click.Path(file_okay=False), default="validation",
              show_default=True, help="Folder for report.md, its figures and checks.json.")
@click.option("--quick", is_flag=True, help="Small sizes (a few minutes; what `make test` runs).")
@click.option("--force", is_flag=True, help="Write into --out even if it is not an earlier report's folder "
                                            "(never your home folder, / or the working directory).")
def command(out, quick, force):
    """Write OUT/report.md: stylized facts vs the S&P 500, the flow multiplier, loop signs and the
    ablation table, the leverage cycle, episode replays beside history, determinism and
    conservation. Exits 1 if a check the report calls "must hold" fails."""
    from ..experiments.outputs import output_folder  # lazy: startup time
    from ..reports.validation import build_report  # lazy: startup time

    def progress(name, seconds):
        click.echo(f"  {name.replace('section_', ''):<16} {seconds:6.1f} s", err=True)

    with output_folder(out, "validation", accept=("figures",), force=force, command="interlock validate"):
        rep = build_report(Path(out), quick=quick, progress=progress)
    must = [c for c in rep.checks if c.must_hold]
    click.echo(f"validation report: {Path(out) / 'report.md'} ({rep.seconds:.0f} s)")
    click.echo(f"must-hold checks: {sum(c.ok for c in must)}/{len(must)} pass")
    for c in rep.failed:
        click.echo(f"  FAILED: {c.name} — {c.detail}")
    if rep.failed:
        sys.exit(1)
