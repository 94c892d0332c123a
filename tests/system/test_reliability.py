"""Reliability in real processes (issue #17): Ctrl-C exits 130 and leaves the output folder as it
was; a second writer of a sweep folder is refused while the first completes with no duplicate
rows; a writer killed with -9 leaves a lock that the next writer takes over.

Event-driven: each test waits for the event it needs (a lock file, a committed part), with a
generous overall timeout; nothing is timed."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sweep_helpers import WAIT, cli_env, interlock_cmd, wait_for

SPEC = """\
scenario = "baseline"
days = 20
seeds = 2
[design]
kind = "lhs"
n = 30
seed = 3
[parameters]
"vol_target.aum" = {}
"cta.aum" = {}
[outputs]
timeseries = true
every = 2
columns = ["SPX", "VOL_1M"]
"""
RUNS = 60


def tree(d) -> dict:
    return {str(p.relative_to(d)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(d.rglob("*"))}


@pytest.mark.timeout(600)
def test_ctrl_c_during_a_run_exits_130_and_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "run"
    first = subprocess.run(interlock_cmd("run", "baseline", "--days", "5", "--no-figures", "--quiet", "--out", out),
                           env=cli_env(), capture_output=True, text=True, timeout=WAIT)
    assert first.returncode == 0, first.stderr
    before = tree(tmp_path)
    # SIGINT at its default in the child, as in a terminal: a suite started in the background
    # (`make test &`) hands its children SIGINT ignored, and Python then never raises KeyboardInterrupt
    proc = subprocess.Popen(interlock_cmd("run", "baseline", "--days", "20000", "--out", out), env=cli_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_for(lambda: (tmp_path / ".run.lock").exists(), "the run to take its folder's lock", process=proc)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert tree(tmp_path) == before                      # the earlier run, no lock, no temporary


@pytest.mark.timeout(900)
def test_a_second_writer_of_a_sweep_is_refused_and_the_first_completes_without_duplicates(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path / "sweep"
    first = subprocess.Popen(interlock_cmd("sweep", spec, "--out", out, "--workers", "2", "--runs-per-task", "1",
                                           "--flush-seconds", "0.1", "--quiet"),
                             env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: any((out / "parts").glob("summary-*.parquet")), "the first committed part", process=first)
        second = subprocess.run(interlock_cmd("sweep", spec, "--out", out, "--workers", "1", "--resume", "--quiet"),
                                env=cli_env(), capture_output=True, text=True, timeout=WAIT)
        _, err = first.communicate(timeout=WAIT)
    finally:
        if first.poll() is None:
            first.kill()
    assert second.returncode == 2, second.stderr
    line = second.stderr.strip()
    assert len(line.splitlines()) == 1 and f"process {first.pid}" in line and "one writer per folder" in line
    assert first.returncode == 0, err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["counts"]["done"] == RUNS
    assert len(manifest["sessions"]) == 1                 # the refused writer left no trace
    assert list(pd.read_parquet(out / "summary.parquet")["run_id"]) == list(range(RUNS))
    ts = pd.concat([pq.read_table(p).to_pandas() for p in sorted((out / "timeseries").glob("*.parquet"))])
    assert not ts.duplicated(["run_id", "day"]).any() and ts["run_id"].nunique() == RUNS


@pytest.mark.timeout(600)
def test_a_writer_killed_with_9_leaves_a_lock_the_next_writer_takes_over(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen(interlock_cmd("run", "baseline", "--days", "20000", "--quiet", "--out", out),
                            env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lock = tmp_path / ".run.lock"
    try:
        wait_for(lambda: lock.exists() and lock.stat().st_size > 0, "the run to take its folder's lock", process=proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert json.loads(lock.read_text())["pid"] == proc.pid      # the stale lock of a dead writer
    again = subprocess.run(interlock_cmd("run", "baseline", "--days", "5", "--no-figures", "--quiet", "--out", out),
                           env=cli_env(), capture_output=True, text=True, timeout=WAIT)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
