"""A run's report.html (issue #15): `interlock run` writes it beside the dashboard; it opens offline
(every script inline), names the agent classes and the card's series, carries the run's numbers,
marks the shocks and says whether the run was stable."""

from __future__ import annotations

import copy
import json
import re

import numpy as np
import pytest

from cli_contract import invoke
from interlock.reports.run import summary_assets, write_report
from interlock.viz.common import APART
from interlock.viz.dashboard import flows_by_class
from interlock.viz.style import class_color

DAYS = 40


def page_specs(html: str) -> list[dict]:
    return json.loads(re.search(r"const SPECS=(\[.*?\]);SPECS", html, re.S).group(1))


def chart(specs: list[dict], title_start: str, title_end: str = "") -> dict:
    hits = [s for s in specs if s["title"]["text"].startswith(title_start) and s["title"]["text"].endswith(title_end)]
    assert len(hits) == 1, [s["title"]["text"] for s in specs]
    return hits[0]


def folded(spec: dict) -> tuple[list[str], list[dict]]:
    fold = [t for t in spec.get("transform", []) if "fold" in t]
    assert fold, spec["title"]
    return fold[0]["fold"], spec["data"]["values"]


@pytest.fixture
def report(run_cached, tmp_path):
    result = run_cached("crypto_trust_crisis", DAYS, 2)
    path = write_report(result, tmp_path / "report.html", card=["BTC", "NVDA"])
    return result, path.read_text(encoding="utf-8")


def test_the_report_is_self_contained(report):
    _, html = report
    assert not re.search(r"<script[^>]+src\s*=", html, re.I)               # every script inline
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html, re.I)  # nothing fetched
    assert "vegaEmbed(" in html and "vega-lite" in html.lower()
    # the three libraries themselves are in the page's head, not fetched
    head = html.split("</head><body><h1>")[0]
    assert head.count("<script>") == 3 and len(head) > 300_000


def test_the_report_names_the_card_series_and_draws_the_run_prices(report):
    result, html = report
    specs = page_specs(html)
    names, rows = folded(chart(specs, "Prices, rebased"))
    assert {"SPX", "BTC", "NVDA"} <= set(names)
    ts = result.timeseries
    for a in ("SPX", "BTC", "NVDA"):
        drawn = np.array([r[a] for r in rows])
        want = 100.0 * ts[a].to_numpy() / ts[a].iloc[0]
        np.testing.assert_allclose(drawn, want, rtol=1e-5)
    assert [r["day"] for r in rows] == ts["day"].tolist()
    names, rows = folded(chart(specs, "Implied volatility"))
    assert names == ["VOL_1M", "VOL_3M"]
    np.testing.assert_allclose([r["VOL_1M"] for r in rows], 100.0 * ts["VOL_1M"].to_numpy(), rtol=1e-5)


def test_the_report_has_every_class_flow_with_the_residual_on_its_own_chart(report):
    result, html = report
    specs = page_specs(html)
    equities = flows_by_class(result.flows, result.timeseries["day"],
                              [a for a in result.assets if a not in ("BTC", "UST10")])
    btc = flows_by_class(result.flows, result.timeseries["day"], ["BTC"])
    for title, tab in (("Net flows into equities", equities), ("Net flows into BTC", btc)):
        spec = chart(specs, title, "documented classes")
        names, rows = folded(spec)
        documented = [c for c in tab.columns if c not in APART]
        assert names == documented and not set(names) & set(APART)
        for c in documented:
            # six significant digits of the class's largest flow (one rounding per column)
            np.testing.assert_allclose([r[c] for r in rows], tab[c].to_numpy(), rtol=0,
                                       atol=1e-5 * np.abs(tab[c]).max())
        # each class coloured as in every figure (the style module)
        scale = spec["layer"][0]["encoding"]["color"]["scale"]
        assert scale["domain"] == documented and scale["range"] == [class_color(c) for c in documented]
    resid = [s for s in specs if "discretionary (its own scale)" in s["title"]["text"]]
    assert resid and folded(resid[0])[0] == ["discretionary"]
    for cls in ("vol_target", "cta", "retail_crypto", "discretionary"):
        assert f'"{cls}"' in html


def test_the_report_marks_the_shocks_and_has_the_summary_and_stability(report, run_cached, tmp_path):
    result, html = report
    specs = page_specs(html)
    shock_days = sorted(int(s["at"]) for s in result.summary["shocks"])
    assert shock_days
    for s in specs:
        if "Prices" in s["title"]["text"] or "Net flows" in s["title"]["text"]:
            rules = [lay for lay in s["layer"] if lay.get("mark", {}).get("type") == "rule"]
            assert sorted(v["day"] for v in rules[0]["data"]["values"]) == shock_days
    body = html.split("</head><body><h1>")[-1]       # the page after the inline libraries
    for a in summary_assets(result.summary, ["BTC", "NVDA"]):
        assert f"<td>{a}</td>" in body
    assert "Stability: stable" in body
    bad = copy.copy(result)
    bad.summary = copy.deepcopy(result.summary)
    bad.summary["stability"] = {"stable": False, "reasons": ["BTC price floor bound on day 12"], "guard_events": 3}
    html2 = write_report(bad, tmp_path / "bad.html", card=[]).read_text(encoding="utf-8")
    assert "UNSTABLE" in html2 and "BTC price floor bound on day 12" in html2 and "3 guard events" in html2


def test_interlock_run_writes_report_html_and_no_figures_skips_it(tmp_path):
    res = invoke("run", "vol_shock", "--days", "25", "--quiet", "--out", "a", cwd=tmp_path)
    assert res.exit_code == 0, (res.output, res.exception)
    html = (tmp_path / "a" / "report.html").read_text(encoding="utf-8")
    assert "vol_spike (day 20)" in html and "Stability: stable" in html
    assert (tmp_path / "a" / "dashboard.png").is_file()
    res = invoke("run", "vol_shock", "--days", "25", "--quiet", "--no-figures", "--out", "b", cwd=tmp_path)
    assert res.exit_code == 0, (res.output, res.exception)
    assert not (tmp_path / "b" / "report.html").exists()
    # a run folder with its report is still a run folder: a second run replaces it
    res = invoke("run", "vol_shock", "--days", "25", "--quiet", "--out", "a", cwd=tmp_path)
    assert res.exit_code == 0, (res.output, res.exception)
