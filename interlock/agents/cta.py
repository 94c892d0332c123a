"""CTAs / trend followers (MODEL.md §3.2; seeds/001: trend thresholds flip long/short and force
coordinated flows).

Market-level trend state: EWMAs of the log price of SPX, UST10 and BTC over the spans of the
crossovers (MODEL.md §3.2: 8/32, 16/64 and 32/128 days, `cta.crossover_fast_spans` /
`cta.crossover_slow_spans`). Crossover k: y_k = (EMA_fast − EMA_slow) / (σ_d · √slow).
Decision rule, per CTA i and market m:
    signal_i,m = tanh( Σ_k w_i,k y_k / s_i )          heterogeneous blends w and thresholds s
    target_i,m = signal_i,m · (σ* / σ̂_m) · weight_m · NAV_i,  |target| ≤ L_max · NAV_i
    order      = θ_i · (target − position)
Forced (rounds ≥ 1): when the day's move against a position exceeds k daily s.d., the CTA cuts
a share of that position (a stop-out), once per fund and market per day: a bounded one-shot kick
(at most stop_fraction × |positions| a day; `max_kick`), not a proportional response.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..config import ParamView, RunParams
from ..errors import InputError
from . import jit
from .base import Member, Population, add_reduce, clip


@dataclass(frozen=True)
class CTAParams(ParamView, section="cta"):
    """What the CTAs read (interlock/data/params/funds.toml, [cta]). Ranges (`_min`/`_max`) are
    drawn uniformly per fund at the start."""

    aum: float                         # USD bn, all funds together
    n_funds: int                       # funds
    size_concentration: float          # Dirichlet concentration of fund sizes (large = equal sizes)
    crossover_fast_spans: list[float]  # days: fast EWMA of each crossover (MODEL.md §3.2)
    crossover_slow_spans: list[float]  # days: its slow EWMA, the same order
    target_vol: float                  # annualised σ* per market
    speed_min: float                   # θ: share of the gap to target traded per day
    speed_max: float
    signal_scale_min: float            # s: vol-normalised crossover where the signal is ≈76% long
    signal_scale_max: float
    weight_equity: float               # risk budget share of SPX futures
    weight_bond: float                 # of UST10 futures
    weight_btc: float                  # of BTC futures
    max_leverage: float                # x NAV: gross notional cap per market
    stop_loss_sigmas: float            # daily s.d.: an intraday move this far against a position stops it out
    stop_fraction: float               # share of the position cut on a stop-out
    max_share_equity: float            # all CTAs together hold at most this share of each market's
    max_share_bond: float              # size (equity universe cap, the 10-year float, BTC's cap):
    max_share_btc: float               # the futures open interest that exists

    def __post_init__(self):
        fast, slow = self.crossover_fast_spans, self.crossover_slow_spans
        if len(fast) != len(slow):
            raise InputError(f"{len(fast)} fast spans but {len(slow)} slow ones",
                             key="cta.crossover_slow_spans", allowed="one slow span per fast span")
        if any(f >= s for f, s in zip(fast, slow)):
            raise InputError("each crossover's fast span must be shorter than its slow span",
                             key="cta.crossover_fast_spans", allowed="fast < slow, pair by pair")

    def spans(self) -> np.ndarray:
        """Every EWMA span the crossovers use, ascending (days)."""
        return np.array(sorted(set(self.crossover_fast_spans) | set(self.crossover_slow_spans)))

    def crossovers(self) -> list[tuple[int, int]]:
        """(fast, slow) of each crossover as indices into `spans()`."""
        spans = list(self.spans())
        return [(spans.index(f), spans.index(s))
                for f, s in zip(self.crossover_fast_spans, self.crossover_slow_spans)]


class CTA(Member):
    """A trend-following managed-futures fund."""

    @property
    def signals(self) -> dict[str, float]:
        """Current trend signal in [−1, 1] per market."""
        pop = self.population
        sig = pop.signal_matrix()
        return {name: float(sig[self.row, j]) for j, name in enumerate(pop.market_names)}

    @property
    def positions(self) -> dict[str, float]:
        """Futures positions, USD bn notional, per market."""
        pop = self.population
        h = pop.holdings()
        return {name: float(h[self.row, c]) for name, c in zip(pop.market_names, pop.cols)}


class CTABook(Population):
    agent_class = "cta"
    member_type = CTA

    def __init__(self, model, rng):
        q = self.q = CTAParams.from_params(model.params)
        n = q.n_funds
        super().__init__(model, n, rng)
        m = self.market
        self.ann = RunParams.from_params(model.params).trading_days_per_year
        self.market_names = ["SPX", "UST10", "BTC"]
        self.cols = np.array([m.SPX, m.ust10, m.btc])             # instrument columns
        self._var_idx = np.array([m.equity_idx[-1], m.ust10, m.btc])   # the assets whose variance it reads
        self._var_list = self._var_idx.tolist()
        # the instruments' cells in the flattened (fund × instrument) order array (take/put: numpy's
        # fancy indexing costs ~1 µs more a call on these small arrays, for the same values)
        self._order_cells = (np.arange(n)[:, None] * m.n_instr + self.cols[None, :]).ravel()
        self.weights = np.array([q.weight_equity, q.weight_bond, q.weight_btc])
        self.sigma_target = q.target_vol
        self.max_lev = q.max_leverage
        self.max_share = np.array([q.max_share_equity, q.max_share_bond, q.max_share_btc])
        self.stop_k = q.stop_loss_sigmas
        self.stop_fraction = q.stop_fraction
        self.spans = q.spans()
        self.crossovers = q.crossovers()
        self.speed = rng.uniform(q.speed_min, q.speed_max, n)
        self.scale = rng.uniform(q.signal_scale_min, q.signal_scale_max, n)
        self.blend = rng.dirichlet(np.ones(len(self.crossovers)), n)   # (n, crossovers)
        self.cash = q.aum * rng.dirichlet(np.full(n, q.size_concentration))
        self.alpha = 2.0 / (self.spans + 1.0)
        # the crossovers as index arrays, and √(slow span) of each (signal_matrix takes them all at once)
        self._fast_i = np.array([f for f, _ in self.crossovers], dtype=np.intp)
        self._slow_i = np.array([s for _, s in self.crossovers], dtype=np.intp)
        self._sqrt_slow = np.sqrt(self.spans[self._slow_i])
        self.ema = np.zeros((3, len(self.spans)))                      # market × span, log price
        self.stopped = np.zeros((n, 3), dtype=bool)
        self._fk = jit.if_on(jit.fast_agents)      # agents/jit.py: when the kernels run

    def _log_levels(self) -> np.ndarray:
        m = self.market
        return np.array([math.log(m.spx / m.spx0), m.logp[m.ust10], m.logp[m.btc]])

    def _daily_var(self) -> np.ndarray:
        return self.market.var_fast[self._var_idx]      # one gather, not three scalar reads

    def signal_matrix(self, daily_var: np.ndarray | None = None) -> np.ndarray:
        sd = np.sqrt(self._daily_var() if daily_var is None else daily_var)
        # (fast EMA − slow EMA) / (σ · √slow span), every crossover at once: (3 markets, crossovers)
        y = (self.ema[:, self._fast_i] - self.ema[:, self._slow_i]) / (sd[:, None] * self._sqrt_slow)
        raw = self.blend @ y.T                                         # (n, 3 markets)
        return np.tanh(raw / self.scale[:, None])

    def begin_day(self) -> None:
        self.stopped[:] = False

    def voluntary_orders(self) -> np.ndarray:
        m = self.market
        prices = m.instrument_prices()
        nav = np.maximum(self.cash + self.units @ prices, 0.0)
        daily_var = self._daily_var()
        if self._fk is not None:             # the same orders from fused kernels (`_fast_agents.py`)
            y = np.empty((daily_var.shape[0], self._fast_i.shape[0]))
            self._fk.cta_signal_inputs(daily_var, self.ema, self._fast_i, self._slow_i, self._sqrt_slow, y)
            sig = np.tanh(self.blend @ y.T / self.scale[:, None])
            orders = np.zeros((self.n, m.n_instr))
            self._fk.cta_orders(sig, nav, float(add_reduce(nav, None)), daily_var, float(self.ann),
                               float(self.sigma_target), self.weights, float(self.max_lev), self.max_share,
                               self.market_sizes(), self.units, prices, self.cols, self.speed, orders)
            return orders
        ann_sd = np.sqrt(daily_var * self.ann)
        target = self.signal_matrix(daily_var) * (self.sigma_target / ann_sd * self.weights)[None, :] * nav[:, None]
        cap = self.max_lev * nav[:, None]
        total = add_reduce(nav, None)
        if total > 0.0:       # each fund's slice of what exists (bit-identical where it does not bind)
            cap = np.minimum(cap, (self.max_share * self.market_sizes())[None, :] * (nav / total)[:, None])
        target = clip(target, -cap, cap)
        pos = self.units.take(self.cols, axis=1) * prices[self.cols]      # (elementwise only: its layout is free)
        orders = np.zeros((self.n, m.n_instr))
        orders.put(self._order_cells, self.speed[:, None] * (target - pos))     # row i: SPX, UST10, BTC
        return orders

    def market_sizes(self) -> np.ndarray:
        """USD bn size of each market (SPX, UST10, BTC): the equity universe's cap, the 10-year
        float, BTC's cap — at today's prices."""
        m = self.market
        return np.array([m.eq_cap_total, m.cap[m.ust10], m.cap[m.btc]])

    def max_kick(self) -> np.ndarray:
        """Largest forced flow per market (SPX, UST10, BTC) in one day (USD bn)."""
        prices = self.market.instrument_prices()
        return self.stop_fraction * np.abs(self.units[:, self.cols] * prices[self.cols]).sum(axis=0)

    def forced_orders(self, round_no: int):
        m = self.market
        moves = (m.spx_intraday_return(), m.logp[m.ust10] - m.open_logp[m.ust10], m.logp[m.btc] - m.open_logp[m.btc])
        var, k = m.var_fast, self.stop_k
        # no market moved past its stop: no fund is hit (the test below, a market at a time in floats)
        if not any(abs(x) > k * math.sqrt(var[i]) for x, i in zip(moves, self._var_list)):
            return None
        move = np.array(moves)
        limit = self.stop_k * np.sqrt(self._daily_var())
        pos_units = self.units[:, self.cols]
        against = (pos_units * move[None, :]) < 0
        hit = against & (np.abs(move)[None, :] > limit[None, :]) & ~self.stopped
        if not hit.any():
            return None
        self.stopped |= hit
        prices = m.instrument_prices()
        orders = np.zeros((self.n, m.n_instr))
        orders[:, self.cols] = np.where(hit, -self.stop_fraction * pos_units * prices[self.cols], 0.0)
        return orders, "stop_out"

    def end_day(self, returns: np.ndarray) -> None:
        lv = self._log_levels()
        self.ema += self.alpha[None, :] * (lv[:, None] - self.ema)

    def columns(self) -> list[str]:
        return ["cta_position_spx_bn", "cta_position_ust10_bn", "cta_position_btc_bn", "cta_nav"]

    def record(self) -> dict[str, float]:
        prices = self.market.instrument_prices()
        pos = add_reduce(self.units[:, self.cols] * prices[self.cols], 0)
        return {"cta_position_spx_bn": float(pos[0]), "cta_position_ust10_bn": float(pos[1]),
                "cta_position_btc_bn": float(pos[2]), "cta_nav": float(add_reduce(self.cash + self.units @ prices, None))}
