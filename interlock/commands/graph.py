"""`interlock graph [--deals FILE] [--firms FILE] [--out DIR]`: the capital-interlock graph —
nodes, edges by type, the investment → revenue loops and each firm's circularity — printed, and
drawn to `interlock_graph.png`."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import Params
from ..errors import InputError

CYCLES_MAX = 1000                    # --max-cycles at most (loops listed on the terminal)


def check_finite(g, deals, circ, firms_file, deals_file) -> None:
    """Refuse a graph with an infinite number before drawing it (matplotlib hangs on one)."""
    import math

    from ..inputs.firms import default_firms_path  # lazy: startup time
    from ..model.interlock.deals import default_deals_path  # lazy: startup time

    for node, d in g.nodes(data=True):
        for key in ("value_bn", "revenue_bn"):
            v = d.get(key)
            if isinstance(v, float) and math.isinf(v):
                raise InputError(f"firm {node}: {key} is {v}", file=str(firms_file or default_firms_path()),
                                 key="market_cap_bn / valuation_bn" if key == "value_bn" else "revenue_bn",
                                 allowed="finite numbers")
    for row in deals.itertuples():
        if not math.isfinite(float(row.amount_bn)):
            raise InputError(f"deal {row.deal_id}: amount_bn is {row.amount_bn}",
                             file=str(deals_file or default_deals_path()), key="amount_bn", allowed="finite numbers")
    for name, c in circ.items():
        if not math.isfinite(c):
            raise InputError(f"the circularity of {name} is not a finite number ({c}): check its revenue and "
                             "deals", file=str(firms_file or default_firms_path()), allowed="finite numbers")


def _draw(g, circ: dict[str, float], path: Path) -> Path:
    """Firms on the network figures' layered layout (labs → clouds → neoclouds → chip vendors →
    other suppliers; `viz.network.layered_layout`, the same as network.png), one arrow per ordered
    pair in the direction money flows, coloured by deal type (viz.style), width by $bn/yr with a
    key; names under the nodes."""
    import numpy as np
    from matplotlib.lines import Line2D

    from ..model.interlock.deals import money_flow_graph  # lazy: startup time
    from ..viz.common import new_figure, save  # lazy: startup time
    from ..viz.network import edge_width, layered_layout, width_key  # lazy: startup time
    from ..viz.style import CHANNEL_COLORS  # lazy: startup time

    pos = layered_layout(g)
    d = money_flow_graph(g)
    fig = new_figure(14, 9)
    ax = fig.add_subplot(1, 1, 1)
    top = max((data["annual_bn"] for _, _, data in d.edges(data=True)), default=1.0) or 1.0
    from matplotlib.patches import FancyArrowPatch
    for u, v, data in d.edges(data=True):
        kind = "equity" if "equity" in data["types"] else "financing" if "financing" in data["types"] else "supply"
        ax.add_patch(FancyArrowPatch(pos[u], pos[v], arrowstyle="-|>", mutation_scale=10,
                                     connectionstyle="arc3,rad=0.12", color=CHANNEL_COLORS[kind], alpha=0.6,
                                     lw=edge_width(data["annual_bn"], top), zorder=2, shrinkA=12, shrinkB=12))
    names = list(d.nodes)
    area = np.array([250 + 1500 * np.sqrt(np.nan_to_num(g.nodes[n].get("value_bn", 0.0)) / 5000) for n in names])
    xy = np.array([pos[n] for n in names])
    sc = ax.scatter(xy[:, 0], xy[:, 1], s=area, c=[circ.get(n, 0.0) for n in names], cmap="YlOrRd", vmin=0.0,
                    vmax=max(0.05, max(circ.values(), default=0.0)), edgecolors="k", linewidths=0.6, zorder=3)
    for n, (x, y), r in zip(names, xy, np.sqrt(area / np.pi)):
        ax.annotate(n, (x, y), xytext=(0, -r - 1), textcoords="offset points", ha="center", va="top", fontsize=7,
                    fontweight="bold", zorder=4)
    fig.colorbar(sc, ax=ax, fraction=0.025, pad=0.01, label="circularity (share of revenue tracing back to "
                                                            "the firm's own investments)")
    handles = [Line2D([0], [0], color=c, lw=3, label=k) for k, c in CHANNEL_COLORS.items()] + width_key(top)
    ax.legend(handles=handles, title="money flows, \\$bn per year", loc="lower left", ncol=2, fontsize=7,
              title_fontsize=8, frameon=False)
    ax.set_xlim(-0.45, 3.45)
    ax.set_ylim(-1.15, 1.15)
    ax.set_title("The AI capital interlock: labs → clouds → neoclouds → chip vendors → other suppliers")
    ax.axis("off")
    fig.subplots_adjust(left=0.02, right=0.95, bottom=0.02, top=0.93)
    return save(fig, path, dpi=110)


@click.command("graph")
@click.option("--deals", "deals_file", type=click.Path(dir_okay=False), default=None,
              help="A deals CSV (default: the default snapshot's, interlock/data/snapshots/2025-11-21/deals.csv).")
@click.option("--firms", "firms_file", type=click.Path(dir_okay=False), default=None,
              help="A firms CSV (default: the default snapshot's, interlock/data/snapshots/2025-11-21/firms.csv).")
@click.option("--out", "out", type=click.Path(file_okay=False), default="runs/graph", show_default=True,
              help="Folder for interlock_graph.png (new, empty, or one interlock wrote).")
@click.option("--force", is_flag=True, help="Write into --out even if interlock did not make it "
                                            "(never your home folder, / or the working directory).")
@click.option("--max-cycles", type=click.IntRange(0, CYCLES_MAX), default=15, show_default=True,
              help=f"Loops to list (0..{CYCLES_MAX}).")
def command(deals_file, firms_file, out, force, max_cycles):
    """Print the interlock graph (nodes, edges by type, investment → revenue loops, circularity)
    and draw it to OUT/interlock_graph.png. Circularity here uses every deal at its average
    annual rate, as if all ran at once; `interlock run` reports it from the simulated flows."""
    import numpy as np

    from ..inputs.firms import load_firms  # lazy: startup time
    from ..model.interlock.deals import (build_graph, circularity, investment_cycles, load_deals,  # lazy: startup time
                                         resolve_schedules, static_flows)

    from ..experiments.outputs import check_output, output_folder  # lazy: startup time

    p = Params.defaults()
    firms = load_firms(firms_file)
    deals = load_deals(deals_file, firms, ramped=p["interlock.deals.ramped"],
                       share_settled=p["interlock.deals.share_settled"])
    deals = resolve_schedules(deals, firms, p["interlock.deals.run_rate_max_years"])
    g = build_graph(firms, deals)
    flows, supply, exo = static_flows(firms, deals, at=None)
    circ = circularity(flows, supply, exo)
    check_finite(g, deals, dict(zip(firms["firm"], np.asarray(circ, dtype=float))), firms_file, deals_file)
    check_output(out, ("figures",), force=force)             # inputs first, then where to write
    click.echo(f"nodes ({g.number_of_nodes()}):")
    for node, d in g.nodes(data=True):
        value = d["value_bn"]
        click.echo(f"  {node:<10} {d['kind']:<16} {'listed ' + d['ticker'] if d['listed'] else 'private':<13} "
                   f"revenue {d['revenue_bn']:>7.1f}bn  value {value:>7.0f}bn" if value == value else
                   f"  {node:<10} {d['kind']:<16} {'listed ' + d['ticker'] if d['listed'] else 'private':<13} "
                   f"revenue {d['revenue_bn']:>7.1f}bn")
    click.echo(f"edges ({g.number_of_edges()} deals):")
    for kind in ("supply", "equity", "financing"):
        rows = deals[deals["type"] == kind]
        click.echo(f"  {kind:<10} {len(rows):>3} deals  ${rows['amount_bn'].sum():>8,.1f}bn  "
                   f"(run-rate rows: {int((rows['schedule'] == 'run_rate').sum())}, ramped: "
                   f"{int((rows['schedule'] == 'ramp').sum())}, share-settled: {int((rows['settlement'] == 'shares').sum())})")
    cycles = investment_cycles(g)
    click.echo(f"investment → revenue loops: {len(cycles)} (up to 6 hops); shortest {min(max_cycles, len(cycles))}:")
    for cyc in cycles[:max_cycles]:
        click.echo("  " + " ".join(f"{u} -{t}->" for u, _, t in cyc) + f" {cyc[0][0]}")
    click.echo("circularity (share of revenue tracing back to the firm's own investments, all deals at their average annual rate):")
    for name, c in sorted(zip(firms["firm"], circ), key=lambda x: -x[1]):
        click.echo(f"  {name:<10} {c:6.1%}")
    with output_folder(out, "figures", force=force, command="interlock graph") as out_dir:
        path = _draw(g, dict(zip(firms["firm"], np.asarray(circ, dtype=float))), out_dir / "interlock_graph.png")
    click.echo(f"drawn: {path}")
