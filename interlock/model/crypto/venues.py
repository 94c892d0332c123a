"""The crypto market's venues (exchanges) and the market signals crypto holders read (MODEL.md
§3.5–3.6). The model owns one `CryptoVenues` (`model.crypto`, built whether or not a crypto
population is on, so the crypto shocks always have a target) and closes it once a day, after the
market closes and before the populations' `end_day`. The crypto populations read it; the crypto
shocks (`interlock.model.shocks.crypto`) act on it.

State
    per venue v (`crypto_venues.venues.*`): holder and perp weights (shares of spot rows and of
        leveraged traders), reserves R_v (USD bn: the venue's own funds; liquidation fees feed
        them, deficits of bankrupt positions draw on them, hacks are paid from them and may push
        them below zero), trust deficit ℓ_v ∈ [0, 1) and the day its freeze ends;
    stolen_usd: hacks paid by the venues so far (the money has left the model);
    stablecoin_issued_tn: cumulative stablecoin issuance ($T, `stablecoin_demand` shocks), with its
        value at each of the last `stablecoin_window_days` closes;
    EWMAs of log BTC (span `momentum_span_days`) and of log BTC and the listed AI firms' combined
        value (span `rotation_span_days`); the last `drawdown_window_days` closes of log BTC; the
        expected policy rate at the start; market trust at the last close.

Events (shocks, any time of the day)
    hack of $H at v: R_v −= H, stolen += H (paid in full — from reserves and beyond them by
        borrowing, as Bybit did with bridge loans in Feb 2025: customers are made whole and the
        damage is to trust); ℓ_v rises by h = h_max·(1 − exp(−(H/R_v)/scale)) (h_max when v has no
        reserves left), every other venue's by contagion·h; v is frozen for `hack_freeze_days`.
    custody failure: every ℓ_v rises by `custody_trust_hit`; optionally venues freeze.
    A trust loss h combines multiplicatively: 1 − ℓ ← (1 − ℓ)(1 − h).

Daily update (`end_day`, after the close)
    ema      ← ema + α (x − ema)          α = 2 / (span + 1), for each EWMA above
    momentum_btc = ln P_BTC − EWMA(ln P_BTC)                       (span ~1 month)
    rotation     = (ln AI − EWMA_long(ln AI)) − κ (ln P_BTC − EWMA_long(ln P_BTC))   (~3 months)
                   κ < 1 because BTC's own trend is already the momentum signal: a full-weight BTC
                   leg would double it, and in a BTC market this thin (M_BTC) a strong own-trend
                   loading turns unstable
    drawdown_btc = 1 − P_BTC / max(P_BTC over the window)
    ℓ_v ← ℓ_v · 0.5^(1 / trust_half_life_days)                      (trust recovers)
    trust_prev = market trust = holder-weighted mean of 1 − ℓ_v        (the `crypto_trust` column)

Signals read at any time
    liquidity = Fed liquidity ($T, 3-month reserve change)
                + w · stablecoin issuance over the window ($T)       w = retail_crypto.stablecoin_liquidity_weight
    rate_fall = expected policy rate at the start − today's (decimal; cut odds included)

The crypto populations' orders are two-sided (`interlock.agents.base.execute`) so no holder can
sell what it does not own or spend cash it does not have: buys are dollar amounts (units = $ /
clearing price), sells are quantities (cash = units × clearing price). The market clears their
value at the pre-round price; the fill executes at the round's clearing price and rewrites the
order array with the executed dollars, so flows.parquet records exactly the cash that changed
hands. The counterparty of every trade — including a liquidated leveraged long — is the market
clearing itself: the rest of the market absorbs it through price impact (MODEL.md §2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...agents.base import add_reduce, max_reduce
from ...agents.retail_crypto import RetailCryptoParams
from ...config import ParamView, Params


@dataclass(frozen=True)
class CryptoVenuesParams(ParamView, section="crypto_venues", nested=("venues",)):
    """What the venues and the crypto shocks read (interlock/data/params/crypto.toml, [crypto_venues];
    the venues themselves are the sub-tables `crypto_venues.venues.<name>`, read by `Venue`)."""

    trust_half_life_days: float        # days for a venue's trust deficit to halve
    hack_trust_hit_max: float          # share of trust lost at a venue hacked beyond its reserves
    hack_trust_scale: float            # hack / reserves ratio of the hit's saturation
    hack_contagion: float              # share of a hack's trust hit felt at every other venue
    hack_freeze_days: int              # days a hacked venue's holders cannot trade (shock default)
    custody_trust_hit: float           # share of trust lost everywhere in a custody failure (default)
    momentum_span_days: float          # EWMA span of BTC momentum
    rotation_span_days: float          # EWMA span of the AI-vs-BTC rotation signal
    rotation_btc_weight: float         # κ: weight of BTC's own momentum in the rotation signal
    drawdown_window_days: int          # window of the BTC high the drawdown is measured from
    stablecoin_window_days: int        # window of stablecoin issuance counted as liquidity
    stablecoin_term_premium_per_tn: float   # 10y yield decline per $T issued (stablecoin_demand)
    stablecoin_ust10_share: float      # share of issuance bought as 10y-equivalent Treasuries


@dataclass
class Venue:
    """One exchange or on-chain venue (`crypto_venues.venues.<name>`)."""

    name: str
    holder_share: float                # share of spot holder rows
    perp_share: float                  # share of leveraged traders
    reserves: float                    # USD bn at the start

    @classmethod
    def from_params(cls, p: Params, name: str) -> "Venue":
        q = p.section(f"crypto_venues.venues.{name}")
        return cls(name, q["holder_share"], q["perp_share"], q["reserves"])

    @staticmethod
    def all(p: Params) -> list["Venue"]:
        return [Venue.from_params(p, name) for name in p.names_under("crypto_venues.venues")]


class CryptoVenues:
    """Venues, trust and signals of one model (`model.crypto`); see the module docstring."""

    def __init__(self, model):
        self.model = model
        p = model.params
        self.q = q = CryptoVenuesParams.from_params(p)
        m = model.market
        self.venues = Venue.all(p)
        self.names = [v.name for v in self.venues]
        nv = len(self.venues)
        self.reserves = np.array([v.reserves for v in self.venues], dtype=float)
        w = np.array([v.holder_share for v in self.venues], dtype=float)
        self.holder_weights = w / w.sum() if w.sum() > 0 else np.full(nv, 1.0 / nv)
        pw = np.array([v.perp_share for v in self.venues], dtype=float)
        self.perp_weights = pw / pw.sum() if pw.sum() > 0 else self.holder_weights.copy()
        self.trust_loss = np.zeros(nv)        # change it through hit_trust / end_day (they reset the cache)
        self._market_trust: float | None = None   # market_trust() until trust_loss next changes
        self.trust_decay = 0.5 ** (1.0 / q.trust_half_life_days)
        self.frozen_until = np.zeros(nv, dtype=np.int64)    # frozen while day < frozen_until
        self.stolen_usd = 0.0                 # paid by venues for hacks (out of the model)
        self.stablecoin_issued_tn = 0.0       # cumulative issuance (stablecoin_demand shocks)
        # cumulative issuance at the last closes (the liquidity signal counts the window's issuance)
        self._issued_hist = np.zeros(q.stablecoin_window_days)
        self.stablecoin_weight = RetailCryptoParams.from_params(p).stablecoin_liquidity_weight

        # market signals
        self.alpha = 2.0 / (q.momentum_span_days + 1.0)
        self.alpha_rot = 2.0 / (q.rotation_span_days + 1.0)
        self.ai_idx = np.array([i for i in m.equity_idx if m.names[i] != "REST"], dtype=int)
        self._ai_cap0 = m.cap0[self.ai_idx].sum()     # constant (cap0 is the start): summed once
        self.ema_btc = self.log_btc()
        self.ema_btc_long = self.log_btc()
        self.ema_ai_long = self.log_ai()
        self.window = np.full(q.drawdown_window_days, m.logp[m.btc])
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
        return math.log(float(add_reduce(m.cap[self.ai_idx], None) / self._ai_cap0))

    def expected_rate(self) -> float:
        fed = self.model.fed
        return fed.expected_rate(self.model.valuation.cut_weight)

    # ----- signals ---------------------------------------------------------------------------
    @property
    def liquidity(self) -> float:
        """Fed liquidity ($T of 3-month reserve change) plus weighted stablecoin issuance over the
        window ($T)."""
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
        self.rotation = (la - self.ema_ai_long) - self.q.rotation_btc_weight * (lb - self.ema_btc_long)
        self.window[day % self.window.size] = lb
        self._issued_hist[day % self._issued_hist.size] = self.stablecoin_issued_tn
        self.drawdown_btc = 1.0 - math.exp(lb - float(max_reduce(self.window, None)))
        self.trust_loss *= self.trust_decay
        self._market_trust = None
        self.trust_prev = self.market_trust()

    # ----- trust, freezes, hacks ---------------------------------------------------------------
    def venue_trust(self) -> np.ndarray:
        return 1.0 - self.trust_loss

    def market_trust(self) -> float:
        """Holder-weighted mean trust (read ~4 times a day: by the retail record and the crypto ETF;
        computed once per change of trust_loss)."""
        if self._market_trust is None:
            self._market_trust = float(self.holder_weights @ (1.0 - self.trust_loss))
        return self._market_trust

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
        self._market_trust = None

    def freeze(self, v: int | None, days: int) -> None:
        sel = slice(None) if v is None else v
        self.frozen_until[sel] = np.maximum(self.frozen_until[sel], self.model.day + days)

    def hack_trust_hit(self, usd_bn: float, reserves: float) -> float:
        """The trust share a hack of `usd_bn` costs a venue holding `reserves`:
        h_max·(1 − exp(−(H/R)/scale)), h_max when the venue has no reserves left."""
        ratio = usd_bn / reserves if reserves > 1e-12 else math.inf
        return self.q.hack_trust_hit_max * (1.0 - math.exp(-ratio / self.q.hack_trust_scale))

    def hack(self, usd_bn: float, venue: str, freeze_days: int | None = None) -> dict:
        """An exchange hack of `usd_bn` at `venue`. Returns what happened (for the event log)."""
        v = self.venue_index(venue)
        reserves = self.reserves[v]
        ratio = usd_bn / reserves if reserves > 1e-12 else math.inf
        hit = self.hack_trust_hit(usd_bn, reserves)
        self.reserves[v] -= usd_bn
        self.stolen_usd += usd_bn
        for i in range(len(self.venues)):
            self.hit_trust(i, hit if i == v else self.q.hack_contagion * hit)
        days = self.q.hack_freeze_days if freeze_days is None else freeze_days
        if days > 0:
            self.freeze(v, days)
        return {"venue": venue, "ratio": ratio, "trust_hit": hit, "borrowed": max(0.0, usd_bn - max(reserves, 0.0)),
                "freeze_days": days}

    def custody_failure(self, hit: float | None = None) -> float:
        """A custody failure: every venue loses a share `hit` of trust (default
        `custody_trust_hit`). Returns the hit."""
        hit = self.q.custody_trust_hit if hit is None else hit
        self.hit_trust(None, hit)
        return hit

    def money_accounts(self) -> dict[str, float]:
        """The venues keep liquidation fees and cover bankrupt positions from their reserves, and pay
        hacks in full: reserves plus what was stolen stay in the money accounts."""
        return {"crypto venue reserves + stolen": float(self.reserves.sum() + self.stolen_usd)}
