"""The funds' fused kernels (`agents/_fast_agents.py`) give the numpy path's orders and state bit for bit,
on perturbed states too (empty books, negative NAV, NaN holdings: signs of zeros and NaNs)."""
import numpy as np
import pytest

from interlock.agents import jit
from interlock.experiments.runner import build_model, simulate


def _state(p):
    # the arrays and the scalars (a buyback quarter's start)
    return ({k: v.copy() if isinstance(v, np.ndarray) else v for k, v in vars(p).items()
             if isinstance(v, (np.ndarray, int, float))}, p.rng.bit_generator.state)


def _restore(p, saved):
    arrays, rng = saved
    for k, v in arrays.items():
        setattr(p, k, v.copy() if isinstance(v, np.ndarray) else v)
    p.rng.bit_generator.state = rng


@pytest.mark.parametrize("book", ["VolTargetBook", "CTABook", "DiscretionaryBook", "BuybackBook"])
def test_kernel_orders_are_the_numpy_orders_bit_for_bit(monkeypatch, book):
    monkeypatch.setattr(jit, "MODE", "1")
    m = build_model("baseline", seed=3)
    simulate(m, 10)
    p = next(x for x in m.populations if type(x).__name__ == book)
    k = p._fk
    assert k is jit.fast_agents()                      # the book runs the fused-order kernels
    rng = np.random.default_rng(0)
    units, cash = p.units.copy(), p.cash.copy()
    for t in range(300):
        p.units[:] = units * rng.choice([0.0, 0.5, 1.0, -1.0], size=units.shape)
        p.cash[:] = cash * rng.choice([0.0, 1.0, -3.0], size=cash.shape)
        if t % 50 == 0:
            p.units[0, m.market.SPX] = np.nan
        m.day = 10 + t
        saved = _state(p)
        p._fk = k
        fast = p.voluntary_orders()
        after = _state(p)
        _restore(p, saved)
        p._fk = None
        ref = p.voluntary_orders()
        assert fast.tobytes() == ref.tobytes()
        now = _state(p)
        assert all(np.asarray(after[0][name]).tobytes() == np.asarray(v).tobytes() for name, v in now[0].items())
