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


def test_a_folder_that_is_not_a_run_is_never_replaced(tmp_path):
    from interlock.errors import InputError
    d = tmp_path / "x"
    (d / "sub").mkdir(parents=True)
    (d / "notes.txt").write_text("precious", encoding="utf-8")
    with pytest.raises(InputError, match="holds files interlock did not write"):
        write_run(tiny_result(), d)
    assert (d / "notes.txt").read_text(encoding="utf-8") == "precious" and (d / "sub").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]             # no temporary, no lock
    write_run(tiny_result(), d, force=True)                                 # the user says so
    assert read_run(d).seed == 3 and not (d / "notes.txt").exists()


def test_concurrent_writers_of_one_run_folder_each_leave_a_whole_run(tmp_path):
    """Writers of the same folder take turns (the lock beside it): every write succeeds, the
    folder is a whole run at the end, and nothing temporary is left (issue #17: 2 of 900 raced)."""
    import threading
    errors = []

    def write(i):
        try:
            res = tiny_result()
            res.summary = dict(res.summary, seed=i)
            write_run(res, tmp_path / "run")
        except Exception as e:              # noqa: BLE001 - collected and asserted below
            errors.append(e)
    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert read_run(tmp_path / "run").summary["seed"] in range(6)
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_temporary_left_by_a_killed_writer_is_removed_on_the_next_write(tmp_path):
    import os
    import subprocess
    import sys

    from interlock.experiments.outputs import temp_prefix
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)
    left = tmp_path / (temp_prefix(tmp_path / "run").replace(f"-{os.getpid()}@", f"-{dead}@") + "x")
    left.mkdir()
    (left / "timeseries.parquet").write_bytes(b"half")
    write_run(tiny_result(), tmp_path / "other")                          # the next write beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other"]
