"""`CapitalFlowModel`: the Mesa model. One step = one trading day, in a fixed stage order:

    shocks → Fed (+ macro) → firms (blocks) → values → traders' voluntary orders → clearing
    round 0 → forced orders, cleared in rounds 1, 2, … until none remain or the cap → close →
    data collection

Randomness: every component draws from its own generator, derived from the model's seed and the
component's name (`numpy.random.SeedSequence`). Switching an agent class off therefore leaves
every other component's random numbers unchanged (common random numbers for attribution), and
the same config + seed gives bit-identical outputs in any process.
"""

from __future__ import annotations

import hashlib
import logging
import math
from typing import Callable, Iterable

import mesa
import numpy as np

from ..agents import jit
from ..agents.base import Population, add_reduce
from ..agents.buyback import BuybackBook
from ..agents.crypto_etf import CryptoETFBook
from ..agents.cta import CTABook
from ..agents.dealer import DealerBook
from ..agents.discretionary import DiscretionaryBook
from ..agents.fed import Fed
from ..agents.retail_crypto import RetailCryptoBook
from ..agents.vol_target import VolTargetBook
from ..config import Params, RunParams
from .blocks import Block
from .crypto.venues import CryptoVenues
from .interlock.block import InterlockBlock
from .macro import Macro
from .market import Market
from .records import EventLog, FlowLog, SeriesRecorder
from .valuation import Valuation
from .volatility import ImpliedVol

log = logging.getLogger(__name__)

# The trading populations, in activation order (each clearing round asks them in this order).
TRADERS: tuple[type[Population], ...] = (
    BuybackBook, VolTargetBook, CTABook, DiscretionaryBook, DealerBook, RetailCryptoBook, CryptoETFBook,
)
# Non-trading blocks, run after the Fed and before the traders each day.
BLOCKS: tuple[type[Block], ...] = (InterlockBlock,)
# Classes whose net equity selling lifts the VOL index's hedging demand (MODEL.md §2).
SYSTEMATIC = ("vol_target", "cta")


def _stream_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")


def trading_classes() -> list[str]:
    """The trading agent classes, in activation order: what 'every trading class off' means."""
    return [cls.agent_class for cls in TRADERS]


def agent_classes() -> list[str]:
    """Every switchable agent class: trading populations, blocks and the Fed."""
    return trading_classes() + [cls.name for cls in BLOCKS] + ["fed"]


class CapitalFlowModel(mesa.Model):
    """The capital-flow model. Build it from `Params` (see `interlock.config`) and a seed;
    `shocks` is a list of validated `interlock.model.shocks` objects; `disabled` names agent
    classes to switch off (in addition to `<class>.enabled = false`); `traders` replaces the
    trading population classes (benchmarks substitute a naive implementation of one kind)."""

    def __init__(self, params: Params | None = None, seed: int = 0, shocks: Iterable = (),
                 disabled: Iterable[str] = (), traders: Iterable[type[Population]] | None = None):
        super().__init__(seed=seed)
        self.params = params or Params.defaults()
        self.seed_value = int(seed)
        self.day = 0
        self.disabled = set(disabled)
        self.events = EventLog()
        p = self.params

        self.max_clearing_rounds = RunParams.from_params(p).max_clearing_rounds
        self.market = Market(p, self.stream("market"))
        # recorded prices: equities as market cap (USD bn), BTC in USD per coin, UST10 as a price
        # index (100 at the start; its yield is its own column)
        self._price_scale = self.market.cap0.copy()
        self._price_scale[self.market.btc] = self.market.q.btc_price
        self._price_scale[self.market.ust10] = 100.0
        self._flow_columns = [f"flow_{n}_bn" for n in self.market.names]
        self.macro = Macro(p)
        self.vol = ImpliedVol(p, self.market)
        self.fed = Fed(self, p, self.stream("fed"), active=self.is_enabled("fed"))
        self.valuation = Valuation(self, p)
        # the starting stance is the macro block's reference: only changes move growth
        self._rate_gap0 = self.fed.policy_rate - self.macro.inflation - self.fed.neutral

        self.blocks: list[Block] = [cls(self, self.stream(cls.name)) for cls in BLOCKS
                                    if self.is_enabled(cls.name)]
        self.crypto = CryptoVenues(self)
        self.populations: list[Population] = [cls(self, self.stream(cls.agent_class))
                                              for cls in (TRADERS if traders is None else traders)
                                              if self.is_enabled(cls.agent_class)]
        self._pop_by_name = {pop.agent_class: pop for pop in self.populations}
        # the flows that run every year (buybacks) have been running before the start: the starting
        # prices hold their premium (Market.start_at_steady_flows), so they do not build it again
        steady = [pop.expected_annual_flow() for pop in self.populations if hasattr(pop, "expected_annual_flow")]
        if steady:
            self.market.start_at_steady_flows(np.sum(steady, axis=0))
        classes = agent_classes() + ["external"]
        self.class_code = {c: i for i, c in enumerate(classes)}
        self.flows = FlowLog(self.market.instruments, classes)
        self._eq_cols = np.append(self.market.equity_idx, self.market.SPX)   # equity instruments + SPX
        self._k = jit.if_on(jit.kernels)     # the fused kernels (agents/jit.py)
        # called with (day, round, execution prices) before each round's fills (validation reads them)
        self.fill_observers: list[Callable[[int, int, np.ndarray], None]] = []

        self.shocks = sorted(shocks, key=lambda s: s.at)
        self.external_flow: dict[str, float] = {}    # instrument -> $bn/day injected (tests, multiplier)
        self.systematic_equity_flow = 0.0            # today's net SYSTEMATIC equity trades, USD bn
        self.day_rounds_capped = False
        self._shock_day = False                      # today's valuation repricing is the shocks' news (_apply_shocks)
        self.guard_log: list[tuple[int, str, str]] = []   # (day, guard, detail): every guard that bound

        self.valuation.update()
        self.market.news[:] = 0.0                   # day-0 values are the starting point, not news
        self.market.shock_news[:] = 0.0
        self.spx_peak = self.market.spx
        self.running = True
        self.series = SeriesRecorder({"market": self._market_columns(),
                                      **{b.name: b.columns() for b in self.blocks},
                                      **{pop.agent_class: pop.columns() for pop in self.populations}})
        self._record()

    # ----- plumbing -----------------------------------------------------------------------------
    def stream(self, name: str) -> np.random.Generator:
        """The named component's own generator (independent of which components exist)."""
        ss = np.random.SeedSequence(entropy=self.seed_value, spawn_key=(_stream_key(name),))
        return np.random.Generator(np.random.PCG64(ss))

    def is_enabled(self, name: str) -> bool:
        if name in self.disabled:
            return False
        return bool(self.params.get(f"{name}.enabled", True))

    def population(self, name: str) -> Population | None:
        return self._pop_by_name.get(name)

    def block(self, name: str) -> Block | None:
        for b in self.blocks:
            if b.name == name:
                return b
        return None

    def log_event(self, kind: str, source: str, target: str, channel: str, usd_bn: float,
                  detail: str = "") -> None:
        self.events.add(self.day, kind, source, target, channel, usd_bn, detail)

    def stability(self) -> dict:
        """Whether the run stayed within its guards: `stable` is False as soon as one bound (a flow
        or move capped, a cascade still going at the round cap, a non-finite price)."""
        reasons: dict[str, int] = {}
        for _, guard, _ in self.guard_log:
            reasons[guard] = reasons.get(guard, 0) + 1
        m = self.market
        if not (np.all(np.isfinite(m.logp)) and np.isfinite(m.spx)):
            reasons["non_finite_price"] = 1
        if self.vol.etp is not None and not self.vol.etp.converged:
            reasons["vol_etp_loop_not_converged"] = 1
        out = [f"{k}: {v} event{'s' if v != 1 else ''}" for k, v in sorted(reasons.items())]
        if self.guard_log:
            d, g, detail = self.guard_log[0]
            out.append(f"first on day {d}: {g} ({detail})")
        return {"stable": not reasons, "reasons": out, "guard_events": len(self.guard_log)}

    def spx_drawdown(self) -> float:
        return 1.0 - self.market.spx / self.spx_peak

    # ----- the day ------------------------------------------------------------------------------
    def step(self) -> None:
        """One trading day, stage by stage."""
        self.day += 1
        jit.days_simulated += 1                     # the auto mode's clock (agents/jit.py), whatever is switched off
        self.market.begin_day()
        self._apply_shocks()
        self._policy_and_macro()
        self._fundamentals()
        self._voluntary_round()
        self._forced_rounds()
        self._report_guards()
        self._close()
        self._record()

    def _apply_shocks(self) -> None:
        day = self.day
        before = self.market.news.copy() if self.shocks else None
        acting = []
        for s in self.shocks:
            if s.at == day:
                self.log_event("shock", "scenario", s.type_name, "shock", float("nan"), s.describe())
                s.apply(self)
            if s.at <= day < s.at + s.duration:
                s.during(self, day - s.at)
                acting.append(s)
            if day == s.at + s.duration:
                s.end(self)
        # today's valuation repricing is the shocks' news only when every shock acting today is
        # policy news without a volatility channel of its own (Shock.valuation_news_moves_vol)
        self._shock_day = bool(acting) and all(s.valuation_news_moves_vol for s in acting)
        if before is not None:
            self.market.shock_news += self.market.news - before

    def _policy_and_macro(self) -> None:
        self.fed.step()
        self.macro.step(rate_gap=self.fed.policy_rate - self.macro.inflation - self.fed.neutral
                        - self._rate_gap0, equity_drawdown=self.spx_drawdown())

    def _fundamentals(self) -> None:
        """Firms and other blocks, then fundamental values, then the traders' start of day."""
        for b in self.blocks:
            b.begin_day()
        if self._shock_day:
            # on a day a policy shock acts, the valuation's repricing (policy news, the discount
            # rate) is that shock's news: it moves the volatility state as any news of its size does
            # (news.py, `exogenous_draw`; Engle & Ng 1993). Other days' repricing (the Fed's rule
            # reading the markets) stays out, so without such shocks the news is the same whichever
            # classes are on; on their days it holds the Fed's state, which the markets moved. Risk
            # assets only: g was fitted to the S&P's returns, and the 10-year's news keeps its own state
            m = self.market
            before = m.news.copy()
            self.valuation.update()
            m.shock_news += np.where(m.risk_asset, m.news - before, 0.0)
        else:
            self.valuation.update()
        for pop in self.populations:
            pop.begin_day()

    def _voluntary_round(self) -> None:
        """Round 0: every population's voluntary orders, external flows and the day's news."""
        m = self.market
        noise = m.draw_noise()
        pending = []
        total = np.zeros(m.n_instr)
        for pop in self.populations:
            o = pop.voluntary_orders()
            if o is not None:
                pending.append((pop, o, "voluntary"))
                self._add_orders(total, o)
        if self.external_flow:
            ext = np.zeros(m.n_instr)
            for name, usd in self.external_flow.items():
                ext[m.instruments.index(name)] += usd
            total += ext
            self.flows.add(self.day, 0, self.class_code["external"], np.array([0]), ext[None, :], False, 0)
        self.systematic_equity_flow = 0.0
        m.clear(total, 0, noise)
        self._fill(pending, 0)

    def _add_orders(self, total: np.ndarray, o: np.ndarray) -> None:
        """total += the orders' sum per instrument (by the fused kernel when on: the same sums)."""
        if self._k is not None and o.ndim == 2 and o.flags.c_contiguous and o.dtype == np.float64:
            self._k.add_columns(total, o)
        else:
            total += add_reduce(o, 0)

    def _forced_rounds(self) -> None:
        """Rounds 1, 2, …: orders forced by the previous round's prices, until none or the cap."""
        m = self.market
        self.day_rounds_capped = False
        for rnd in range(1, self.max_clearing_rounds + 1):
            pending = []
            total = np.zeros(m.n_instr)
            for pop in self.populations:
                res = pop.forced_orders(rnd)
                if res is not None:
                    o, reason = res
                    pending.append((pop, o, reason))
                    self._add_orders(total, o)
                    self.log_event("trigger", pop.agent_class, "market", reason, float(o.sum()),
                                   f"round {rnd}")
            if not pending:
                break
            if rnd == self.max_clearing_rounds:       # guard: the cascade was still going at the cap
                self.day_rounds_capped = True
            m.clear(total, rnd)
            self._fill(pending, rnd)

    def _report_guards(self) -> None:
        m = self.market
        if self.day_rounds_capped:
            self.guard_log.append((self.day, "max_clearing_rounds", "forced orders in the last allowed round"))
            self.log_event("warning", "market", "all", "round_cap", float("nan"),
                           "forced orders in round run.max_clearing_rounds: the cascade was cut there")
        if m.capped_events:
            for name, amount in m.capped_events:
                self.guard_log.append((self.day, "capped", f"{name} {amount:+.4g}"))
            log.warning("day %d: %d flows or moves capped (see events.parquet, kind 'warning')",
                        self.day, len(m.capped_events))
            for name, amount in m.capped_events:
                self.log_event("warning", "market", name, "capped", amount,
                               "flow above max_flow_fraction or move above max_round_log_move")
            m.capped_events.clear()
        for name, move in m.news_jumps:
            self.log_event("warning", "news", name, "news_jump", move,
                           "a news move beyond max_round_log_move, priced as given (not a guard)")
        m.news_jumps.clear()

    def _close(self) -> None:
        m = self.market
        r = m.end_day()
        spx_r = math.log(m.spx / m.open_spx)
        eq_cap = m.eq_cap_total
        self.vol.update(spx_r, max(0.0, -self.systematic_equity_flow) / eq_cap, m.spx_news_today)
        etp = self.vol.etp
        if etp is not None and etp.history and etp.history[-1].day == self.vol.day:
            today = etp.history[-1]
            for name in today.terminated:        # XIV's acceleration: the product closes and is gone
                self.log_event("trigger", "vol_etp", "VOL_1M", "termination", today.trade_bn,
                               f"the {name} volatility ETPs lost ≥ {etp.q.termination_loss:.0%} in a day "
                               f"and closed their futures (vega {today.vega_bn:+.3f}bn per point)")
        for b in self.blocks:
            b.end_day(r)
        self.crypto.end_day()
        for pop in self.populations:
            pop.end_day(r)
        self.spx_peak = max(self.spx_peak, m.spx)

    def _fill(self, pending, rnd: int) -> None:
        m = self.market
        prices = m.instrument_prices()
        for observe in self.fill_observers:
            observe(self.day, rnd, prices)
        eq_cols = self._eq_cols
        for pop, o, reason in pending:
            pop.fill(o, prices)
            self.flows.add(self.day, rnd, self.class_code[pop.agent_class], pop.ids, o, rnd > 0,
                           self.flows.reason_code(reason))
            if pop.agent_class in SYSTEMATIC:
                self.systematic_equity_flow += float(add_reduce(o[:, eq_cols], None))

    # ----- recording ----------------------------------------------------------------------------
    def _market_columns(self) -> list[str]:
        m = self.market
        return (m.names + ["SPX", "UST10_yield", "VOL_1M", "VOL_3M", "hedging_demand", "etp_demand", "vol_etp_aum_bn", "news_vol", "policy_rate",
                           "cut_prob", "fed_reserves_bn", "liquidity", "political_pressure",
                           "inflation", "growth", "output_gap", "fair_yield", "spx_drawdown"]
                + self._flow_columns)

    def _market_record(self) -> dict[str, float]:
        m = self.market
        fed = self.fed
        row = dict(zip(m.names, (m.price * self._price_scale).tolist()))
        row.update(SPX=m.spx, UST10_yield=m.ust10_yield, VOL_1M=self.vol.vol_1m, VOL_3M=self.vol.vol_3m,
                   hedging_demand=self.vol.hedging, etp_demand=self.vol.etp_demand,
                   vol_etp_aum_bn=sum(self.vol.etp.aum) if self.vol.etp is not None else 0.0,
                   news_vol=m.spx_news_sigma * math.sqrt(m.ann), policy_rate=fed.policy_rate, cut_prob=fed.cut_prob,
                   fed_reserves_bn=fed.reserves, liquidity=fed.liquidity,
                   political_pressure=fed.political_pressure, inflation=self.macro.inflation,
                   growth=self.macro.growth, output_gap=self.macro.output_gap,
                   fair_yield=self.valuation.y_fair, spx_drawdown=self.spx_drawdown())
        row.update(zip(self._flow_columns, m.flows_today.tolist()))
        return row

    def _record(self) -> None:
        self.series.append({"market": self._market_record(),
                            **{b.name: b.record() for b in self.blocks},
                            **{pop.agent_class: pop.record() for pop in self.populations}})

    def release(self) -> None:
        """Drop Mesa's class-level reference to this model (Mesa 3.3 keeps every model alive
        through `Agent._ids`; a long sweep in one process must call this)."""
        mesa.Agent._ids.pop(self, None)
