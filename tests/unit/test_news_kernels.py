"""The news step's fused kernels (`model/_fast.py`) give bit-identical paths to the numpy step."""
import numpy as np
import pytest

from interlock.agents import jit
from interlock.model.news import NewsParams, NewsProcess


@pytest.mark.parametrize("lam, asym, revert, parent", [(0.0, 0.0, 0.0, [-1, 0, 0]), (0.3, 0.0, 0.0, [-1, 0, 0]),
                                                       (0.3, 0.2, 0.01, [-1, 0, 0]), (0.0, 0.0, 0.02, [-1, -1, -1])])
@pytest.mark.parametrize("E", [1, 4])
def test_kernel_step_is_the_numpy_step_bit_for_bit(monkeypatch, lam, asym, revert, parent, E):
    p = NewsParams.make(["a", "b", "c"], sigma=[0.01, 0.02, 0.03], tau=[[3.0, 30.0, 200.0]] * 3,
                        s=[[0.3, 0.2, 0.1]] * 3, rho=[[-0.5, -0.3, 0.0]] * 3, b=[0.05, 0, 0], h=[0.02, 0.05, 0.0],
                        kmu=[0.04, 0, 0], cap=[4, 3, 3], floor=[0.2, 0.3, 0.3], parent=parent,
                        psi=[0, 0.7, 0] if parent[1] == 0 else 0.0, lam=[0, 0, lam], lam_asym=[0, 0, asym],
                        revert=[0, 0, revert])
    paths = []
    for mode in ("0", "1"):
        monkeypatch.setattr(jit, "MODE", mode)
        n = NewsProcess(p, E)
        assert (n._k is not None) == (mode == "1")
        n.uncertainty[:] = [1.0, 1.3, 0.9]
        rng = np.random.default_rng(11)
        out = []
        for t in range(300):
            n.rel_today()
            r = n.step(rng.standard_normal((E, 3)) * (3.0 if t % 50 == 0 else 1.0))
            out.append(r.tobytes() + n.x.tobytes() + n.level.tobytes())
        paths.append(b"".join(out))
    assert paths[0] == paths[1]


@pytest.mark.parametrize("parent, horizons", [([-1, 0, 0], (21, 63)), ([-1, -1, -1], (21, 63)),
                                              ([-1, 0, 0], (5, 10, 63)), ([-1, 0, 0], (63, 21))])
def test_kernel_forecast_is_the_numpy_forecast_bit_for_bit(monkeypatch, parent, horizons):
    p = NewsParams.make(["a", "b", "c"], sigma=[0.01, 0.02, 0.03], tau=[[3.0, 30.0, 200.0]] * 3,
                        s=[[0.5, 0.4, 0.3]] * 3, rho=[[-0.5, -0.3, 0.0]] * 3, h=[0.02, 0.05, 0.0], cap=[4, 3, 3],
                        floor=[0.2, 0.3, 0.3], parent=parent, psi=[0, 0.7, 0.3] if parent[1] == 0 else 0.0)
    w = np.array([0.7, 0.2, 0.05])
    forecasts = []
    for mode in ("0", "1"):
        monkeypatch.setattr(jit, "MODE", mode)
        n = NewsProcess(p, 1, horizons=horizons)
        rng = np.random.default_rng(11)
        out = []
        for t in range(300):
            n.rel_today()
            n.step(rng.standard_normal((1, 3)) * (4.0 if t % 40 == 0 else 1.0))
            n.uncertainty[0] = 1.0 + 0.1 * (t % 7)       # clips at the cap and floor on some days
            out.append(n.forecast_weighted(w))
        forecasts.append(out)
    assert forecasts[0] == forecasts[1]
