"""A stub model with the Fed and the valuation channel on it (unit tests of issue #13's policy
channels: tests/unit/test_rates.py, test_valuation_channels.py)."""

from __future__ import annotations

import numpy as np
from stub_model import StubModel

from interlock.agents.fed import Fed
from interlock.model.valuation import Valuation


def policy_model(overrides: dict | None = None) -> StubModel:
    """A StubModel with a Fed (no speech noise unless overridden) and a Valuation; news zeroed."""
    model = StubModel({"fed.speech_noise": 0.0, **(overrides or {})})
    model.fed = Fed(model, model.params, np.random.default_rng(0))
    model.valuation = Valuation(model, model.params)
    model.market.news[:] = 0.0
    return model
