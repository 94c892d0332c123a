"""`Market.clear` on the fused kernels (`model/_fast.py`) is the numpy clearing bit for bit, guards and
news jumps included."""
import numpy as np

from interlock.agents import jit
from interlock.experiments.runner import build_model, simulate


def _run(monkeypatch, mode):
    monkeypatch.setattr(jit, "MODE", mode)
    model = build_model("baseline", seed=2)
    simulate(model, 5)
    m = model.market
    assert (m._k is not None) == (mode == "1")
    rng = np.random.default_rng(4)
    out = []
    for day in range(60):
        m.begin_day()
        m.news += rng.normal(0.0, 0.002, m.n)
        noise = m.draw_noise() if day % 3 else None
        if day % 10 == 7:
            noise = noise * 400.0 if noise is not None else None      # a news jump
        for rnd in range(3):
            flows = rng.normal(0.0, 1.0, m.n_instr) * (5e4 if (day + rnd) % 9 == 4 else 1.0)   # the flow guard
            dlogp = m.clear(flows, rnd, noise if rnd == 0 else None)
            out.append(dlogp.tobytes() + m.logp.tobytes() + m.logv.tobytes() + m.flows_today.tobytes()
                       + m.news.tobytes() + m.instrument_prices().tobytes())
        m.end_day()
    return out, list(m.capped_events), list(m.news_jumps)


def test_kernel_clearing_is_the_numpy_clearing_bit_for_bit(monkeypatch):
    ref, fast = _run(monkeypatch, "0"), _run(monkeypatch, "1")
    assert ref[1] and ref[2]                     # both guards and news jumps were exercised
    assert fast == ref
