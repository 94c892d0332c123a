"""Institutional crypto: spot-ETF allocators (MODEL.md §3.6; seeds/000 '10.11': institutions 'forced
out by triggers in internal risk models', seeds/002: hacks followed by ETF outflows).

A few allocators (wealth platforms, hedge funds, pensions…) hold BTC through spot ETFs, with an
uninvested crypto budget in cash. Decision rule, per allocator i:
    w*_i   = min(w_max, w0_i · mandate_i · exp(β_m · momentum + β_l · liquidity + β_r · rate_fall)
                        · trust^τ)                                   trust = market trust (venues)
    order  = θ · (w*_i · NAV_i − BTC_i)  outside a band; buys never exceed cash
Forced exits are redemptions of a share of the allocator's BTC spread evenly over several days
(ETF redemptions settle through authorised participants over days), sold in the clearing rounds,
one tranche per allocator per day; the allocator's mandate is cut by that share and it does not
rebalance voluntarily while exiting:
  * trust exit (reason "trust_exit", round 1): on a day market trust falls by more than the
    allocator's tolerance;
  * risk exit (reason "risk_exit", any round ≥ 1): when BTC's volatility (EWMA including today's
    intraday move) or its drawdown from the window high breaches the allocator's limit; the first
    tranche goes in the round of the breach; not again within a cool-down.
A cut mandate recovers toward 1 with a half-life of months: the 'passive withdrawal' that turns an
inflow game into a stock game (seeds/000 L79). Orders are two-sided as for retail: buys in
dollars, sells in units, executed at the round's clearing price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..config import ParamView
from .base import Member, Population, add_reduce, any_reduce, clearing_value, execute, max_reduce, min_reduce


@dataclass(frozen=True)
class CryptoETFParams(ParamView, section="crypto_etf"):
    """What the ETF allocators read (interlock/data/params/crypto.toml, [crypto_etf])."""

    n_allocators: int                  # agents
    aum: float                         # USD bn of spot-ETF BTC at the start, all allocators
    size_concentration: float          # Dirichlet concentration of the allocators' shares of aum
    cash_ratio: float                  # uninvested crypto budget / AUM at the start
    speed: float                       # θ: share of the gap to target traded per day
    band: float                        # no trade inside this share of NAV around the target
    max_weight: float                  # w_max: cap of the target BTC weight
    momentum_loading: float            # β_m per unit log momentum
    liquidity_loading: float           # β_l per $T of liquidity
    rate_loading: float                # β_r per unit fall of the expected policy rate
    trust_exponent: float              # τ: target × market trust^τ
    trust_tolerance_min: float         # one-day fall of market trust that triggers an exit (uniform)
    trust_tolerance_max: float
    trust_exit_share: float            # share of BTC redeemed after a trust event
    exit_days: int                     # days over which an exit is redeemed
    vol_limit_min: float               # annualised BTC vol limit of the risk model (uniform)
    vol_limit_max: float
    drawdown_limit_min: float          # BTC drawdown limit of the risk model (uniform)
    drawdown_limit_max: float
    risk_exit_fraction: float          # share of BTC redeemed after a risk-limit breach
    exit_cooldown_days: int            # no second risk exit within this many days
    mandate_half_life_days: float      # days for a cut mandate to recover half-way to 1


class ETFAllocator(Member):
    """An institutional allocator holding BTC through spot ETFs."""

    @property
    def aum_bn(self) -> float:
        m = self.model.market
        return float(self.population.units[self.row, m.btc] * m.price[m.btc])

    @property
    def mandate(self) -> float:
        """Share of its normal BTC weight the allocator is allowed (1 = full; cut by exits)."""
        return float(self.population.mandate[self.row])

    @property
    def exiting(self) -> bool:
        return bool(self.population.exit_days_left[self.row] > 0)


class CryptoETFBook(Population):
    """All ETF allocators, vectorised."""
    agent_class = "crypto_etf"

    member_type = ETFAllocator

    def __init__(self, model, rng):
        self.q = q = CryptoETFParams.from_params(model.params)
        n = int(q.n_allocators)
        super().__init__(model, n, rng)
        self.crypto = model.crypto
        m = self.market
        self.ann = model.params["run.trading_days_per_year"]     # run-wide: annualises the vol
        aum = q.aum * rng.dirichlet(np.full(n, q.size_concentration))
        self.units[:, m.btc] = aum                         # BTC price is 1 at the start
        self.cash = q.cash_ratio * aum
        self.w0 = 1.0 / (1.0 + q.cash_ratio)
        self.tolerance = rng.uniform(q.trust_tolerance_min, q.trust_tolerance_max, n)
        self.vol_limit = rng.uniform(q.vol_limit_min, q.vol_limit_max, n)
        self.dd_limit = rng.uniform(q.drawdown_limit_min, q.drawdown_limit_max, n)
        self.speed = q.speed
        self.band = q.band
        self.w_max = q.max_weight
        self.beta = np.array([q.momentum_loading, q.liquidity_loading, q.rate_loading])
        self.tau = q.trust_exponent
        self.exit_share = q.trust_exit_share
        self.exit_days = int(q.exit_days)
        self.risk_fraction = q.risk_exit_fraction
        self.cooldown = int(q.exit_cooldown_days)
        self.recovery = 0.5 ** (1.0 / q.mandate_half_life_days)
        self.lam = m.lam_fast                    # the market's own fast EWMA of BTC's variance
        self.mandate = np.ones(n)
        self.exit_units = np.zeros(n)            # BTC units redeemed per day while exiting
        self.exit_days_left = np.zeros(n, dtype=np.int64)
        self.exit_is_risk = np.zeros(n, dtype=bool)
        self.sold_today = np.zeros(n, dtype=bool)
        self.last_risk_exit = np.full(n, -10 ** 6, dtype=np.int64)
        self.flow_today = 0.0
        self.trust_exits = 0
        self.risk_exits = 0
        self._pending = None

    def nav(self) -> np.ndarray:
        return self.cash + self.units @ self.market.instrument_prices()

    # ----- the day ------------------------------------------------------------------------------
    def _start_exit(self, hit: np.ndarray, share: float, risk: bool, why: str) -> None:
        m = self.market
        self.exit_units[hit] = share * self.units[hit, m.btc] / self.exit_days
        self.exit_days_left[hit] = self.exit_days
        self.exit_is_risk[hit] = risk
        self.mandate[hit] *= 1.0 - share
        for i in np.flatnonzero(hit):
            self.model.log_event("trigger", "crypto_etf", "BTC", "risk_exit" if risk else "trust_exit",
                                 float(share * self.units[i, m.btc] * m.price[m.btc]),
                                 f"allocator {int(self.ids[i])}: {why}")

    def begin_day(self) -> None:
        self.flow_today = 0.0
        self.sold_today[:] = False
        st = self.crypto
        drop = st.trust_prev - st.market_trust()
        if drop <= min_reduce(self.tolerance):          # no allocator's tolerance is exceeded
            return
        hit = (drop > self.tolerance) & (self.exit_days_left == 0)
        if any_reduce(hit):
            self._start_exit(hit, self.exit_share, False, f"market trust −{drop:.1%} in a day")
            self.trust_exits += int(hit.sum())

    def target_weight(self) -> np.ndarray:
        st = self.crypto
        x = self.beta @ np.array([st.momentum_btc, st.liquidity, st.rate_fall])
        return np.minimum(self.w_max, self.w0 * self.mandate * math.exp(x) * st.market_trust() ** self.tau)

    def voluntary_orders(self) -> np.ndarray:
        m = self.market
        prices = m.instrument_prices()
        pb = prices[m.btc]
        nav = self.cash + self.units @ prices
        buy = np.zeros((self.n, m.n_instr))
        sell = np.zeros((self.n, m.n_instr))
        self._pending = (buy, sell)
        if self._k is not None:                 # the fused kernels (Population._k): the same arithmetic
            out = np.empty((self.n, m.n_instr))
            self._k.etf_orders(nav, self.target_weight(), self.units, self.cash, m.btc, pb, self.band, self.speed,
                               self.exit_days_left, prices, buy, sell, out)
            return out
        held = self.units[:, m.btc] * pb
        gap = self.target_weight() * nav - held
        trade = np.where((np.abs(gap) > self.band * nav) & (self.exit_days_left == 0), self.speed * gap, 0.0)
        buy[:, m.btc] = np.minimum(np.maximum(trade, 0.0), np.maximum(self.cash, 0.0))
        sell[:, m.btc] = np.minimum(np.maximum(-trade, 0.0) / pb, self.units[:, m.btc])
        return clearing_value(buy, sell, prices)

    def forced_orders(self, round_no: int):
        m = self.market
        st = self.crypto
        if self._k is not None:                 # the four reductions below in one fused call
            exiting, high, vol_min, dd_min = self._k.etf_limits(self.exit_days_left, st.window, self.vol_limit,
                                                                self.dd_limit)
        else:
            exiting = bool(any_reduce(self.exit_days_left))
            high = vol_min = dd_min = None
        due = (self.exit_days_left > 0) & ~self.sold_today if exiting else None
        if exiting and round_no == 1 and (due & ~self.exit_is_risk).any():
            sel, reason = due & ~self.exit_is_risk, "trust_exit"
        elif exiting and (due & self.exit_is_risk).any():
            sel, reason = due & self.exit_is_risk, "risk_exit"
        else:
            if high is None:
                high, vol_min, dd_min = max_reduce(st.window), min_reduce(self.vol_limit), min_reduce(self.dd_limit)
            lb = float(m.logp[m.btc])
            r = lb - float(m.open_logp[m.btc])
            vol = math.sqrt((self.lam * float(m.var_fast[m.btc]) + (1.0 - self.lam) * r * r) * self.ann)
            dd = 1.0 - math.exp(lb - max(float(high), lb))
            if vol <= vol_min and dd <= dd_min:
                return None                            # no allocator's risk limit is breached
            day = self.model.day
            sel = ((vol > self.vol_limit) | (dd > self.dd_limit)) & (day - self.last_risk_exit >= self.cooldown) \
                & (self.exit_days_left == 0)
            if not sel.any():
                return None
            self._start_exit(sel, self.risk_fraction, True, f"BTC vol {vol:.0%}, drawdown {dd:.0%}")
            self.last_risk_exit[sel] = day
            self.risk_exits += int(sel.sum())
            reason = "risk_exit"
        sell = np.zeros((self.n, m.n_instr))
        sell[:, m.btc] = np.where(sel, np.minimum(self.exit_units, self.units[:, m.btc]), 0.0)
        self.exit_days_left[sel] -= 1
        self.sold_today |= sel
        buy = np.zeros((self.n, m.n_instr))
        self._pending = (buy, sell)
        return clearing_value(buy, sell, m.instrument_prices()), reason

    def fill(self, orders: np.ndarray, prices: np.ndarray) -> None:
        buy, sell = self._pending
        self._pending = None
        execute(self.units, self.cash, orders, buy, sell, prices, self._k)
        self.flow_today += float(add_reduce(orders[:, self.market.btc], None))

    def end_day(self, returns: np.ndarray) -> None:
        self.mandate = 1.0 - (1.0 - self.mandate) * self.recovery

    # ----- recording ----------------------------------------------------------------------------
    def columns(self) -> list[str]:
        return ["etf_aum_bn", "etf_flow_bn", "etf_cash_bn", "etf_mandate"]

    def record(self) -> dict[str, float]:
        m = self.market
        aum = float(add_reduce(self.units[:, m.btc], None) * m.price[m.btc])
        return {"etf_aum_bn": aum, "etf_flow_bn": self.flow_today, "etf_cash_bn": float(add_reduce(self.cash, None)),
                "etf_mandate": float(add_reduce(self.mandate) / self.n)}      # mean() without its wrapper

    # ----- summary ------------------------------------------------------------------------------
    def summary_metrics(self, ts, flows, events) -> dict:
        """Summary: ETF net flows (creations − redemptions), the worst day, exits."""
        f = ts["etf_flow_bn"].to_numpy()
        return {"crypto_etf": {
            "net_flow_bn": float(f.sum()),
            "worst_day_flow_bn": float(f.min()),
            "worst_day": int(np.argmin(f)),
            "outflow_days": int((f < 0).sum()),
            "aum_start_bn": float(ts["etf_aum_bn"].iloc[0]),
            "aum_end_bn": float(ts["etf_aum_bn"].iloc[-1]),
            "trust_exits": self.trust_exits,
            "risk_exits": self.risk_exits,
        }}
