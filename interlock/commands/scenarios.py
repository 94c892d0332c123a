"""`interlock scenarios`: list the shipped scenarios (or show one)."""

from __future__ import annotations

import textwrap

import click


@click.command("scenarios")
@click.argument("name", required=False)
def command(name):
    """List shipped scenarios, one line each; with NAME, show its narrative, source and shocks."""
    from ..experiments.scenarios import list_scenarios, load_scenario  # lazy: startup time

    if name is None:
        for sc in list_scenarios():
            click.echo(f"{sc.name:<24} {sc.title}")
        return
    sc = load_scenario(name)
    w = lambda t: textwrap.fill(" ".join(t.split()), 96, initial_indent="  ", subsequent_indent="  ")  # noqa: E731
    click.echo(f"{sc.name}: {sc.title}\n")
    click.echo("WHAT IS IT\n" + w(sc.narrative.what))
    if sc.narrative.how:
        click.echo("HOW IT WORKS\n" + w(sc.narrative.how))
    click.echo("WHAT TO LOOK AT\n" + w(sc.narrative.look_at))
    if sc.narrative.try_next:
        click.echo("THINGS TO TRY\n" + w(sc.narrative.try_next))
    click.echo(f"SOURCE: seeds/{sc.source.note} {sc.source.passage_id}\n" + w(sc.source.passage))
    if sc.source.translation:
        click.echo(w(sc.source.translation))
    click.echo(f"RUN: {sc.run.days} days, seed {sc.run.seed}; overrides: {sc.overrides or 'none'}")
    for s in sc.shocks:
        click.echo(f"  day {s.at:>4} +{s.duration}d  {s.type_name}: {s.describe()}")
