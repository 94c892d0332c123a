"""Sweeps on a real Dask cluster: a scheduler and workers started on loopback by the test.

Event-driven: the cluster is used once the scheduler has written its address file and the client
has seen the workers; every wait and subprocess has a generous overall timeout, and the tests
assert outcomes (exit codes, messages, tables), never how long something took."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sweep_helpers import WAIT, cli_env, interlock_cmd, wait_for

SPEC = """\
scenario = "baseline"
days = 6
seeds = 2
[design]
kind = "lhs"
n = 6
seed = 11
[parameters]
"vol_target.aum" = {}
"market.equity_multiplier" = { range = [3, 8], dist = "triangular", mode = 5 }
[outputs]
timeseries = true
every = 3
"""


def _stop(procs) -> None:
    for p in reversed(procs):
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in reversed(procs):
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=60)


def _address(sched_file: Path) -> str | None:
    try:
        return json.loads(sched_file.read_text())["address"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return None


@contextlib.contextmanager
def cluster(d: Path, workers: int, worker_env: dict[str, str]):
    """`dask scheduler` and `dask worker` processes on 127.0.0.1; torn down after."""
    from distributed import Client
    dask_bin = str(Path(sys.executable).parent / "dask")
    sched_file = d / "scheduler.json"
    procs = []
    log = open(d / "cluster.log", "w")
    try:
        procs.append(subprocess.Popen([dask_bin, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                       "--no-dashboard", "--scheduler-file", str(sched_file)],
                                      env=cli_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        # the scheduler writes its address file once it listens (written whole: read it when it parses)
        wait_for(lambda: _address(sched_file) is not None, "the scheduler's address file", process=procs[0])
        address = _address(sched_file)
        procs.append(subprocess.Popen([dask_bin, "worker", address, "--host", "127.0.0.1", "--nworkers", str(workers),
                                       "--nthreads", "1", "--no-dashboard", "--local-directory", str(d)],
                                      env=worker_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        with Client(address, timeout=f"{WAIT:g}s") as client:
            client.wait_for_workers(workers, timeout=WAIT)
        yield address
    finally:
        _stop(procs)
        log.close()


@pytest.fixture(scope="module")
def dask_address(tmp_path_factory):
    """A scheduler and 2 single-threaded workers that run this checkout of interlock."""
    with cluster(tmp_path_factory.mktemp("dask"), 2, cli_env()) as address:
        yield address


@pytest.mark.timeout(1200)
def test_a_sweep_on_a_dask_cluster_equals_the_local_pool(dask_address, tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC, encoding="utf-8")
    on_dask = subprocess.run(interlock_cmd("sweep", spec, "--out", tmp_path / "dask", "--dask", dask_address,
                                           "--timeout", f"{WAIT:g}", "--quiet"),
                             env=cli_env(), capture_output=True, text=True, timeout=2 * WAIT)
    assert on_dask.returncode == 0, on_dask.stderr
    local = subprocess.run(interlock_cmd("sweep", spec, "--out", tmp_path / "local", "--workers", "2", "--quiet"),
                           env=cli_env(), capture_output=True, text=True, timeout=2 * WAIT)
    assert local.returncode == 0, local.stderr
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["sessions"][0]["executor"]["kind"] == "dask"
    assert manifest["sessions"][0]["executor"]["workers"] == 2
    for name in ("params.parquet", "summary.parquet", "timeseries/part-000000.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask" / name),
                                      pd.read_parquet(tmp_path / "local" / name))
    assert len(pd.read_parquet(tmp_path / "dask" / "summary.parquet")) == 12


@pytest.mark.timeout(1200)
def test_an_unreachable_scheduler_is_an_input_error_after_the_given_timeout(tmp_path):
    import socket
    with socket.socket() as s:                      # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC, encoding="utf-8")
    # the command gives up by itself (a hang would hit the subprocess timeout and fail the test)
    res = subprocess.run(interlock_cmd("sweep", spec, "--out", tmp_path / "o", "--dask", f"tcp://127.0.0.1:{port}",
                                       "--timeout", "3", "--quiet"),
                         env=cli_env(), capture_output=True, text=True, timeout=2 * WAIT)
    assert res.returncode == 2, res.stderr
    assert f"cannot reach a Dask scheduler at tcp://127.0.0.1:{port} within 3s" in res.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.timeout(1200)
def test_a_worker_that_cannot_import_interlock_is_refused_instead_of_hanging(tmp_path):
    broken = tmp_path / "broken" / "interlock"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('interlock is not installed here')\n")
    env = dict(cli_env(), PYTHONPATH=str(broken.parent))          # this worker finds a broken interlock
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC, encoding="utf-8")
    with cluster(tmp_path, 1, env) as address:
        # the probe task fails or times out after --timeout; a hang would hit the subprocess timeout
        res = subprocess.run(interlock_cmd("sweep", spec, "--out", tmp_path / "o", "--dask", address,
                                           "--timeout", "8", "--quiet"),
                             env=cli_env(), capture_output=True, text=True, timeout=2 * WAIT)
    assert res.returncode == 2, res.stderr
    assert (f"no Dask worker at {address} answered within 8s" in res.stderr
            and "can they import interlock" in res.stderr) or "failed the probe task" in res.stderr, res.stderr
    assert not (tmp_path / "o").exists()
