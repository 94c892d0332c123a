"""What the crypto populations share (MODEL.md §3.5–3.6): the venues (exchanges) with their reserves,
trust and freezes, and the market signals crypto holders read. The model owns one
`CryptoVenues` (`model.crypto`) and closes it once a day after the market closes.

Venues. Each venue v has reserves R_v (USD bn: its own funds; liquidation fees feed them, deficits
of bankrupt positions draw on them) and a trust deficit ℓ_v ∈ [0, 1) that decays with a half-life
of months. A hack of $H on v (`exchange_hack` shock) is paid by v in full — from its reserves and,
beyond them, by borrowing (R_v < 0), as Bybit did with bridge loans in Feb 2025: customers are made
whole and the damage is to trust. ℓ_v rises by h = h_max·(1 − exp(−(H/R_v)/scale)) (h_max when v
has no reserves left), every other venue's by contagion·h, and v's holders are frozen for some
days. A custody failure raises every ℓ_v.
Market trust = holder-weighted mean of 1 − ℓ_v (the `crypto_trust` column).

Signals (market-level scalars, updated once a day after the close):
    momentum_btc = ln P_BTC − EWMA(ln P_BTC)         (span ~1 month)
    drawdown_btc = 1 − P_BTC / max(P_BTC over the window)
    liquidity    = Fed liquidity ($T, 3-month reserve change) + weighted 3-month stablecoin issuance ($T)
    rate_fall    = expected policy rate at the start − today's (decimal; cut odds included)
    rotation     = momentum of the listed AI firms' combined value over a longer span (~3 months)
                   minus κ × BTC's momentum over the same span. κ < 1 because BTC's own trend is
                   already the momentum signal: a full-weight BTC leg would double it, and in a BTC
                   market this thin (M_BTC) a strong own-trend loading turns unstable

The crypto populations' orders are two-sided (`interlock.agents.base.execute`) so no holder can sell what it does not own or spend cash it does not have:
buys are dollar amounts (units = $ / clearing price), sells are quantities (cash = units ×
clearing price). The market clears their value at the pre-round price; the fill executes at the
round's clearing price and rewrites the order array with the executed dollars, so flows.parquet
records exactly the cash that changed hands. The counterparty of every trade — including a
liquidated leveraged long — is the market clearing itself: the rest of the market absorbs it
through price impact (MODEL.md §2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class Venue:
    """One exchange or on-chain venue."""

    name: str
    holder_share: float
    perp_share: float
    reserves: float


class CryptoVenues:
    """Venues, trust and signals of one model (`model.crypto`)."""

    def __init__(self, model):
        self.model = model
        p = model.params
        q = p.section("crypto_venues")
        m = model.market
        self.venues = [Venue(name, p[f"crypto_venues.venues.{name}.holder_share"],
                             p[f"crypto_venues.venues.{name}.perp_share"],
                             p[f"crypto_venues.venues.{name}.reserves"])
                       for name in p.names_under("crypto_venues.venues")]
        self.names = [v.name for v in self.venues]
        nv = len(self.venues)
        self.reserves = np.array([v.reserves for v in self.venues], dtype=float)
        w = np.array([v.holder_share for v in self.venues], dtype=float)
        self.holder_weights = w / w.sum() if w.sum() > 0 else np.full(nv, 1.0 / nv)
        pw = np.array([v.perp_share for v in self.venues], dtype=float)
        self.perp_weights = pw / pw.sum() if pw.sum() > 0 else self.holder_weights.copy()
        self.trust_loss = np.zeros(nv)
        self.trust_decay = 0.5 ** (1.0 / q["trust_half_life_days"])
        self.frozen_until = np.zeros(nv, dtype=np.int64)    # frozen while day < frozen_until
        self.hit_max = q["hack_trust_hit_max"]
        self.hit_scale = q["hack_trust_scale"]
        self.contagion = q["hack_contagion"]
        self.freeze_days = q["hack_freeze_days"]
        self.custody_hit = q["custody_trust_hit"]
        self.stolen_usd = 0.0                 # paid by venues for hacks (out of the model)
        self.stablecoin_issued_tn = 0.0       # cumulative issuance (stablecoin_demand shocks)
        self._issued_hist = np.zeros(64)      # cumulative issuance at the last 64 closes (3 months)
        self.stablecoin_weight = p["retail_crypto.stablecoin_liquidity_weight"]

        # market signals
        self.alpha = 2.0 / (q["momentum_span_days"] + 1.0)
        self.alpha_rot = 2.0 / (q["rotation_span_days"] + 1.0)
        self.ai_idx = np.array([i for i in m.equity_idx if m.names[i] != "REST"], dtype=int)
        self.kappa_rot = q["rotation_btc_weight"]
        self.ema_btc = self.log_btc()
        self.ema_btc_long = self.log_btc()
        self.ema_ai_long = self.log_ai()
        self.window = np.full(q["drawdown_window_days"], m.logp[m.btc])
        self.momentum_btc = 0.0
        self.rotation = 0.0
        self.drawdown_btc = 0.0
        self.rate_path0 = self.expected_rate()
        self.trust_prev = self.market_trust()     # market trust at yesterday's close

    # ----- prices ----------------------------------------------------------------------------
    def log_btc(self) -> float:
        m = self.model.market
        return float(m.logp[m.btc])

    def log_ai(self) -> float:
        """Log of the listed AI firms' combined value relative to the start."""
        m = self.model.market
        return math.log(float(m.cap[self.ai_idx].sum() / m.cap0[self.ai_idx].sum()))

    def expected_rate(self) -> float:
        fed = self.model.fed
        return fed.expected_rate(self.model.valuation.cut_weight)

    # ----- signals ---------------------------------------------------------------------------
    @property
    def liquidity(self) -> float:
        """Fed liquidity ($T of 3-month reserve change) plus weighted 3-month stablecoin issuance ($T)."""
        issued = self.stablecoin_issued_tn - self._issued_hist[(self.model.day + 1) % self._issued_hist.size]
        return self.model.fed.liquidity + self.stablecoin_weight * issued

    @property
    def rate_fall(self) -> float:
        return self.rate_path0 - self.expected_rate()

    def end_day(self) -> None:
        """Once a day after the close: EWMAs, window high, trust recovery."""
        day = self.model.day
        lb, la = self.log_btc(), self.log_ai()
        self.ema_btc += self.alpha * (lb - self.ema_btc)
        self.ema_btc_long += self.alpha_rot * (lb - self.ema_btc_long)
        self.ema_ai_long += self.alpha_rot * (la - self.ema_ai_long)
        self.momentum_btc = lb - self.ema_btc
        # > 0: AI equities outrun BTC
        self.rotation = (la - self.ema_ai_long) - self.kappa_rot * (lb - self.ema_btc_long)
        self.window[day % self.window.size] = lb
        self._issued_hist[day % self._issued_hist.size] = self.stablecoin_issued_tn
        self.drawdown_btc = 1.0 - math.exp(lb - float(self.window.max()))
        self.trust_loss *= self.trust_decay
        self.trust_prev = self.market_trust()

    # ----- trust, freezes, hacks ---------------------------------------------------------------
    def venue_trust(self) -> np.ndarray:
        return 1.0 - self.trust_loss

    def market_trust(self) -> float:
        return float(self.holder_weights @ (1.0 - self.trust_loss))

    def frozen(self) -> np.ndarray:
        """Boolean per venue: holders cannot trade voluntarily today."""
        return self.model.day < self.frozen_until

    def venue_index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"unknown venue {name!r}; known: {', '.join(self.names)}") from None

    def hit_trust(self, v: int | None, hit: float) -> None:
        """Lose a share `hit` of trust at venue v (None = every venue)."""
        sel = slice(None) if v is None else v
        self.trust_loss[sel] = 1.0 - (1.0 - self.trust_loss[sel]) * (1.0 - hit)

    def freeze(self, v: int | None, days: int) -> None:
        sel = slice(None) if v is None else v
        self.frozen_until[sel] = np.maximum(self.frozen_until[sel], self.model.day + days)

    def hack(self, usd_bn: float, venue: str, freeze_days: int | None = None) -> dict:
        """An exchange hack of `usd_bn` at `venue`. Returns what happened (for the event log)."""
        v = self.venue_index(venue)
        reserves = self.reserves[v]
        ratio = usd_bn / reserves if reserves > 1e-12 else math.inf
        hit = self.hit_max * (1.0 - math.exp(-ratio / self.hit_scale))
        self.reserves[v] -= usd_bn
        self.stolen_usd += usd_bn
        for i in range(len(self.venues)):
            self.hit_trust(i, hit if i == v else self.contagion * hit)
        days = self.freeze_days if freeze_days is None else freeze_days
        if days > 0:
            self.freeze(v, days)
        return {"venue": venue, "ratio": ratio, "trust_hit": hit, "borrowed": max(0.0, usd_bn - max(reserves, 0.0)),
                "freeze_days": days}

    def money_accounts(self) -> dict[str, float]:
        """The venues keep liquidation fees and cover bankrupt positions from their reserves, and pay
        hacks in full: reserves plus what was stolen stay in the money accounts."""
        return {"crypto venue reserves + stolen": float(self.reserves.sum() + self.stolen_usd)}
