"""A run folder (`experiments.runner.write_run` / `read_run`) appears whole or not at all, holds
what the caller adds before it appears, and reads back the same tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from interlock.config import Params
from interlock.experiments.runner import RunResult, read_run, write_run


def tiny_result() -> RunResult:
    ts = pd.DataFrame({"day": np.arange(3, dtype=np.int32), "date": pd.bdate_range("2025-11-21", periods=3),
                       "SPX": [6600.0, 6500.0, 6550.0]})
    flows = pd.DataFrame({"day": [1], "round": [0], "agent_class": ["cta"], "agent_id": [7], "asset": ["SPX"],
                          "usd_bn": [-1.5], "forced": [False], "reason": ["voluntary"]})
    events = pd.DataFrame({"day": [1], "kind": ["shock"], "source": ["scenario"], "target": ["vol_spike"],
                           "channel": ["shock"], "usd_bn": [np.nan], "detail": [""]})
    summary = {"scenario": "tiny", "seed": 3, "days": 2, "metrics": {"peak_VOL_1M": np.float64("nan")}}
    return RunResult("tiny", 3, 2, Params.defaults(), ts, flows, events, summary)


def test_a_written_run_reads_back_the_same_tables_and_its_config(tmp_path):
    res = tiny_result()
    out = write_run(res, tmp_path / "run")
    back = read_run(out)
    pd.testing.assert_frame_equal(back.timeseries, res.timeseries)
    pd.testing.assert_frame_equal(back.flows, res.flows)
    assert back.params["run.trading_days_per_year"] == res.params["run.trading_days_per_year"]
    assert back.summary["metrics"]["peak_VOL_1M"] is None          # NaN is written as null
    assert not (out / "dashboard.png").exists()                    # the experiments layer draws nothing


def test_files_the_caller_adds_are_in_the_folder_when_it_appears(tmp_path):
    seen = []

    def also(folder):
        seen.append((folder.name, (tmp_path / "run").exists()))
        (folder / "extra.txt").write_text("drawn", encoding="utf-8")
    out = write_run(tiny_result(), tmp_path / "run", also=also)
    assert (out / "extra.txt").read_text(encoding="utf-8") == "drawn"
    assert seen[0][0] != "run" and seen[0][1] is False              # written before the folder appeared


def test_a_failure_while_writing_leaves_the_old_run_and_no_temporary_folder(tmp_path):
    old = write_run(tiny_result(), tmp_path / "run")
    before = sorted(p.name for p in old.iterdir())

    def broken(folder):
        raise RuntimeError("figure failed")
    with pytest.raises(RuntimeError, match="figure failed"):
        write_run(tiny_result(), tmp_path / "run", also=broken)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
