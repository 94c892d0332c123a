"""What a scenario's card points at (issue #15): the assets its narrative names or its shocks
touch (`card_assets`) and the series a report or comparison draws for it (`key_series`). Light on
purpose (no scipy, no sweep engine): `interlock run` reads it for its printed summary and its
report.html; `experiments.compare` re-exports it."""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from ..model.shocks.ai import GROUPS as FIRM_GROUPS
from .scenarios import Scenario

DEFAULT_SERIES = ("SPX", "VOL_1M", "UST10_yield", "BTC")
# shock modules whose shocks act on crypto (their effect is read on BTC)
CRYPTO_MODULE = "interlock.model.shocks.crypto"


def firm_aliases(model) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(firm name → its ticker, firm group of a shock's `firms` → the group's tickers) in a built
    model's interlock block; empty when the block is off."""
    b = model.block("interlock")
    if b is None:
        return {}, {}
    L = b.ledger
    names, groups = {}, {}
    kind_group = {k: g for g, k in FIRM_GROUPS.items() if k is not None}
    for i, n in enumerate(L.names):
        t = b.graph.nodes[n].get("ticker") or ""
        if not t:
            continue
        names[str(n)] = [t]
        g = kind_group.get(str(L.kind[i]))
        if g:
            groups.setdefault(g, []).append(t)
    return names, groups


def card_assets(sc: Scenario, assets: Sequence[str], names: Mapping[str, list[str]] | None = None,
                groups: Mapping[str, list[str]] | None = None) -> list[str]:
    """The assets a scenario's card names or its shocks touch, in `assets`' order: tickers (or firm
    names, with `names` from `firm_aliases`) written in its narrative (what, how, look_at,
    try_next) or title, the firms and firm groups (`groups`) in a shock's fields, BTC for a crypto
    shock."""
    names, groups = names or {}, groups or {}
    n = sc.narrative
    text = " ".join([n.what, n.how, n.look_at, n.try_next, sc.title])
    words = set(re.findall(r"[A-Za-z0-9_]+", text))
    for w in list(words):
        words.update(names.get(w, []))
    for s in sc.shocks:
        for v in s.model_dump().values():
            for item in (v if isinstance(v, list) else [v]):
                if isinstance(item, str):
                    words.update([item.upper(), *names.get(item, []), *groups.get(item, [])])
        if type(s).__module__ == CRYPTO_MODULE:
            words.add("BTC")
    return [a for a in assets if a in words and a != "REST"]


def key_series(card: Sequence[str]) -> list[str]:
    """The series a comparison draws: the defaults, then the assets the card names."""
    return list(dict.fromkeys([*DEFAULT_SERIES, *card]))
