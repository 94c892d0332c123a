"""No overprinted labels (issue #15): on every kind of run figure — dashboard, cascade (all assets
and one), Sankey (all assets and one), network snapshot, fan chart — for vol_shock,
deepseek_efficiency and crypto_trust_crisis, no two texts (titles, tick and axis labels,
annotations, node labels, legend entries) and no text and legend frame overlap. Short runs past
each scenario's first shock, shared by all the tests of this module."""

from __future__ import annotations

import matplotlib.figure
import pytest

from interlock.viz.cascade import cascade
from interlock.viz.dashboard import dashboard
from interlock.viz.fan import fan
from interlock.viz.network import network_snapshot
from interlock.viz.overlap import overlaps
from interlock.viz.sankey import sankey

# (scenario, days): a few weeks past the first shock (vol_shock and crypto_trust_crisis: day 20;
# deepseek_efficiency: day 5)
SCENARIOS = {"vol_shock": 30, "deepseek_efficiency": 15, "crypto_trust_crisis": 30}
KINDS = {
    "dashboard": lambda r, p: dashboard(r, p),
    "cascade": lambda r, p: cascade(r, p),
    "cascade_BTC": lambda r, p: cascade(r, p, asset="BTC"),
    "sankey": lambda r, p: sankey(r, p),
    "sankey_NVDA": lambda r, p: sankey(r, p, asset="NVDA"),
    "network": lambda r, p: network_snapshot(r, p),
}


@pytest.fixture
def drawn_figures(monkeypatch):
    """Every Figure saved while the test runs, in order."""
    figs = []
    real = matplotlib.figure.Figure.savefig

    def savefig(self, *a, **k):
        out = real(self, *a, **k)
        figs.append(self)
        return out
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)
    return figs


def test_the_checker_finds_an_overprinted_label(tmp_path, drawn_figures):
    from interlock.viz.common import new_figure, save
    fig = new_figure(4, 3)
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, "first label")
    ax.text(0.52, 0.5, "second label")
    save(fig, tmp_path / "x.png")
    assert overlaps(fig) == [("first label", "second label")]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_no_figure_overprints_a_label(scenario, run_cached, tmp_path, drawn_figures):
    result = run_cached(scenario, SCENARIOS[scenario], 1)
    bad = {}
    for kind, draw in KINDS.items():
        drawn_figures.clear()
        draw(result, tmp_path / f"{kind}.png")
        found = overlaps(drawn_figures[-1])
        if found:
            bad[kind] = found[:5]
    assert not bad, bad


def test_the_fan_chart_of_the_three_scenarios_overprints_no_label(run_cached, tmp_path, drawn_figures):
    from interlock.reports.run import write_run
    for scenario, days in SCENARIOS.items():
        for seed in (1, 2):
            write_run(run_cached(scenario, days, seed), tmp_path / "runs" / f"{scenario}-{seed}", figures=False)
    fan(tmp_path / "runs", tmp_path / "fan.png")
    assert overlaps(drawn_figures[-1]) == []
