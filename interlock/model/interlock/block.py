"""The AI capital interlock block (MODEL.md §3.4; seeds/000's investment → financing → revenue
loop): firms on the deals graph, their cash flows, the cascades between them, their fundamental
values and the compute market. A non-trading block: it runs after the Fed and before the traders
each day.

Each day the compute market steps (capacity from lagged capex, demand, utilisation) and every
firm's cash moves at the current rates; spending flows along supply edges as the sellers'
revenue. On billing days (monthly, when a deal starts or ends, on a spender's guidance day and
whenever a shock or a cut changed something) the days are booked, decisions taken and rates
reset. Labs whose cash runs low hold a funding round. Firms' fundamental values go to
`model.valuation.base`, so part of each change is priced at once as news and flows do the rest.

The firms' decisions are not here: they live with each firm kind in `interlock.agents` —
- `agents/hyperscaler.py`: capex (hyperscalers, neoclouds; quarterly on each firm's guidance day),
  what a firm can fund (debt capacity, equity room, funding room) and the treasury rule (borrow,
  then sell shares, when cash falls below its floor);
- `agents/ai_lab.py`: a lab's net burn, when it raises, its funding round and its commitment cuts;
- `agents/investor.py`: graph investors' willingness to pay scheduled tranches and outside
  investors' sentiment.
This block gathers the signals each rule reads, calls it and books the result (the ledger), and
keeps the accounting around the decisions: revenue outside the graph, operating cash flow, the
compute market, values (`values.py`), stake mark-downs and DebtRank losses, the recording.

Every propagation is a `cascade` event (day, source, target, channel, $bn, detail): `supply`
(capex or commitments cut: annual run-rate or remaining contract value the seller loses),
`equity` (stake marked down; scheduled investment withheld), `financing` (lender's expected loss).
Funding rounds and borrowing are `funding` events.
"""

from __future__ import annotations

import math
from functools import cached_property, lru_cache

import numpy as np
from mesa.discrete_space import Network

from ...agents import ai_lab, hyperscaler, investor, jit
from ...agents.base import clip
from ...agents.ai_lab import FundingParams
from ...agents.firms import Firm
from ...config import RunParams
from ...agents.hyperscaler import CapexParams, CapexSignals, fade
from ...inputs.deals import parse_conversion
from ...inputs.firms import load_firms, snake
from ...inputs.snapshots import data_files
from ...inputs.tables import stamp
from ..blocks import Block
from .compute_market import ComputeMarket
from .deals import book_deals, build_graph, load_deals, resolve_schedules
from .ledger import RUN_RATE, InterlockLedger
from .metrics import interlock_summary
from .params import DealsParams, ExposureParams, FirmsParams, InterlockParams, ValuationParams
from .values import cross_holding_values, debtrank, growth_multiple

NEVER = 10 ** 9               # a day that never comes (no funding check due)
# numerical guards, not parameters
EPS = 1e-9                    # divisor floor for amounts (USD bn) and ratios that can be zero
LOG_FLOOR = 1e-12             # floor of a ratio before its log
MIN_VALUE_BN = 1e-6           # a firm's value stays positive (its log is taken)
MIN_LOSS_BN = 1e-12           # a stake mark-down is logged only if there is a loss (threshold 0)


@lru_cache(maxsize=8)
def _deal_tables(firms_file: str, firms_stamp: tuple[int, int], deals_file: str, deals_stamp: tuple[int, int],
                 dp: DealsParams, start_date: str) -> tuple:
    """The deals graph (as announced) and the deals table as booked, for the files as they are
    (path, modification time and size: the loaders' own cache key) and the deal parameters: ~25 ms
    of pandas row iteration, the same for every run of a sweep, so cached per process (issue #16).
    Callers take copies."""
    firms = load_firms(firms_file)
    deals = load_deals(deals_file, firms, ramped=dp.ramped, share_settled=dp.share_settled, as_of=start_date)
    deals = resolve_schedules(deals, firms, dp.run_rate_max_years)
    graph = build_graph(firms, deals)
    booked = book_deals(deals, start_date, parse_conversion(dp.conversion, "interlock.deals.conversion",
                                                            "interlock.deals.conversion"),
                        dp.renewal_rate, dp.renewal_max_years, dp.renewal_horizon_years, dp.recognition_ramp_years)
    return graph, booked


class InterlockBlock(Block):
    """The capital interlock. Arrays by firm row (`ledger.names` order): `revenue`, `operating`,
    `value`, `guidance`, `willingness`; `ledger` (cash, debt, capex, stakes, loans, accounts);
    `compute` (the compute market); `graph` (the deals MultiDiGraph); `firms` (the Mesa agents on
    `space`, one per firm, with its decisions in domain words). Parameter views:
    `interlock_params`, `firm_params`, `valuation_params` (params.py), `capex_params`
    (agents.hyperscaler), `funding_params` (agents.ai_lab), `q_compute` (compute_market)."""
    name = "interlock"

    def __init__(self, model, rng: np.random.Generator):
        super().__init__(model, rng)
        p = model.params
        self.interlock_params = ip = InterlockParams.from_params(p)
        self.firm_params = fp = FirmsParams.from_params(p)
        self.valuation_params = vp = ValuationParams.from_params(p)
        dp = DealsParams.from_params(p)
        self.capex_params = CapexParams.from_params(p)       # the spenders' rules
        self.funding_params = qf = FundingParams.from_params(p)   # the labs', investors' and lenders'
        rp = RunParams.from_params(p)
        self.ann = float(rp.trading_days_per_year)
        self.q_len = int(rp.days_per_quarter)
        self.quarters = self.ann / self.q_len                 # quarters a year
        firms_file, deals_file = data_files(p)
        firms = load_firms(firms_file)
        graph, deals = _deal_tables(str(firms_file), stamp(firms_file), str(deals_file), stamp(deals_file), dp,
                                    rp.start_date)
        self.graph = graph.copy()                          # the deals as announced
        deals = deals.copy()
        self.deals = deals                                 # as booked: × conversion, renewals, recognition
        L = self.ledger = InterlockLedger(
            firms, deals, rp.start_date, days_per_year=int(self.ann),
            unknown_cash_share=fp.unknown_cash_share, unknown_cash_revenue_share=fp.unknown_cash_revenue_share,
            residual_capex_min_share=dp.residual_capex_min_share, max_stake=dp.max_stake_share)
        if jit.use_kernels():                 # the ledger's daily arithmetic by the fused kernels (agents/jit.py)
            L.use_kernels(jit.kernels())
        n = L.n
        m = model.market
        # operating cash flow at the starting (run-rate) revenue: the trailing figure + the
        # incremental margin on the revenue added since (labs: a margin of revenue, set below)
        L.ocf0 = L.ocf0 + self.capex_params.ocf_capex_share * (L.revenue0 - L.revenue_ttm) * ~L.is_lab
        L.operating_rate = L.ocf0.copy()
        self.billing_days = ip.billing_days
        self.min_event = ip.cascade_min_bn
        self.momentum_days = ip.momentum_days
        self.horizon = vp.high_growth_years
        self.g_inf = vp.long_run_growth
        self.min_runway, self.target_runway = ai_lab.runways(qf, self.ann)
        self.spread0 = qf.credit_spread

        # kinds of firm, as masks
        s = L.supply
        self._hyper = L.kind == "hyperscaler"
        self._neo = L.kind == "neocloud"
        self._sup = np.isin(L.kind, ("chip_vendor", "other_suppliers"))
        self._ai_seller = self._hyper | L.is_lab
        self._hw = L.is_lab[s.src] & self._sup[s.dst]            # labs' own hardware purchases
        self._rr = (s.sched == RUN_RATE).astype(float)
        self._spenders = np.flatnonzero(L.is_spender)
        self._labs = np.flatnonzero(L.is_lab)
        self._borrowers = ~L.is_lab & (np.arange(n) != L.other)

        # listed firms ↔ market assets
        tick = list(firms["ticker"])
        self.asset_of = np.array([m.idx.get(t, -1) if (lst and t) else -1 for t, lst in zip(tick, firms["listed"])])
        self.listed = np.flatnonzero(self.asset_of >= 0)
        self.listed_assets = self.asset_of[self.listed]
        self._listed_pos = {int(i): k for k, i in enumerate(self.listed)}
        value0 = L.value0.copy()
        value0[self.listed] = m.cap0[self.listed_assets]
        ai = firms["ai_revenue_share"].to_numpy(float) if "ai_revenue_share" in firms else np.full(n, np.nan)
        default_ai = np.isin(L.kind, ("ai_lab", "neocloud", "other_suppliers")).astype(float)
        self.ai_share = np.clip(np.where(np.isnan(ai), default_ai, ai), 0.0, 1.0)

        # exposure to the compute channel (segment data in the firms table, docs/interlock.md "Re-pricing
        # by exposure"): the share of revenue sold as compute volume, the growth of that revenue the
        # firm's own guidance implies, and what a buyer spends on compute (AI capex / revenue)
        col = lambda c: firms[c].to_numpy(float) if c in firms else np.full(n, np.nan)  # noqa: E731
        sales = col("compute_sales_share")
        self.compute_sales = np.clip(np.where(np.isnan(sales), np.where(L.is_lab, 0.0, self.ai_share), sales), 0.0, 1.0)
        self.compute_fwd_growth = col("compute_forward_growth")
        self._fwd_of: np.ndarray | None = None
        guid_rate = np.nan_to_num(np.where(np.isnan(col("capex_guidance_bn")), L.capex0, col("capex_guidance_bn")))
        self.buyer_share = np.where(self._hyper & (L.revenue0 > 0), guid_rate / np.maximum(L.revenue0, EPS), 0.0)
        self.volume_shocks: list[tuple[float, float, np.ndarray]] = []   # (from, to, Δ expected growth)
        self._pv_bins: dict[int, tuple] = {}      # copies -> (supply schedule, bins), _present_values
        self.saving = np.zeros(n)                 # buyers' compute-cost saving kept (USD bn/yr)
        ex = ExposureParams.from_params(p)
        self.forward_years, self.saving_kept = ex.forward_years, ex.buyer_saving_kept

        # revenue outside the graph: what the graph does not explain (at least a floor share)
        rev0 = L.revenue0
        exo0 = np.maximum(rev0 - L.revenue_graph, fp.exogenous_revenue_floor * np.maximum(rev0, L.revenue_graph))
        self.exo_ai0 = self.ai_share * exo0
        self.exo_non0 = (1.0 - self.ai_share) * exo0
        self.log_ai = np.zeros(n)                 # ∫ AI revenue growth
        self.log_non = np.zeros(n)                # ∫ non-AI revenue growth
        self.lab_scale = np.ones(n)               # labs' growth after commitment cuts
        self.growth_adj = np.zeros(n)             # earnings-miss shocks to AI growth
        self.miss = np.ones(n)                    # earnings-miss shocks to revenue level
        self.rerating = np.ones(n)                # shocks to a firm's multiple (labs after DeepSeek)
        self.outside_factor = np.ones(n)          # lab_funding_gap: outside investors' appetite
        self.investor_factor = np.ones(n)         # lab_funding_gap: graph investors' appetite (by investee)

        # capex plans and the compute market
        self._capex_total = self.capex_total0 = self._ai_capex()
        self.compute = ComputeMarket(p, self.capex_total0, self.horizon, self.g_inf)
        self.q_compute = self.compute.q
        guid = firms["capex_guidance_bn"].to_numpy(float) if "capex_guidance_bn" in firms else np.full(n, np.nan)
        guid = np.where(np.isnan(guid) | (guid <= 0), L.capex0, guid)
        self.guidance = np.where(L.is_spender, guid, L.capex0)
        self.g_plan0 = np.zeros(n)
        # guidance days: each listed firm's earnings day (buyback.earnings_day); firms without one
        # are spread evenly over the quarter
        phase = []
        for i, t in enumerate(tick):
            key = f"buyback.earnings_day.{t}"
            phase.append(int(p[key]) if t and key in p.values else (i * self.q_len) // n)
        self.guidance_phase = np.array(phase)
        self._phases = {int(self.guidance_phase[i]) for i in self._spenders}

        # state
        self.day = 0
        self.t = 0.0
        self.logp_hist = np.zeros((self.momentum_days + 1, len(self.listed)))   # ring buffer of log prices
        self.willingness = np.ones(n)
        self._w_edge = np.ones(L.equity.n)
        self.sentiment = 1.0
        self.spread = self.spread0
        self.lender_distress = 0.0
        self.cash_change = np.zeros(n)
        self.revenue = rev0.copy()
        self._revenue0 = rev0.copy()
        self.operating = L.ocf0.copy()
        self.q_lab = np.ones(n)
        self.m = np.ones(n)
        self.value = np.nan_to_num(value0, nan=0.0)
        self.value0 = self.value.copy()
        self.duration = np.zeros(len(self.listed))
        self.logv_anchor = np.zeros(len(self.listed))
        self.y0 = self.y_anchor = model.valuation.y_fair0
        self._drift_listed = model.valuation.drift[self.listed_assets].copy()
        self.D_eq = model.valuation.D_eq
        self.days_unbooked = 0
        self.next_refresh = 0
        self._t_refresh = 0.0
        self._pending_revalue = False
        self._pending_guidance = False
        self._decided_day = -1
        self._funding_due = 0
        self._last_funding = -NEVER
        self._outside_log: list[tuple[int, int, float]] = []
        self._issued: list[tuple[int, int, float]] = []
        self._capex_hist: list[float] = []
        self.commitments_cut = 0.0
        self.lab_funding = 0.0
        self.capex_prev = L.capex.copy()
        self.revenue_ratio_prev = np.ones(n)
        self.withheld_logged = np.zeros(L.equity.n)
        self.h_logged = np.zeros(n)
        self.starts = self._schedule_days()
        self.loans0 = L.loans.copy()
        self.invested0 = L.invested_edge.copy()

        # day 0: rates and revenue; plans capped at what firms can fund; multiples calibrated so
        # that values start at market caps (listed) and last rounds (labs)
        self._refresh(first=True)
        self.cc0 = self._cost_of_capital()
        self._counterparty()
        self._debt_cap = self._debt_capacity()
        for i in self._spenders:
            if L.capex0[i] > 0:
                self.guidance[i] = hyperscaler.guidance_at_start(self.guidance[i], L.capex0[i], self.funding_room(i))
                self.g_plan0[i] = math.log(self.guidance[i] / L.capex0[i])
        self.compute.project(self._planned_capex, self.horizon + self.compute.lag_days / self.ann)
        pv0 = self._present_values(self._discount(self.cc_base()))[0]
        target = np.where(np.isnan(value0), pv0, value0)
        standalone = (np.eye(n) - L.stakes) @ target
        floor = vp.min_standalone_share * target
        self.m = np.where(pv0 > 0, np.maximum(standalone, floor) / np.where(pv0 > 0, pv0, 1.0), 1.0)
        self.value0 = target
        self._revalue(log=False)
        self.value_peak = self.value.copy()
        self.stake_ref = L.stakes * self.value[None, :]
        self._record_cache()

        # Mesa: the firms, placed on the deals network
        self.space = Network(self.graph, capacity=1, random=model.random)
        self.firms = [Firm(model, self, i, self.space[name]) for i, name in enumerate(L.names)]

    # ----- helpers ------------------------------------------------------------------------------
    def _schedule_days(self) -> set[int]:
        """Days a scheduled deal starts or ends (rates change): refresh then."""
        L = self.ledger
        days = set()
        for s in (L.supply, L.equity, L.financing):
            for x in np.concatenate([s.start, s.start + s.dur]):
                d = int(math.ceil(x * self.ann))
                if d > 0:
                    days.add(d)
        return days

    def _ai_capex(self) -> float:
        """AI capex run-rate (USD bn/yr): spenders' capex plus labs' direct hardware purchases."""
        L = self.ledger
        return float(L.spend[self._spenders].sum() + L.rates[self._hw].sum())

    def _planned_capex(self, t: float) -> float:
        """AI capex the firms planned at the start for time t (years): spenders' capex growing at
        their guidance growth (fading to the long-run rate) + labs' scheduled hardware."""
        L = self.ledger
        g0, H, gi = self.g_plan0[self._spenders], self.horizon, self.g_inf
        u = min(max(t, 0.0), H)
        log_growth = gi * t + (g0 - gi) * ((u - u * u / (2 * H)) if H > 0 else 0.0)
        return float((L.capex0[self._spenders] * np.exp(log_growth)).sum() + L.supply.rate(t)[self._hw].sum())

    def cc_base(self) -> float:
        """Base discount rate of equity: the fair 10-year yield + the equity risk premium."""
        return self.model.valuation.y_fair + self.valuation_params.equity_risk_premium

    def _cost_of_capital(self) -> float:
        """The AI complex's cost of borrowing: the fair yield + the AI credit spread."""
        return self.model.valuation.y_fair + self.spread

    def _discount(self, base: float) -> np.ndarray:
        """Each firm's discount rate: the fair yield + equity risk premium + the widening of the AI
        credit spread weighted by the firm's leverage."""
        L = self.ledger
        lev = L.debt / np.maximum(L.debt + self.value, EPS)
        return base + (self.spread - self.spread0) * lev

    def momentum(self) -> np.ndarray:
        """Log return over the last `momentum_days` (63) of each listed firm (in `listed` order)."""
        lp = self.model.market.logp[self.listed_assets]
        if self.day < self.momentum_days:
            return lp.copy()                      # log prices start at 0
        return lp - self.logp_hist[(self.day - self.momentum_days) % len(self.logp_hist)]

    # ----- the day ------------------------------------------------------------------------------
    def begin_day(self) -> None:
        model = self.model
        self.day = day = model.day
        self.t = day / self.ann
        if day == 1:
            self._update_buybacks()              # the traders exist from here on
        self.compute.step(day, self._capex_total)
        # AI capex growth for the macro block: y/y change (history before day 0 flat at the start)
        self._capex_hist.append(self._capex_total)
        k = day - 1 - int(self.ann)
        model.macro.ai_capex_growth_bn = self._capex_total - (self._capex_hist[k] if k >= 0 else self.capex_total0)
        if (day >= self.next_refresh or self._pending_revalue or self._pending_guidance or day in self.starts
                or (day % self.q_len) in self._phases):
            self._refresh()
        elif self._ramp_live(self.t):
            self._recognise()
        self.ledger.cash += self.cash_change
        self.days_unbooked += 1
        if day >= self._funding_due:
            self._funding()
        # fundamental values: the anchor from the last revaluation, moved daily by the discount
        # rate with each firm's own duration; valuation.update() subtracts the market-wide duration
        # term D_eq·Δy and adds the drift, so both are cancelled here (no double counting)
        y = model.valuation.y_fair
        if self.ledger._k is not None:       # the same arithmetic, fused
            self.ledger._k.interlock_values(self.logv_anchor, self.duration, y - self.y_anchor, self.D_eq * (y - self.y0),
                                            self._drift_listed, self.listed_assets, model.valuation.base,
                                            model.market.logp, self.logp_hist, day % len(self.logp_hist))
            return
        logv = self.logv_anchor - self.duration * (y - self.y_anchor) + self.D_eq * (y - self.y0)
        model.valuation.base[self.listed_assets] = logv - self._drift_listed
        self.logp_hist[day % len(self.logp_hist)] = model.market.logp[self.listed_assets]

    def _refresh(self, first: bool = False) -> None:
        """Book the days since the last refresh, take today's decisions and reset the rates."""
        L = self.ledger
        t = self.t
        if not first:
            L.book(self.days_unbooked, self.value)
            self._grow_exogenous(t - self._t_refresh)
        self.days_unbooked = 0
        self._t_refresh = t
        self.next_refresh = self.day + self.billing_days
        L.draw_new_loans(t)
        self._lvl = self._ai_level()
        self._remaining = L.supply.remaining(t)
        if not first:
            self._debt_cap = self._debt_capacity()
            self._decisions()
        self._g_capex = self._capex_growth_expected()
        self._g_ai = self._ai_growth_now()
        # revenue outside the graph, then every deal's rate
        exo = self._exogenous_revenue()
        L.revenue_exo = exo
        L.revenue_ratio = self.revenue / np.maximum(self._revenue0, EPS)
        L.rates_at(t)
        self.revenue = exo + L.revenue_graph
        if first:
            self._revenue0 = self.revenue.copy()
            L.revenue_ratio = np.ones(L.n)
        self._set_operating()
        self._debt_cap = self._debt_capacity()
        self._investors_decide()
        L.equity_rates_at(t, self._w_edge)
        self._fwd1 = L.forward_purchases(t, 1.0)
        self._auto_borrow()
        self.cash_change = L.daily_cash_change()
        self._capex_total = self._ai_capex()
        if first:
            self._rates_prev = L.rates.copy()
            return
        self._update_buybacks()
        self._log_supply_changes()
        if self._pending_revalue:
            self._revalue()
        self._pending_revalue = False
        self._schedule_funding_check()
        self._record_cache()

    def _set_operating(self) -> None:
        """Operating cash flow: labs keep a margin of revenue; others add an incremental margin."""
        L = self.ledger
        self.operating = np.where(L.is_lab, self.firm_params.lab_cash_margin * self.revenue,
                                  L.ocf0 + self.capex_params.ocf_capex_share * (self.revenue - self._revenue0))
        L.operating_rate = self.operating

    def _ramp_live(self, t: float) -> bool:
        """Whether a ramping contract (a GW deployment, a contract coming online) is paying at t:
        its rate rises every day, so revenue is recognised daily rather than at billing."""
        return self.ledger.supply.ramp_live(t)

    def _recognise(self) -> None:
        """Between billing days, while contracts ramp: book the days at the old rates, then set
        today's rates, the sellers' revenue, operating cash and the daily cash change (no
        decision is taken; revenue outside the graph moves at billing)."""
        L = self.ledger
        L.book(self.days_unbooked, self.value)
        self.days_unbooked = 0
        L.rates_at(self.t)
        if L._k is not None:                 # the three steps below in one kernel, bit-identical
            eq_in, eq_out = L.equity_flows()
            self.revenue, self.operating, self.cash_change = rv, op, cc = np.empty(L.n), np.empty(L.n), np.empty(L.n)
            L._k.interlock_cash(L.revenue_exo, L.revenue_graph, L.is_lab, self.firm_params.lab_cash_margin, L.ocf0,
                                self.capex_params.ocf_capex_share, self._revenue0, L.spend, L.pays_cash, L.fixed_capex,
                                L.dividend_rate, eq_in, eq_out, L.ann, rv, op, cc)
            L.operating_rate = op
        else:
            self.revenue = L.revenue_exo + L.revenue_graph
            self._set_operating()
            self.cash_change = L.daily_cash_change()
        self._record_cache()

    def _decisions(self) -> None:
        """Spenders guiding today set capex; after a shock every spender's guidance is revised."""
        day = self.day
        if self._decided_day != day and (day % self.q_len) in self._phases:
            self._decided_day = day
            for i in self._spenders[self.guidance_phase[self._spenders] == day % self.q_len]:
                self._decide_capex(i, update=True)
            self._pending_revalue = True
        if self._pending_guidance:
            for i in self._spenders:
                self._decide_capex(i, update=False)
            self._pending_guidance = False

    # ----- revenue outside the graph --------------------------------------------------------------
    def _ai_growth_now(self) -> np.ndarray:
        """Each firm's current (realised = expected) growth of its own AI revenue: hyperscalers'
        AI businesses and labs at their fading growth (+ the adoption wave); neoclouds' new
        business with their customers' capex guidance; shocks' adjustments."""
        L, t, fp = self.ledger, self.t, self.firm_params
        ag = self.q_compute.agentic_revenue_elasticity * self.compute.agentic_growth(t)
        g = np.where(self._hyper, fade(fp.ai_revenue_growth, t, self.horizon, self.g_inf) + ag, 0.0)
        g = np.where(L.is_lab, fade(fp.lab_revenue_growth, t, self.horizon, self.g_inf) * self.lab_scale + ag, g)
        g = np.where(self._neo, self._g_capex, g)
        return g + self.growth_adj

    def _capex_growth_expected(self) -> float:
        """Spenders' capex-weighted guidance growth (log, next year)."""
        L = self.ledger
        sp = self._spenders
        w = L.capex[sp]
        g = np.log(np.maximum(self.guidance[sp], EPS) / np.maximum(w, EPS))
        return float(w @ g / w.sum()) if w.sum() > 0 else 0.0

    def _grow_exogenous(self, dt: float) -> None:
        if dt > 0:
            self.log_non += fade(self.firm_params.non_ai_revenue_growth, self.t, self.horizon, self.g_inf) * dt
            self.log_ai += self._g_ai * dt          # at the rates set at the last refresh

    def _ai_level(self) -> np.ndarray:
        """Level factors of AI revenue against plan, from the compute market: efficiency and
        adoption for AI sellers; demand and GPU-hour prices (utilisation) against the planned path
        for neoclouds; AI capex for suppliers."""
        cm, qc = self.compute, self.q_compute
        ai_rev = math.exp(cm.ai_revenue_log_factor() + qc.agentic_revenue_elasticity * cm.agentic_level(self.t))
        neo = math.exp(math.log(cm.demand) - cm.log_expected_demand + qc.gpu_price_elasticity
                       * (math.log(max(cm.utilisation, LOG_FLOOR)) - cm.planned_log_utilisation(self.t)))
        lvl = np.where(self._ai_seller, ai_rev, 1.0)
        lvl = np.where(self._neo, neo, lvl)
        return np.where(self._sup, self._capex_total / self.capex_total0, lvl)

    def _exogenous_revenue(self) -> np.ndarray:
        return (self.exo_non0 * np.exp(self.log_non) + self.exo_ai0 * np.exp(self.log_ai) * self._lvl) * self.miss

    # ----- spenders' capex (the rule: agents/hyperscaler.py) ---------------------------------------
    def capex_signals(self, i: int) -> CapexSignals:
        """What spender i sees now: its planned growth, the compute market, its AI revenue against
        plan, its stock (listed firms), the cost of capital and what it can fund."""
        cm, t = self.compute, self.t
        listed = {}
        k = self._listed_pos.get(int(i))
        if k is not None:
            mk, a = self.model.market, self.asset_of[i]
            listed = dict(momentum=float(self.momentum()[k]), mispricing=float(-mk.flow_discount()[a]))
        return CapexSignals(
            capex=self.ledger.capex[i],
            planned_growth=float(fade(self.g_plan0[i], t, self.horizon, self.g_inf)),
            utilisation_gap=cm.utilisation_gap(t),
            stranded_ratio=cm.stranded / cm.capacity,
            revenue_surprise=float(hyperscaler.revenue_surprise(self._lvl[i], self.miss[i])),
            cost_of_capital_change=self._cost_of_capital() - self.cc0,
            funding_room=self.funding_room(i), quarters_per_year=self.quarters, **listed)

    def _decide_capex(self, i: int, update: bool) -> None:
        """Spender i takes its capex decision (`hyperscaler.decide_capex`): the guidance always,
        the run-rate only with `update` (its guidance day; right after a shock only the market's
        expectation is revised)."""
        plan = hyperscaler.decide_capex(self.capex_signals(i), self.capex_params)
        self.guidance[i] = plan.guidance
        if update:
            self.ledger.capex[i] = plan.capex

    def _debt_capacity(self) -> np.ndarray:
        """Debt each firm can carry (`hyperscaler.debt_capacity`) against its contracted backlog:
        remaining contracts haircut by the buyer's funded share; neoclouds sell multi-year
        take-or-pay contracts to customers outside the graph too (CoreWeave ≈96% committed, S-1)."""
        s = self.ledger.supply
        backlog = np.bincount(s.dst, self._remaining * self.q_lab[s.src], minlength=self.ledger.n)
        H = self.valuation_params.counterparty_horizon_years
        backlog = backlog + np.where(self._neo, self.ledger.revenue_exo * H, 0.0)
        return hyperscaler.debt_capacity(self.operating, backlog, self.capex_params)

    def _equity_room(self) -> np.ndarray:
        """New shares each listed firm can still sell this year (`hyperscaler.equity_room`)."""
        cap = np.zeros(self.ledger.n)
        cap[self.listed] = self.model.market.cap[self.listed_assets]
        cutoff = self.day - int(self.ann)
        self._issued = [x for x in self._issued if x[0] > cutoff]
        return hyperscaler.equity_room(cap, [(i, a) for _, i, a in self._issued], self.capex_params)

    def funding_room(self, i: int) -> float:
        """Capex firm i can fund next year (`hyperscaler.funding_room`)."""
        L = self.ledger
        return hyperscaler.funding_room(self.operating[i], L.cash[i], self.revenue[i], self._debt_cap[i], L.debt[i],
                                        self._equity_room()[i], self.capex_params)

    def _auto_borrow(self) -> None:
        """Firms other than labs whose cash falls below the floor cover the shortfall
        (`hyperscaler.cover_shortfall`): debt room first, then new shares (listed firms)."""
        L = self.ledger
        floor = hyperscaler.cash_floor(self.revenue, self.capex_params)
        short = (L.cash < floor) & self._borrowers
        if not short.any():
            return
        eq_room = self._equity_room()
        for i in np.flatnonzero(short):
            act = hyperscaler.cover_shortfall(L.cash[i], floor[i], max(0.0, self._debt_cap[i] - L.debt[i]), eq_room[i])
            if act.borrow:
                L.borrow(i, act.borrow)
                self.model.log_event("funding", "lenders", L.names[i], "financing", act.borrow, "drew on debt room")
            if act.sell_shares:
                L.raise_equity(i, act.sell_shares)
                self._issued.append((self.day, int(i), act.sell_shares))
                self.model.log_event("funding", "shareholders", L.names[i], "equity", act.sell_shares,
                                     "sold new shares")

    # ----- investors (agents/investor.py) and labs (agents/ai_lab.py) -------------------------------
    def _investors_decide(self) -> None:
        """Graph investors set their willingness to pay scheduled tranches (per equity edge, × the
        investee's appetite factor); outside investors their sentiment toward AI."""
        L, m = self.ledger, self.model.market
        mom_l = self.momentum()
        mom = np.zeros(L.n)
        mom[self.listed] = mom_l
        self.willingness = investor.willingness(mom, L.cash, L.cash0, self.funding_params)
        e = L.equity
        self._w_edge = investor.tranche_share(self.willingness, self.investor_factor, e.src, e.dst)
        self.sentiment = investor.outside_sentiment(m.cap[self.listed_assets], mom_l, self.funding_params)

    def _outside_capacity(self, i: int) -> float:
        """Outside money lab i can raise now (`ai_lab.outside_capacity`), less what it raised in
        the last year."""
        cutoff = self.day - int(self.ann)
        self._outside_log = [x for x in self._outside_log if x[0] > cutoff]
        used = sum(a for _, j, a in self._outside_log if j == i)
        return ai_lab.outside_capacity(self.value[i], self.sentiment, self.outside_factor[i], used, self.funding_params)

    def net_burn(self) -> np.ndarray:
        """Each firm's expected net cash burn on its commitments over the next year (`ai_lab.net_burn`)."""
        eq_in = self.ledger.forward_equity_in(self.t, 1.0, self._w_edge)
        return ai_lab.net_burn(self._fwd1, self.operating, eq_in)

    def _schedule_funding_check(self) -> None:
        """The next funding day: the first day a lab's cash falls below its minimum runway at
        current rates (`ai_lab.next_round_day`), at most once per billing period."""
        labs = self._labs
        due = ai_lab.next_round_day(self.day, self.ledger.cash[labs], self.net_burn()[labs], self.cash_change[labs],
                                    self.min_runway)
        due = NEVER if due is None else due
        self._funding_due = max(due, self.day, self._last_funding + self.billing_days)

    def _funding(self) -> None:
        """Labs below their minimum runway hold a round (`ai_lab.funding_round`): outside equity,
        then debt; the block books it and, if the runway is still short, cuts the lab's
        commitments (the cut propagates to the sellers)."""
        L = self.ledger
        burn = self.net_burn()
        self._last_funding = self.day
        changed = False
        for i in self._labs:
            if not ai_lab.needs_round(L.cash[i], burn[i], self.min_runway):
                continue
            changed = True
            rnd = ai_lab.funding_round(L.cash[i], burn[i], self._fwd1[i], self._outside_capacity(i), L.debt[i],
                                       self.value[i], self.funding_params, self.min_runway, self.target_runway)
            if rnd.equity:
                L.raise_equity(i, rnd.equity)
                self._outside_log.append((self.day, int(i), rnd.equity))
                self.lab_funding += rnd.equity
                self.model.log_event("funding", "outside_investors", L.names[i], "equity", rnd.equity, "funding round")
            if rnd.debt:
                L.borrow(i, rnd.debt)
                self.lab_funding += rnd.debt
                self.model.log_event("funding", "lenders", L.names[i], "financing", rnd.debt, "lab borrowing")
            if rnd.cut:
                self.cut_commitments(i, rnd.cut, "funding gap")
        if changed:
            self._pending_revalue = True
            self._refresh()
        else:
            self._schedule_funding_check()

    def cut_commitments(self, i: int, share: float, why: str) -> None:
        """Firm i cuts `share` of its remaining contracted purchases; each seller loses that
        remaining contract value (a supply cascade), and a lab's growth slows with its compute."""
        L = self.ledger
        lost = L.cut_commitments(i, share, self.t)
        if L.is_lab[i]:
            self.lab_scale[i] *= (1.0 - share)
        for j, usd in lost.items():
            self.commitments_cut += usd
            self._cascade(L.names[i], L.names[j], "supply", usd,
                          f"{why}: {share:.0%} of commitments cut (remaining contract value)")
        self._pending_revalue = True

    # ----- values -----------------------------------------------------------------------------
    def _expected_growth(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Expected growth now of each firm's (run-rate revenue from graph customers, non-AI
        revenue, AI revenue outside the graph). Suppliers' and neoclouds' growth comes from their
        customers' capex guidance (flow-weighted), hyperscalers' and labs' from AI demand; a firm
        whose own guidance gives the growth of its compute-volume revenue (`compute_forward_growth`:
        Broadcom's AI SAM, Oracle's OCI plan) is expected to grow its AI revenue at that rate (fading);
        an efficiency shock lowers every seller's expected compute-volume growth (`reprice_efficiency`)."""
        L, vp = self.ledger, self.valuation_params
        s = L.supply
        t = self.t
        g_non = np.full(L.n, fade(self.firm_params.non_ai_revenue_growth, t, self.horizon, self.g_inf))
        g_guid = np.log(np.maximum(self.guidance, EPS) / np.maximum(L.capex, EPS)) * (L.capex > 0)
        g_capex_all = self._g_capex
        g_ai = self._g_ai + np.where(self._sup, g_capex_all, 0.0)
        if self._fwd_of is not self.compute_fwd_growth:     # which firms guide their growth, once
            self._fwd_of = self.compute_fwd_growth
            self._fwd = np.isfinite(self._fwd_of), np.nan_to_num(self._fwd_of)
        fwd, fwd_growth = self._fwd
        if fwd.any():
            g_own = fade(fwd_growth, t, self.horizon, self.g_inf) + self.growth_adj
            g_ai = np.where(fwd, g_own, g_ai)
        g_ai = g_ai + self._volume_adjustment(t)
        # run-rate flows grow with the buyer's guidance (spenders) or its customers' (chip vendors)
        g_buyer = np.where(L.is_spender, g_guid, g_capex_all)
        rr = L.rates * self._rr
        tot = np.bincount(s.dst, rr, minlength=L.n)
        g_rr = np.bincount(s.dst, rr * g_buyer[s.src], minlength=L.n) / np.where(tot > 0, tot, 1.0)
        g_rr = np.where(tot > 0, g_rr, g_capex_all)
        return (np.minimum(np.maximum(g_rr, vp.growth_floor), vp.run_rate_growth_cap), g_non,
                np.minimum(np.maximum(g_ai, vp.growth_floor), vp.ai_growth_cap))

    def _volume_adjustment(self, t: float) -> np.ndarray:
        """The revision of expected compute-volume growth still in force at t (efficiency shocks)."""
        out = np.zeros(self.ledger.n)
        for t0, t1, dg in self.volume_shocks:
            if t0 <= t < t1:
                out += dg
        return out

    def reprice_efficiency(self, factor: float) -> None:
        """An efficiency gain of `factor` re-prices each firm by its exposure to the compute channel:
        compute demand per unit of AI output falls to f = factor^(φ·ε − 1) (the compute market's
        demand rule), so the compute volume sellers expect at the forward horizon is f times what it
        was — their expected compute-volume growth falls by ln f / forward_years for that long, on
        the share of their AI revenue that is compute volume (neoclouds: through the compute market's
        demand and GPU-hour price instead, `_ai_level`); a buyer needs f of the compute for the same
        AI output and keeps `buyer_saving_kept` of the saving (AI capex × (1 − f)) as earnings."""
        cm = self.compute
        f = factor ** (cm.passthrough * cm.jevons - 1.0)
        exposure = np.where(self.ai_share > 0,
                            np.minimum(1.0, self.compute_sales / np.maximum(self.ai_share, EPS)), 0.0)
        exposure[self._neo] = 0.0        # neoclouds re-price through demand × GPU-hour price (`_ai_level`)
        dg = math.log(f) / self.forward_years * exposure
        self.volume_shocks.append((self.t, self.t + self.forward_years, dg))
        self.saving = self.saving + self.saving_kept * (1.0 - f) * self.buyer_share * self.revenue

    def _present_values(self, r: np.ndarray, bump: float = 0.0) -> np.ndarray:
        """Per firm: Σ remaining contracts (haircut by the buyer's funded share) + run-rate,
        non-AI and AI revenue × their growth multiples. Rows: at r, and at r + bump if given."""
        L = self.ledger
        s = L.supply
        n = L.n
        h = max(0.0, self.horizon - self.t)
        g_rr, g_non, g_ai = self._expected_growth()
        g = np.concatenate([g_rr, g_non, g_ai, g_non])
        flows = np.concatenate([np.bincount(s.dst, L.rates * self._rr, minlength=n),
                                self.exo_non0 * np.exp(self.log_non) * self.miss,
                                self.exo_ai0 * np.exp(self.log_ai) * self._lvl * self.miss,
                                self.saving])
        rates = np.array([r] if not bump else [r, r + bump])                   # (k, n): one row per rate
        k = len(rates)
        tile = (lambda x: np.concatenate([x] * k)) if k > 1 else (lambda x: x)  # noqa: E731 - np.tile's values
        contract = s.present_value(self.t, rates[:, s.dst].ravel() if k > 1 else rates[0, s.dst], k)
        of, bins = self._pv_bins.get(k, (None, None))
        if of is not s:                           # the sellers' bins of each copy, per schedule and copies
            bins = np.tile(s.dst, k) + np.repeat(np.arange(k) * n, s.n)
            self._pv_bins[k] = (s, bins)
        contract = np.bincount(bins, (contract.reshape(k, s.n) * self.q_lab[s.src]).ravel(),
                               minlength=k * n).reshape(k, n)
        mult = growth_multiple(tile(g), np.repeat(rates, 4, axis=0).ravel(), h, self.g_inf,
                               self.valuation_params.min_spread)
        return contract + (tile(flows) * mult).reshape(k, 4, n).sum(axis=1)

    def _counterparty(self) -> None:
        """Funded share of each lab's commitments over the counterparty horizon (1 if covered):
        cash + revenue margin (growing, taken at the horizon's midpoint) + outside capacity + debt
        room + scheduled investments, over needs. How the market sees the labs, not their decision."""
        L, vp, qf = self.ledger, self.valuation_params, self.funding_params
        H = vp.counterparty_horizon_years
        needs = L.forward_purchases(self.t, H)[self._labs]
        g = clip(self._g_ai[self._labs], vp.growth_floor, vp.ai_growth_cap)
        v = self.value[self._labs]
        resources = (np.maximum(L.cash[self._labs], 0.0)
                     + self.firm_params.lab_cash_margin * self.revenue[self._labs] * H * np.exp(g * H / 2)
                     + qf.outside_capacity_share * v * self.sentiment * self.outside_factor[self._labs] * H
                     + np.maximum(qf.lab_debt_share * v - L.debt[self._labs], 0.0)
                     + L.forward_equity_in(self.t, H, self._w_edge)[self._labs])
        self.q_lab[self._labs] = np.where(needs > 0, np.minimum(1.0, resources / np.where(needs > 0, needs, 1.0)), 1.0)

    def value_without_exposure(self) -> np.ndarray:
        """Every firm's fundamental value now as it would be without the re-pricing by exposure
        (no revision of expected compute volume, no buyers' saving): what the compute channel adds
        to an efficiency shock's move (`experiments.asof_checks`)."""
        shocks, saving = self.volume_shocks, self.saving
        self.volume_shocks, self.saving = [], np.zeros(self.ledger.n)
        try:
            pv = self._present_values(self._discount(self.cc_base()))[0]
            return np.maximum(cross_holding_values(self.m * self.rerating * pv, self.ledger.stakes), MIN_VALUE_BN)
        finally:
            self.volume_shocks, self.saving = shocks, saving

    def _revalue(self, log: bool = True) -> None:
        """Recompute every firm's fundamental value; log stake markdowns and lenders' losses."""
        L = self.ledger
        self._counterparty()
        bump = self.valuation_params.duration_rate_bump
        pv = self._present_values(self._discount(self.cc_base()), bump)
        values = np.maximum(cross_holding_values((self.m * self.rerating * pv).T, L.stakes).T, MIN_VALUE_BN)
        value, bumped = values
        self.duration = -(np.log(bumped[self.listed]) - np.log(value[self.listed])) / bump
        self.value = value
        self.logv_anchor = np.log(value[self.listed] / self.value0[self.listed])
        self.y_anchor = self.model.valuation.y_fair
        if log:
            self._log_equity_markdowns()
            self._debtrank_losses()
            self.value_peak = np.maximum(self.value_peak, value)

    def _log_equity_markdowns(self) -> None:
        """Stakes marked down since their peak (or the last markdown logged): investee → investor."""
        L = self.ledger
        held = L.stakes * self.value[None, :]
        self.stake_ref = np.maximum(self.stake_ref, held)
        loss = self.stake_ref - held
        for i, j in zip(*np.nonzero(loss >= max(self.min_event, MIN_LOSS_BN))):
            self._cascade(L.names[j], L.names[i], "equity", float(loss[i, j]),
                          f"stake of {L.stakes[i, j]:.1%} marked down")
            self.stake_ref[i, j] = held[i, j]

    def _debtrank_losses(self) -> None:
        """Distress = drawdown of each firm's value from its peak; new distress spreads to lenders
        (loans × loss given distress) and investors (stakes) by DebtRank; the lenders' distress
        widens the AI credit spread."""
        L, qf = self.ledger, self.funding_params
        h_now = clip(1.0 - self.value / np.maximum(self.value_peak, EPS), 0.0, 1.0)
        if L.other >= 0:
            h_now[L.other] = 0.0          # the lenders' node: distress only from its borrowers
        dh0 = np.maximum(h_now - self.h_logged, 0.0)
        self.h_logged = np.maximum(self.h_logged, h_now)
        if dh0.max() <= qf.min_new_distress:
            return
        lgd = qf.loss_given_distress
        exposure = lgd * L.loans + L.stakes * self.value[None, :]
        capital = self.value.copy()
        if L.other >= 0:
            capital[L.other] = qf.lender_capital_bn
        h = debtrank(exposure, capital, dh0)
        for lender, b in zip(*np.nonzero(L.loans > 0)):
            self._cascade(L.names[b], L.names[lender], "financing", float(lgd * L.loans[lender, b] * h[b]),
                          f"DebtRank: borrower distress +{h[b]:.1%}")
        if L.other >= 0:
            self.lender_distress = min(1.0, self.lender_distress + float(h[L.other]))
            self.spread = self.spread0 + qf.spread_per_distress * self.lender_distress

    # ----- cascade logging --------------------------------------------------------------------
    def _cascade(self, source: str, target: str, channel: str, usd: float, detail: str) -> None:
        if usd >= self.min_event and usd > 0:
            self.model.log_event("cascade", source, target, channel, usd, detail)

    def _log_supply_changes(self) -> None:
        """Run-rate purchases that fell because the buyer cut capex (or, for chip vendors, because
        their own revenue fell): the seller loses that annual revenue. Investments withheld by
        unwilling investors: the investee loses that funding."""
        L = self.ledger
        s = L.supply
        cut_capex = L.capex < self.capex_prev - EPS
        cut_rev = L.revenue_ratio < self.revenue_ratio_prev - EPS
        drop = self._rates_prev - L.rates
        cause = np.where(L.is_spender, cut_capex, cut_rev)[s.src] & (self._rr > 0)
        for k in np.flatnonzero(cause & (drop >= self.min_event)):
            why = ("capex cut (annual run-rate)" if L.is_spender[s.src[k]]
                   else "cost of sales follow lower revenue (annual run-rate)")
            self._cascade(L.names[s.src[k]], L.names[s.dst[k]], "supply", float(drop[k]), why)
        e = L.equity
        withheld = e.rate(self.t) * L.equity_cash * (1.0 - self._w_edge)
        for k in np.flatnonzero(withheld - self.withheld_logged >= self.min_event):
            self._cascade(L.names[e.src[k]], L.names[e.dst[k]], "equity", float(withheld[k] - self.withheld_logged[k]),
                          "scheduled investment withheld (annual rate): the investor's stock or cash is down")
            self.withheld_logged[k] = withheld[k]
        self.withheld_logged = np.minimum(self.withheld_logged, withheld)
        self._rates_prev = L.rates.copy()
        self.capex_prev = L.capex.copy()
        self.revenue_ratio_prev = L.revenue_ratio.copy()

    # ----- engine links -----------------------------------------------------------------------
    def _buyback_book(self):
        """The buyback desks and, on first use, which desk is which firm's (by ticker); None before
        the traders exist or without buyback desks."""
        if not hasattr(self.model, "populations"):
            return None                      # blocks are built before the traders
        book = self.model.population("buyback")
        if book is not None and not hasattr(self, "_desk_rows"):
            L = self.ledger
            names = {d: k for k, d in enumerate(book.desk_names)}
            pairs = [(names[self.graph.nodes[f]["ticker"]], i) for i, f in enumerate(L.names)
                     if self.graph.nodes[f]["ticker"] in names and self.graph.nodes[f]["listed"]]
            self._desk_rows = np.array([a for a, _ in pairs], dtype=int)
            self._desk_firms = np.array([b for _, b in pairs], dtype=int)
        return book

    def _update_buybacks(self) -> None:
        """Buyback desks read each listed firm's cash flow after capex (OCF − capex)."""
        book = self._buyback_book()
        if book is None:
            return
        L = self.ledger
        capex = np.where(L.is_spender, L.spend, L.fixed_capex)
        book.fcf_annual[self._desk_rows] = (self.operating - capex)[self._desk_firms]

    def end_day(self, returns: np.ndarray) -> None:
        """After the close: the shares each firm's buyback desk bought today are paid from its cash."""
        book = self._buyback_book()
        if book is None or not len(self._desk_rows):
            return
        # summed desk by desk from zero, in row order: np.add.at's arithmetic at a fraction of its cost
        spent = np.bincount(self._desk_firms, book.spent_today[self._desk_rows], minlength=self.ledger.n)
        self.ledger.pay_buybacks(spent)

    def _record_cache(self) -> None:
        L = self.ledger
        self._rec = (self.revenue.tolist() + L.spend[self._spenders].tolist() + L.spend[self._labs].tolist())

    @cached_property
    def _firm_columns(self) -> list[str]:
        """Per-firm columns, in the order of `_rec` (revenue, capex, compute spend) then lab cash."""
        names = [snake(x) for x in self.ledger.names]
        return ([f"revenue_{x}_bn" for x in names] + [f"capex_{names[i]}_bn" for i in self._spenders]
                + [f"compute_spend_{names[i]}_bn" for i in self._labs]
                + [f"lab_cash_{names[i]}_bn" for i in self._labs])

    def columns(self) -> list[str]:
        return (self._firm_columns
                + ["ai_capex_bn", "utilisation", "compute_capacity_index", "compute_demand_index",
                   "stranded_capacity_share", "ai_credit_spread", "commitments_cut_bn", "lab_funding_bn"])

    def record(self) -> dict[str, float]:
        cm = self.compute
        row = dict(zip(self._firm_columns, self._rec + self.ledger.cash[self._labs].tolist()))
        row.update(ai_capex_bn=self._capex_total, utilisation=cm.utilisation, compute_capacity_index=cm.capacity,
                   compute_demand_index=cm.demand, stranded_capacity_share=cm.stranded / (cm.capacity + cm.stranded),
                   ai_credit_spread=self.spread, commitments_cut_bn=self.commitments_cut,
                   lab_funding_bn=self.lab_funding)
        return row

    def flush(self) -> None:
        """Book the days since the last refresh into the accounts (e.g. at the end of a run)."""
        self.ledger.book(self.days_unbooked, self.value)
        self.days_unbooked = 0

    # ----- shocks' entry points -----------------------------------------------------------------
    def mark_event(self, guidance: bool = False) -> None:
        """Something changed today: refresh rates and values before the traders trade (and, with
        `guidance`, revise the market's expectation of every spender's capex plan)."""
        self._pending_revalue = True
        self._pending_guidance = self._pending_guidance or guidance

    def cut_capex(self, i: int, share: float, contracts: bool, why: str) -> None:
        """A capex cut at firm i: its run-rate purchases fall now and so does its guidance; with
        `contracts`, its contracted purchases (e.g. neocloud rentals) too."""
        L = self.ledger
        L.capex[i] *= (1.0 - share)
        self.guidance[i] *= (1.0 - share)
        if contracts:
            self.cut_commitments(i, share, why)
        self.mark_event()

    def funding_check_now(self) -> None:
        """Hold the labs' funding check today (a shock changed what they can raise)."""
        self._last_funding = -NEVER
        self._funding_due = self.day

    def summary_metrics(self, ts, flows, events) -> dict:
        return interlock_summary(self, ts, flows, events)
