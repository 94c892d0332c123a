"""Runs batched in one worker process, sharing their scenario's set-up (`jobs.shared_scenario`), give
the rows each point gives when it is run alone in a fresh interpreter — bit for bit — and an edited
scenario file is read again."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from interlock.experiments.scenarios import shipped_dir
from interlock.experiments.sweeps import jobs as J
from interlock.experiments.sweeps.engine import Job, execute, read_summary, read_timeseries

pytestmark = pytest.mark.integration

DAYS = 5
# two scenarios (one with a shock), each at two design points, two seeds each
POINTS = [("baseline", {"vol_target.aum": 300.0}), ("baseline", {"vol_target.aum": 800.0}),
          ("vol_shock", {}), ("vol_shock", {"cta.aum": 500.0})]
SEEDS = (1, 2)


def all_jobs() -> list[Job]:
    return [Job(run_id=p * len(SEEDS) + k, point_id=p, scenario=sc, overrides=ov, seed=s, days=DAYS)
            for p, (sc, ov) in enumerate(POINTS) for k, s in enumerate(SEEDS)]


ALONE = textwrap.dedent("""
    import sys
    from interlock.experiments.sweeps.engine import execute
    from test_sweep_batching import all_jobs
    p, out = int(sys.argv[1]), sys.argv[2]
    execute([j for j in all_jobs() if j.point_id == p], out, workers=1, progress=False, timeseries_every=1)
""")


def same_bits(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind == "f":
            assert x.dtype == y.dtype and np.array_equal(x.view(np.int64), y.view(np.int64)), c
        else:
            assert list(x) == list(y), c


def test_batched_runs_sharing_set_up_equal_each_point_run_alone_bit_for_bit(tmp_path):
    J._scenario_cached.cache_clear()
    batched = execute(all_jobs(), tmp_path / "batched", workers=1, runs_per_task=len(all_jobs()),
                      progress=False, timeseries_every=1)
    assert batched.status == "complete" and batched.ok == len(all_jobs())
    # the batch read each scenario once: the set-up was shared
    assert J._scenario_cached.cache_info().misses == len({sc for sc, _ in POINTS})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    parts_s, parts_t = [], []
    for p in range(len(POINTS)):
        out = tmp_path / f"alone{p}"
        res = subprocess.run([sys.executable, "-c", ALONE, str(p), str(out)], env=env,
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr[-2000:]
        parts_s.append(read_summary(out))
        parts_t.append(read_timeseries(out))
    alone_s = pd.concat(parts_s, ignore_index=True).sort_values("run_id", ignore_index=True)
    alone_t = pd.concat(parts_t, ignore_index=True).sort_values(["run_id", "day"], ignore_index=True)
    batch_s = read_summary(tmp_path / "batched")
    assert (batch_s["status"] == "ok").all()
    # a union of per-point sweeps has the union of their metric columns: the same set here
    same_bits(batch_s, alone_s[batch_s.columns])
    same_bits(read_timeseries(tmp_path / "batched"), alone_t)


def test_an_edited_scenario_file_is_read_again(tmp_path):
    path = tmp_path / "mine.toml"
    text = (shipped_dir() / "baseline.toml").read_text()
    assert 'title = "' in text
    path.write_text(text)
    first = J.shared_scenario(str(path))
    assert J.shared_scenario(str(path)) is first            # shared while the file is unchanged
    path.write_text(text.replace('title = "', 'title = "edited: ', 1))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    second = J.shared_scenario(str(path))
    assert second is not first and second.title.startswith("edited: ")
