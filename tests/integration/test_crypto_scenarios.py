"""The crypto scenarios and parameters are data with narratives, exact source passages and
provenance (MODEL.md §4, STYLE.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interlock.config import param_specs
from interlock.experiments.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[2]
CRYPTO = ["crypto_trust_crisis", "exchange_hack", "crypto_to_ai_rotation", "genius_stablecoins"]
SEED_PASSAGES = (ROOT / "docs" / "seed_passages.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CRYPTO)
def test_crypto_scenarios_carry_narrative_and_an_exact_source_passage(name):
    sc = load_scenario(name)
    n = sc.narrative
    assert n.what and n.how and n.look_at and n.try_next
    assert f"**`{sc.source.passage_id}`**" in SEED_PASSAGES
    assert sc.source.passage and sc.source.passage in SEED_PASSAGES          # quoted verbatim
    assert sc.source.passage_id.startswith(sc.source.note + ".")
    assert sc.source.translation and sc.source.references
    assert sc.shocks


def test_crypto_parameters_have_units_sources_and_dates():
    specs = {k: s for k, s in param_specs().items() if s.file.endswith("crypto.toml")}
    assert {"retail_crypto.enabled", "crypto_etf.enabled", "retail_crypto.liquidations"} <= set(specs)
    for key, s in specs.items():
        assert s.source and s.date, key
        if isinstance(s.default, (int, float)) and not isinstance(s.default, bool):
            assert s.unit, key


def test_crypto_time_series_columns_are_lowercase_snake():
    from crypto_helpers import run_small
    ts = run_small(shocks=[], days=2)[1]
    crypto_cols = [c for c in ts.columns if c.startswith(("crypto", "btc_", "leveraged", "liquidat",
                                                             "retail_", "venue_", "trust_", "etf_"))]
    assert {"btc_leverage", "crypto_trust", "liquidations_bn", "etf_aum_bn", "etf_flow_bn"} <= set(crypto_cols)
    assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in crypto_cols)
