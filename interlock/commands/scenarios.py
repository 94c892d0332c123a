"""`interlock scenarios`: list the shipped scenarios (or show one)."""

from __future__ import annotations

import textwrap

import click


def _bounds(field) -> str:
    lo = hi = None
    for m in field.metadata:
        for attr, side in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            v = getattr(m, attr, None)
            if v is not None:
                if side in "≥>":
                    lo = f"{side} {v:g}" if isinstance(v, (int, float)) else f"{side} {v}"
                else:
                    hi = f"{side} {v:g}" if isinstance(v, (int, float)) else f"{side} {v}"
    return ", ".join(b for b in (lo, hi) if b)


def shock_reference() -> str:
    """Every shock type a scenario's [[shocks]] can name: its parameters (default, bounds) and what
    it does — read from the shock table itself, so it cannot drift from the code."""
    from ..model.shocks import SHOCK_TYPES  # lazy: startup time

    w = lambda t: textwrap.fill(" ".join(t.split()), 96, initial_indent="    ", subsequent_indent="    ")  # noqa: E731
    lines = ["Every [[shocks]] entry has `at` (trading day ≥ 1), `type` and optional `duration` (days, default 1).", ""]
    for name, cls in SHOCK_TYPES.items():
        params = []
        for fname, f in cls.model_fields.items():
            if fname in ("at", "duration"):
                continue
            value = None if f.is_required() else f.get_default(call_default_factory=True)
            default = "required" if f.is_required() else "optional" if value is None else f"default {value!r}"
            bounds = _bounds(f)
            params.append(f"{fname} ({default}{'; ' + bounds if bounds else ''})")
        lines.append(f"  {name}: " + (", ".join(params) if params else "no parameters"))
        lines.append(w(cls.summary))
    return "\n".join(lines)


@click.command("scenarios")
@click.argument("name", required=False)
@click.option("--shocks", "show_shocks", is_flag=True,
              help="List every shock type a scenario can use, with its parameters, and exit.")
def command(name, show_shocks):
    """List shipped scenarios, one line each; with NAME, show its narrative, source and shocks."""
    from ..experiments.scenarios import list_scenarios, load_scenario  # lazy: startup time

    if show_shocks:
        click.echo(shock_reference())
        return
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
    for ref in sc.source.references:
        click.echo(textwrap.fill(" ".join(ref.split()), 96, initial_indent="  - ", subsequent_indent="    "))
    click.echo(f"RUN: {sc.run.days} days, seed {sc.run.seed}; overrides: {'none' if not sc.overrides else ''}")
    for key, value in sc.overrides.items():
        click.echo(f"  {key} = {value!r}")
    click.echo("  (the start date's snapshot sets the market's starting figures too: `interlock params` says which)")
    for s in sc.shocks:
        click.echo(f"  day {s.at:>4} +{s.duration}d  {s.type_name}: {s.describe()}")
