"""Shared helpers of the crypto tests: small, fast runs of a scenario with its shocks replaced."""

from __future__ import annotations

import functools
from types import SimpleNamespace

import numpy as np

from interlock.config import Params
from interlock.experiments.runner import build_model, simulate
from interlock.experiments.scenarios import load_scenario
from interlock.model.model import CapitalFlowModel
from interlock.model.shocks import SHOCK_TYPES as SHOCKS


SMALL = {"retail_crypto.n_holders": 20000}
# everything but the crypto block and the Fed (the venues read the Fed's liquidity and rate path)
NOT_CRYPTO = ("buyback", "vol_target", "cta", "discretionary", "dealer", "interlock")


def crypto_model(overrides=None, seed=1, shocks=(), disabled=NOT_CRYPTO) -> CapitalFlowModel:
    """A small model of the crypto block alone (400 holders by default), built in ~0.1 s for unit
    tests. The caller releases it (`model.release()`)."""
    p = Params.defaults().with_overrides({"retail_crypto.n_holders": 400, **(overrides or {})}, "test")
    return CapitalFlowModel(p, seed=seed, shocks=shocks, disabled=disabled)


def shock(kind: str, **fields):
    return SHOCKS[kind](**fields)


class Snapshot:
    """What the tests read from a finished model — parameters and the populations' arrays and
    numbers — without keeping the model itself alive (the sweep tests check no model leaks)."""

    def __init__(self, model):
        self.params = model.params
        self._pops = {}
        for pop in model.populations:
            keep = {k: v for k, v in vars(pop).items()
                    if isinstance(v, (np.ndarray, np.generic, int, float, bool, str, dict))}
            if hasattr(pop, "crypto"):
                keep["crypto"] = SimpleNamespace(names=list(pop.crypto.names))
            self._pops[pop.agent_class] = SimpleNamespace(**keep)

    def population(self, name: str):
        return self._pops.get(name)


@functools.lru_cache(maxsize=32)
def _run(scenario: str, shocks: tuple, days: int, seed: int, overrides: tuple):
    sc = load_scenario(scenario)
    if shocks != ("scenario",):
        sc = sc.model_copy(update={"shocks": [shock(k, **dict(f)) for k, f in shocks]})
    model = build_model(sc, seed=seed, overrides={**SMALL, **dict(overrides)})
    try:
        ts, flows, events = simulate(model, days)
    finally:
        model.release()
    return Snapshot(model), ts, flows, events


def run_small(scenario="baseline", shocks=("scenario",), days=60, seed=1, **overrides):
    """(snapshot of the model, timeseries, flows, events) of a 20,000-holder run, memoised. `shocks` is
    ("scenario",) for the scenario's own shocks, or a list of (type, {fields})."""
    if shocks != ("scenario",):
        shocks = tuple((k, tuple(sorted(f.items()))) for k, f in shocks)
    return _run(scenario, shocks, days, seed, tuple(sorted(overrides.items())))


def btc_flows(flows, cls="retail_crypto", first=0, last=10 ** 6, voluntary_only=False):
    f = flows[(flows["agent_class"] == cls) & (flows["asset"] == "BTC")
              & (flows["day"] >= first) & (flows["day"] <= last)]
    if voluntary_only:
        f = f[~f["forced"]]
    return float(f["usd_bn"].sum())
