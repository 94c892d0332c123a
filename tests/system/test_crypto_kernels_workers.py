"""The fused retail crypto kernels (issue #16) work in worker processes — forked (the kernels already
loaded in the parent) and spawned (a fresh interpreter that loads numba and the cached machine code)
— and give the same run as the numpy path in this process."""

from __future__ import annotations

import multiprocessing as mp

import pandas as pd
import pytest

from interlock.agents import jit
from interlock.experiments.runner import build_model, simulate



def crisis_run(mode: str) -> tuple[bool, pd.DataFrame]:
    jit.MODE = mode                  # in a spawned worker, the module is fresh: set it there
    model = build_model("crypto_trust_crisis", seed=4)
    try:
        fast = model.population("retail_crypto")._fast
        return fast, simulate(model, 120)[0]
    finally:
        model.release()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_run_the_kernels_and_match_the_numpy_path(monkeypatch, method):
    monkeypatch.setattr(jit, "MODE", "0")
    _, ref = crisis_run("0")
    with mp.get_context(method).Pool(2) as pool:
        out = pool.map(crisis_run, ["1", "1"])
    for fast, ts in out:
        assert fast is True
        pd.testing.assert_frame_equal(ts, ref, check_exact=True)
