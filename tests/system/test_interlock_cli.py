"""The interlock graph from the command line (issue #3), in a subprocess: a bad deals file exits
with code 2 naming the row, from `interlock graph` and from `interlock run`; `interlock graph`
prints nodes, edges, investment → revenue loops and circularity and draws a PNG; a start date without
a snapshot exits with code 2 listing the snapshots, one with a snapshot runs from that date (#14)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from interlock.model.interlock.deals import default_deals_path

SHIPPED = pd.read_csv(default_deals_path(), dtype=str, keep_default_na=False)


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "interlock.cli", *args], capture_output=True, text=True, cwd=cwd)


def _unknown_party_file(tmp_path):
    df = SHIPPED.copy()
    df["target_party"] = df["target_party"].where(df.index != 3, "Initech")
    path = tmp_path / "deals.csv"
    df.to_csv(path, index=False)
    return path


def test_bad_deals_exit_with_code_2_from_the_cli(tmp_path):
    path = _unknown_party_file(tmp_path)
    res = cli("graph", "--deals", str(path), "--out", str(tmp_path))
    assert res.returncode == 2 and "row 5 (S04)" in res.stderr and "unknown party" in res.stderr
    res = cli("run", "baseline", "--days", "3", "--set", f'interlock.deals_file="{path}"', "--no-figures",
              "--quiet", "--out", str(tmp_path / "run"))
    assert res.returncode == 2 and "unknown party" in res.stderr


def test_interlock_graph_prints_nodes_edges_loops_and_circularity_and_draws_a_png(tmp_path):
    res = cli("graph", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "nodes (14)" in out and "supply" in out and "equity" in out and "financing" in out
    assert "investment → revenue loops" in out and "NVDA -equity-> OpenAI" in out
    assert "circularity" in out
    assert (tmp_path / "interlock_graph.png").stat().st_size > 10_000


def test_a_start_date_without_a_snapshot_exits_2_listing_the_snapshots_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    res = cli("run", "baseline", "--days", "3", "--set", "run.start_date=2025-12-15", "--no-figures", "--quiet",
              "--out", str(out))
    assert res.returncode == 2, res.stderr
    line = res.stderr.strip().splitlines()[-1]
    assert "no snapshot on 2025-12-15" in line and "2025-11-21" in line and "2018-01-26" in line
    assert not out.exists()


def test_a_start_date_with_a_snapshot_runs_from_that_dates_firms_deals_and_markets(tmp_path):
    import json

    out = tmp_path / "run"
    res = cli("run", "baseline", "--days", "3", "--set", "run.start_date=2025-01-24", "--no-figures", "--quiet",
              "--out", str(out))
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["overrides"]["assets.NVDA.cap"] == 3493.0 and summary["overrides"]["run.spx_level"] == 6101.24
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert str(ts["date"].iloc[0])[:10] == "2025-01-24"
