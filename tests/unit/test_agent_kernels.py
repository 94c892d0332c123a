"""The systematic funds' fused kernels (`agents/_fast_agents.py`) give the numpy path's orders bit for bit,
on perturbed states too (empty books, negative NAV, zero variance, NaN holdings: signs of zeros and NaNs)."""
import numpy as np
import pytest

from interlock.agents import jit
from interlock.experiments.runner import build_model, simulate

pytest.importorskip("numba")


@pytest.mark.parametrize("book", ["VolTargetBook", "CTABook"])
def test_kernel_orders_are_the_numpy_orders_bit_for_bit(monkeypatch, book):
    monkeypatch.setattr(jit, "MODE", "1")
    m = build_model("baseline", seed=3)
    simulate(m, 10)
    p = next(x for x in m.populations if type(x).__name__ == book)
    k = p._k
    assert k is not None
    rng = np.random.default_rng(0)
    units, cash = p.units.copy(), p.cash.copy()
    for t in range(300):
        p.units[:] = units * rng.choice([0.0, 0.5, 1.0, -1.0], size=units.shape)
        p.cash[:] = cash * rng.choice([0.0, 1.0, -3.0], size=cash.shape)
        if t % 50 == 0:
            p.units[0, m.market.SPX] = np.nan
        p._k = k
        fast = p.voluntary_orders()
        p._k = None
        ref = p.voluntary_orders()
        assert fast.tobytes() == ref.tobytes()
