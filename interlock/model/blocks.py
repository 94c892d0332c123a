"""Non-trading model blocks (the AI capital interlock and its firms): they run after the Fed and
before the traders each day, set fundamental values and budgets, and log cascade events. The
model lists them in `interlock.model.model.BLOCKS`; each is switched like an agent class
(`<name>.enabled`, `--attribution`)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np


class Block:
    name: ClassVar[str] = ""

    def __init__(self, model, rng: np.random.Generator):
        self.model = model
        self.rng = rng

    def begin_day(self) -> None:
        """Before the traders: update fundamentals, budgets, cascades."""

    def end_day(self, returns: np.ndarray) -> None:
        """After the close."""

    def columns(self) -> list[str]:
        """Time-series columns this block records."""
        return []

    def record(self) -> dict[str, float]:
        """Today's values, keyed by exactly the names `columns()` declares."""
        return {}

    def summary_metrics(self, ts, flows, events) -> dict:
        """Entries for summary.json's metrics after a run."""
        return {}

    def money_accounts(self) -> dict[str, float]:
        """Money (USD bn) held outside the trading populations' cash, by account name."""
        return {}
