"""What the model's components declare beside their daily work, gathered in one place.

A trading population, a block or the crypto venues may define
    summary_metrics(ts, flows, events) -> dict   merged into summary.json's `metrics` after a run
    money_accounts() -> dict[str, float]         money (USD bn) it holds outside the traders' cash
The runner reads the first, the money-conservation check the second; nothing registers at import.
"""

from __future__ import annotations

from typing import Any


def components(model) -> list:
    """Every component of `model` that may declare metrics or accounts, in a fixed order."""
    return list(model.blocks) + list(model.populations) + [model.crypto]


def summary_metrics(model, ts, flows, events) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in components(model):
        fn = getattr(c, "summary_metrics", None)
        if fn is not None:
            out.update(fn(ts, flows, events))
    return out


def money_accounts(model) -> dict[str, float]:
    out: dict[str, float] = {}
    for c in components(model):
        fn = getattr(c, "money_accounts", None)
        if fn is not None:
            out.update(fn())
    return out
