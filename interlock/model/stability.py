"""Stability by construction (issue #12): the worst-case round-to-round gain of the intraday
clearing cascade over the joint plausible ranges of the params files.

Within a day, round k's log move Δp_k of an asset triggers forced flows in round k+1 of at most

    |f_{k+1}| ≤ S·|Δp_k| + K_{k+1}

— a *proportional* part (dealers' gamma hedges: S = 100·max|Γ| USD bn per unit log move, Γ quoted at
the current index level so S/C does not change as prices move) plus *one-shot kicks* K (vol-target
risk exits, CTA stop-outs, crypto liquidations: each at most once per agent per day and bounded by
what exists: a fund sells at most a share of what it holds, liquidations stop at the leveraged book).
The kernel's marginal impact is at most Λ_max = (M + g_max·R·M)/C (ψ' ≤ 1, g ≤ g_max), so

    |Δp_{k+1}| ≤ G·|Δp_k| + Λ_max·K_{k+1},        G = (M + g_max·R·M)·S / C.

With G < 1 the proportional part contracts geometrically from the first round and the kicks add a
finite move (`impact.cascade_bound`; the concave ψ gives a tighter bound for large kicks). This
module evaluates G at every corner of the plausible box (`range` in the params files) — the gain
is monotone in each of M, R, g_max and |Γ|, so the corners contain the maximum.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Mapping

from ..config import Params, param_specs
from .impact import cascade_bound, round_gain

PCT = 0.01


def plausible(key: str) -> tuple[float, float]:
    """The plausible range of a parameter (its default when it has none)."""
    spec = param_specs()[key]
    if spec.range is not None:
        return float(spec.range[0]), float(spec.range[1])
    return float(spec.default), float(spec.default)


@dataclass(frozen=True)
class Corner:
    asset: str
    values: dict[str, float]
    gain: float
    kick_bound: float          # largest extra log move from the kicks (cascade_bound), at this corner


def _equity_cap(p: Params) -> float:
    return float(sum(p[f"assets.{a}.cap"] for a in p.names_under("assets")))


def spx_kicks(v: Mapping[str, float], cap: float | None = None) -> float:
    """Largest one-shot forced equity flow in a day (USD bn): vol-target risk exits (exit_fraction ×
    the funds' largest equity book, L_max × AUM) plus CTA stop-outs (stop_fraction × the largest
    position the CTAs' caps allow in one market: L_max × AUM, and at most `cta.max_share_equity` of
    the equity universe's cap `cap` when it is given)."""
    vt = v["vol_target.exit_fraction"] * v["vol_target.max_leverage"] * v["vol_target.aum"]
    book = v["cta.max_leverage"] * v["cta.aum"]
    if cap is not None and "cta.max_share_equity" in v:
        book = min(book, v["cta.max_share_equity"] * cap)
    return vt + v["cta.stop_fraction"] * book


SPX_KEYS = ("market.equity_multiplier", "market.transient_ratio", "market.depth_factor_max",
            "dealer.gamma_calm", "dealer.gamma_stressed", "market.crossover_equity_bn",
            "vol_target.exit_fraction", "vol_target.aum", "cta.aum")
BTC_KEYS = ("market.btc_multiplier", "market.btc_transient_ratio", "market.depth_factor_max",
            "market.crossover_btc_bn", "retail_crypto.leveraged_share", "retail_crypto.notional_per_trader",
            "retail_crypto.perp_spot_passthrough")


def corners(keys: tuple[str, ...], p: Params) -> list[dict[str, float]]:
    """Every corner of the plausible box of `keys` (the other parameters at their values in `p`)."""
    ranges = [plausible(k) for k in keys]
    out = []
    for combo in itertools.product(*[sorted(set(r)) for r in ranges]):
        v = {k: p[k] for k in p.values if isinstance(p[k], (int, float)) and not isinstance(p[k], bool)}
        v.update(dict(zip(keys, combo)))
        out.append(v)
    return out


def spx_corner(v: Mapping[str, float], cap: float) -> Corner:
    M, R, g = v["market.equity_multiplier"], v["market.transient_ratio"], v["market.depth_factor_max"]
    S = max(abs(v["dealer.gamma_calm"]), abs(v["dealer.gamma_stressed"])) / PCT
    K = spx_kicks(v, cap)
    qc = v["market.crossover_equity_bn"] / cap
    return Corner("SPX", {k: v[k] for k in SPX_KEYS}, round_gain(M, R, g, cap, S),
                  cascade_bound(M, R, g, cap, S, K, qc))


def btc_corner(v: Mapping[str, float], cap: float) -> Corner:
    """BTC has no proportional responder of its own (S = 0): liquidations are a kick bounded by
    the leveraged book × the share of perp flow that reaches spot; CTA stop-outs add their BTC book,
    which is at most `cta.max_share_btc` of BTC's cap — a bound relative to the cap, so it holds
    at any BTC price (a 12-year baseline where BTC fell 95% once left CTAs short 21% of its cap)."""
    M, R, g = v["market.btc_multiplier"], v["market.btc_transient_ratio"], v["market.depth_factor_max"]
    book = v["retail_crypto.people"] * v["retail_crypto.leveraged_share"] * v["retail_crypto.notional_per_trader"] / 1e9
    cta_book = v["cta.max_leverage"] * v["cta.aum"]          # per market: L_max × NAV …
    if "cta.max_share_btc" in v:                             # … and what exists
        cta_book = min(cta_book, v["cta.max_share_btc"] * cap)
    K = book * v["retail_crypto.perp_spot_passthrough"] + v["cta.stop_fraction"] * cta_book
    qc = v["market.crossover_btc_bn"] / cap
    return Corner("BTC", {k: v[k] for k in BTC_KEYS}, round_gain(M, R, g, cap, 0.0),
                  cascade_bound(M, R, g, cap, 0.0, K, qc))


def worst_case(p: Params | None = None) -> dict[str, Corner]:
    """The corner with the largest round gain per asset (SPX, BTC) over the plausible box."""
    p = p or Params.defaults()
    eq_cap = _equity_cap(p)
    spx = max((spx_corner(v, eq_cap) for v in corners(SPX_KEYS, p)), key=lambda c: c.gain)
    btc_keys = tuple(k for k in BTC_KEYS if k in p.values)
    btc = max((btc_corner(v, p["market.btc_cap"]) for v in corners(btc_keys, p)),
              key=lambda c: (c.gain, c.kick_bound))
    return {"SPX": spx, "BTC": btc}
