"""The interlock scenarios (issue #3): each carries its narrative, an exact seed passage and
references; DeepSeek efficiency hits chip vendors and neoclouds much harder than hyperscalers and
the index much less than chip vendors; the application boom raises utilisation and capex and the
capex bust lowers both; the energy cap strands capacity; the compute glut (seeds/003's 27% utilisation)
cuts capex from its level while the capacity pipeline still pushes utilisation down. Parameters carry
units, bounds, sources and dates."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import pytest

from interlock.config import param_specs
from interlock.experiments.runner import run
from interlock.experiments.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SEED_PASSAGES = (ROOT / "docs" / "seed_passages.md").read_text(encoding="utf-8")
SCENARIOS = ["deepseek_efficiency", "ai_capex_bust", "ai_application_boom", "ai_divergence", "compute_glut",
             "energy_bottleneck"]
CHIPS, NEOCLOUDS, HYPERSCALERS = ["NVDA", "AVGO", "AMD"], ["CRWV", "NBIS"], ["MSFT", "GOOGL", "AMZN", "META"]


@functools.lru_cache(maxsize=32)
def _run(name: str, days: int | None = None, seed: int = 1):
    return run(name, days=days, seed=seed, amplification=False)


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_scenario_has_a_narrative_an_exact_seed_passage_and_references(name):
    sc = load_scenario(name)
    n = sc.narrative
    assert n.what and n.how and n.look_at and n.try_next
    assert f"**`{sc.source.passage_id}`**" in SEED_PASSAGES and sc.source.passage_id.startswith(sc.source.note + ".")
    for line in sc.source.passage.splitlines():             # every line quoted verbatim from the notes
        assert f"> {line}" in SEED_PASSAGES
    assert sc.source.translation and sc.source.references
    assert sc.shocks or sc.overrides


def _relative_move(name: str, days: int, seed: int) -> dict[str, float]:
    a, b = _run("baseline", days, seed), _run(name, days, seed)
    return {t: float(np.log(b.timeseries[t].iloc[-1] / a.timeseries[t].iloc[-1])) for t in CHIPS + NEOCLOUDS + HYPERSCALERS + ["SPX"]}


@pytest.mark.parametrize("seed", [1, 2])
def test_deepseek_hits_chip_vendors_and_neoclouds_far_harder_than_hyperscalers_and_spx_far_less_than_chips(seed):
    r = _relative_move("deepseek_efficiency", 25, seed)     # three weeks after the day-5 shock
    print({k: round(v, 3) for k, v in r.items()})
    chips = np.mean([r[t] for t in CHIPS])
    neo = np.mean([r[t] for t in NEOCLOUDS])
    hyper = np.mean([r[t] for t in HYPERSCALERS])
    assert chips < 2 * hyper - 0.05 and neo < 2 * hyper - 0.05
    assert max(r[t] for t in CHIPS + NEOCLOUDS) < min(r[t] for t in HYPERSCALERS)
    assert r["NVDA"] < -0.10                                  # 27 Jan 2025: NVIDIA −17%
    assert chips < r["SPX"] < 0 and abs(r["SPX"]) < 0.35 * abs(r["NVDA"])


def test_the_application_boom_raises_utilisation_and_capex_and_the_capex_bust_lowers_both():
    base, boom, bust = _run("baseline", 252), _run("ai_application_boom"), _run("ai_capex_bust")
    late = slice(126, 253)
    for col in ("utilisation", "ai_capex_bn"):
        b, up, down = (r.timeseries[col].iloc[late].mean() for r in (base, boom, bust))
        print(col, round(b, 3), round(up, 3), round(down, 3))
        assert up > b > down
    assert boom.timeseries["capex_msft_bn"].iloc[-1] > base.timeseries["capex_msft_bn"].iloc[-1] > bust.timeseries["capex_msft_bn"].iloc[-1]


def test_the_energy_cap_strands_capacity_raises_utilisation_and_costs_chip_vendors_revenue():
    base, cap = _run("baseline", 252), _run("energy_bottleneck", 252)
    assert cap.timeseries["stranded_capacity_share"].iloc[-1] > 0.1
    assert base.timeseries["stranded_capacity_share"].iloc[-1] < 0.01
    assert cap.timeseries["utilisation"].iloc[-1] > base.timeseries["utilisation"].iloc[-1]
    assert cap.timeseries["revenue_nvda_bn"].iloc[-1] < base.timeseries["revenue_nvda_bn"].iloc[-1]


def test_the_compute_glut_cuts_capex_from_its_level_while_the_pipeline_still_pushes_utilisation_down():
    glut = _run("compute_glut")
    ts = glut.timeseries
    u = ts["utilisation"].to_numpy()
    assert u[0] == pytest.approx(0.27) and (np.diff(u[:253:63]) < 0).all()   # falling through the first year
    # capex responds to the level (issue #14): cut from the first quarter, it stops the slide above
    # seeds/003's 10–15% (where the build-out ahead of demand was planned and went on)
    assert 0.15 < u[-1] < u[252] < u[0]
    capex = ts["ai_capex_bn"].to_numpy()
    assert capex[63] < capex[0] and capex[-1] < 0.75 * capex[0]
    base = _run("baseline", 756).timeseries
    assert ts["ai_capex_bn"].iloc[-1] < 0.5 * base["ai_capex_bn"].iloc[-1]
    assert ts["CRWV"].iloc[-1] < base["CRWV"].iloc[-1] and ts["NVDA"].iloc[-1] < base["NVDA"].iloc[-1]


def test_the_interlock_parameters_have_units_bounds_sources_and_dates():
    specs = {k: s for k, s in param_specs().items() if s.file.endswith("interlock.toml")}
    assert "interlock.enabled" in specs and specs["interlock.enabled"].default is True
    for key, s in specs.items():
        assert s.source and s.date, key
        if isinstance(s.default, (int, float)) and not isinstance(s.default, bool):
            assert s.unit, key
            assert s.min is not None or s.max is not None, key


def test_interlock_time_series_columns_are_lowercase_snake_by_firm():
    cols = list(_run("baseline", 5).timeseries.columns)
    assert {"capex_msft_bn", "revenue_nvda_bn", "revenue_openai_bn", "revenue_coreweave_bn", "utilisation",
            "ai_capex_bn", "lab_cash_openai_bn"} <= set(cols)
    ours = [c for c in cols if c.startswith(("capex_", "revenue_", "compute_", "lab_", "ai_", "utilisation",
                                              "stranded", "commitments"))]
    assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in ours)
