"""The interlock graph from the command line (issue #3), in a subprocess: a bad deals file exits
with code 2 naming the row, from `interlock graph` and from `interlock run`; `interlock graph`
prints nodes, edges, investment → revenue loops and circularity and draws a PNG."""

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
