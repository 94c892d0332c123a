"""`interlock run`'s printed summary and `--attribution` cover every asset the scenario's card
names, with units right (issue #15: the deepseek card asks to compare AMD, NBIS, GOOGL, AMZN and META,
and peak VOL is in vol points, not %)."""

from __future__ import annotations

import json
import re

from cli_contract import invoke
from interlock.experiments.compare import card_assets
from interlock.experiments.scenarios import load_scenario


def test_the_card_names_the_assets_a_reader_is_asked_to_compare():
    assets = ["NVDA", "MSFT", "GOOGL", "AMZN", "META", "ORCL", "AMD", "AVGO", "CRWV", "NBIS", "REST", "BTC",
              "UST10", "SPX"]
    assert {"AMD", "NBIS", "GOOGL", "AMZN", "META"} <= set(card_assets(load_scenario("deepseek_efficiency"), assets))
    assert "BTC" in card_assets(load_scenario("crypto_trust_crisis"), assets)     # a crypto shock reads on BTC
    assert "REST" not in card_assets(load_scenario("baseline"), assets)


def test_the_printed_summary_and_attribution_show_the_card_assets_in_points(tmp_path):
    res = invoke("run", "deepseek_efficiency", "--days", "6", "--attribution", "--no-figures", cwd=tmp_path)
    assert res.exit_code == 0, res.output
    out = res.stdout
    rows = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert {"AMD", "NBIS", "GOOGL", "AMZN", "META", "NVDA", "SPX"} <= rows
    summary = json.loads((tmp_path / "runs" / "deepseek_efficiency-1" / "summary.json").read_text())
    peak = summary["metrics"]["peak_VOL_1M"] * 100
    assert f"peak VOL_1M {peak:.1f} vol points" in out
    header = next(line for line in out.splitlines() if "Δpeak VOL" in line)
    assert all(f"ΔDD {a}" in header for a in ("SPX", "NVDA", "AMD", "NBIS", "META"))
    # a class's row: its drawdown contributions in percentage points, as summary.json has them × 100
    row = next(line for line in out.splitlines() if line.strip().startswith("interlock "))
    nums = [float(x) for x in re.findall(r"[+-]\d+\.\d+", row)]
    c = summary["attribution"]["interlock"]
    assert abs(nums[0] - 100 * c["drawdown_contribution"]["SPX"]) < 0.006
    assert abs(nums[-1] - 100 * c["peak_VOL_1M_contribution"]) < 0.006
