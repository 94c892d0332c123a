"""The AI capital interlock block (MODEL.md §3.4; seeds/000's investment → financing → revenue
loop): firms on the deals graph, their cash flows and decisions, the cascades between them, their
fundamental values and the compute market. A non-trading block: it runs after the Fed and before
the traders each day.

Each day the compute market steps (capacity from lagged capex, demand, utilisation) and every
firm's cash moves at the current rates; spending flows along supply edges as the sellers'
revenue. On billing days (monthly, when a deal starts or ends, on a spender's guidance day and
whenever a shock or a cut changed something) the days are booked, decisions taken and rates
reset. Labs whose cash runs low hold a funding round. Firms' fundamental values go to
`model.valuation.base`, so part of each change is priced at once as news and flows do the rest.

Decision rules
- Capex (hyperscalers, neoclouds; quarterly on each firm's guidance day): next year's planned
  growth x = its guidance growth (fading to the long-run rate over the horizon)
  + a_u·ln(planning utilisation / planned utilisation, one year ahead)
  − a_s·ln(1 + capacity waiting for power / energised capacity)
  + a_rev·ln(AI revenue / plan) + a_m·(63-day stock momentum) + a_v·ln(price / value)
  − a_r·Δ(cost of capital); the run-rate moves a quarter of the way, bounded per quarter and by
  the funding room (operating cash flow + cash above a floor + debt room + new shares).
- AI labs buy compute per their contracts, funded by revenue, by investors' scheduled tranches
  along equity edges (× willingness = exp(β_m·momentum)·(cash/cash₀)^β_c of the investor, ≤ 1)
  and by outside rounds (a share of their valuation per year × AI-stock sentiment). When a round
  cannot restore the runway the lab cuts its remaining commitments pro rata.
- Investors' stakes are marked to the investee's value; lenders take DebtRank losses
  (Battiston et al. 2012) when borrowers' values fall, which widens the AI credit spread.

Every propagation is a `cascade` event (day, source, target, channel, $bn, detail): `supply`
(capex or commitments cut: annual run-rate or remaining contract value the seller loses),
`equity` (stake marked down; scheduled investment withheld), `financing` (lender's expected loss).
Funding rounds and borrowing are `funding` events.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from ...agents.firms import Firm
from ...inputs.firms import load_firms, snake
from ..blocks import Block
from .compute_market import ComputeMarket
from .deals import build_graph, load_deals, resolve_schedules
from .ledger import RUN_RATE, InterlockLedger
from .metrics import interlock_summary
from .values import cross_holding_values, debtrank, growth_multiple

HISTORY_DAYS = 64            # ring buffer of log prices for 63-day momentum
RATE_BUMP = 1e-3             # discount-rate bump for each firm's rate duration
NEVER = 10 ** 9


def _fade(g0, t: float, horizon: float, g_inf: float):
    """A growth rate that starts at g0 on day 0 and fades linearly to g_inf at the horizon."""
    w = max(0.0, 1.0 - t / horizon) if horizon > 0 else 0.0
    return w * g0 + (1.0 - w) * g_inf


class InterlockBlock(Block):
    """The capital interlock. Arrays by firm row (`ledger.names` order): `revenue`, `operating`,
    `value`, `guidance`; `ledger` (cash, debt, capex, stakes, loans, accounts); `compute` (the
    compute market); `graph` (the deals MultiDiGraph); `firms` (the Mesa agents on `space`)."""
    name = "interlock"

    def __init__(self, model, rng: np.random.Generator):
        super().__init__(model, rng)
        p = model.params
        q = lambda k: p[f"interlock.{k}"]  # noqa: E731
        self.ann = float(p["run.trading_days_per_year"])
        self.q_len = int(p["run.days_per_quarter"])
        firms = load_firms(q("firms_file") or None)
        deals = load_deals(q("deals_file") or None, firms, ramped=q("deals.ramped"),
                           share_settled=q("deals.share_settled"))
        deals = resolve_schedules(deals, firms, q("deals.run_rate_max_years"))
        self.graph = build_graph(firms, deals)
        L = self.ledger = InterlockLedger(firms, deals, p["run.start_date"],
                                          unknown_cash_share=q("firms.unknown_cash_share"), days_per_year=int(self.ann))
        n = L.n
        m = model.market
        self.billing_days = q("billing_days")
        self.min_event = q("cascade_min_bn")
        self.horizon = q("valuation.high_growth_years")
        self.g_inf = q("valuation.long_run_growth")
        self.erp = q("valuation.equity_risk_premium")
        self.min_spread = q("valuation.min_spread")
        self.cp_horizon = q("valuation.counterparty_horizon_years")
        self.g_nonai0 = q("firms.non_ai_revenue_growth")
        self.g_ai0 = q("firms.ai_revenue_growth")
        self.g_lab0 = q("firms.lab_revenue_growth")
        self.lab_margin = q("firms.lab_cash_margin")
        self.ocf_share = q("capex.ocf_capex_share")
        self.cash_floor_share = q("capex.cash_floor_share")
        self.lev_max = q("capex.leverage_max")
        self.advance = q("capex.backlog_advance_rate")
        self.issue_share = q("capex.equity_issuance_share")
        self.a_u = q("capex.utilisation_elasticity")
        self.a_s = q("capex.stranded_elasticity")
        self.a_rev = q("capex.revenue_growth_elasticity")
        self.a_m = q("capex.momentum_elasticity")
        self.a_v = q("capex.valuation_elasticity")
        self.a_r = q("capex.cost_of_capital_elasticity")
        self.max_q = q("capex.max_quarterly_change")
        self.f_outside = q("funding.outside_capacity_share")
        self.b_mom = q("funding.momentum_elasticity")
        self.b_cash = q("funding.cash_elasticity")
        self.min_runway = q("funding.min_runway_days") / self.ann
        self.target_runway = q("funding.target_runway_days") / self.ann
        self.lab_debt_share = q("funding.lab_debt_share")
        self.max_cut = q("funding.max_cut")
        self.lgd = q("funding.loss_given_distress")
        self.lender_capital = q("funding.lender_capital_bn")
        self.spread0 = q("funding.credit_spread")
        self.spread_beta = q("funding.spread_per_distress")
        self.gpu_price_elasticity = q("compute.gpu_price_elasticity")
        self.agentic_revenue_elasticity = q("compute.agentic_revenue_elasticity")

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

        # revenue outside the graph: what the graph does not explain (at least a floor share)
        rev0 = L.revenue0
        exo0 = np.maximum(rev0 - L.revenue_graph, q("firms.exogenous_revenue_floor") * np.maximum(rev0, L.revenue_graph))
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
        self.logp_hist = np.zeros((HISTORY_DAYS, len(self.listed)))
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
                self.guidance[i] = min(self.guidance[i], max(self._funding_room(i), L.capex0[i]))
                self.g_plan0[i] = math.log(self.guidance[i] / L.capex0[i])
        self.compute.project(self._planned_capex, self.horizon + self.compute.lag_days / self.ann)
        pv0 = self._present_values(self._discount(self.cc_base()))[0]
        target = np.where(np.isnan(value0), pv0, value0)
        standalone = (np.eye(n) - L.stakes) @ target
        self.m = np.where(pv0 > 0, np.maximum(standalone, 0.05 * target) / np.where(pv0 > 0, pv0, 1.0), 1.0)
        self.value0 = target
        self._revalue(log=False)
        self.value_peak = self.value.copy()
        self.stake_ref = L.stakes * self.value[None, :]
        self._record_cache()

        # Mesa: the firms, placed on the deals network
        from mesa.discrete_space import Network
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
        return self.model.valuation.y_fair + self.erp

    def _cost_of_capital(self) -> float:
        return self.model.valuation.y_fair + self.spread

    def _discount(self, base: float) -> np.ndarray:
        """Each firm's discount rate: the fair yield + equity risk premium + the widening of the AI
        credit spread weighted by the firm's leverage."""
        L = self.ledger
        lev = L.debt / np.maximum(L.debt + self.value, 1e-9)
        return base + (self.spread - self.spread0) * lev

    def momentum(self) -> np.ndarray:
        """63-day log return of each listed firm (in `listed` order)."""
        lp = self.model.market.logp[self.listed_assets]
        if self.day < HISTORY_DAYS - 1:
            return lp.copy()                      # log prices start at 0
        return lp - self.logp_hist[(self.day - (HISTORY_DAYS - 1)) % HISTORY_DAYS]

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
        self.ledger.cash += self.cash_change
        self.days_unbooked += 1
        if day >= self._funding_due:
            self._funding()
        # fundamental values: the anchor from the last revaluation, moved daily by the discount
        # rate with each firm's own duration; valuation.update() subtracts the market-wide duration
        # term D_eq·Δy and adds the drift, so both are cancelled here (no double counting)
        y = model.valuation.y_fair
        logv = self.logv_anchor - self.duration * (y - self.y_anchor) + self.D_eq * (y - self.y0)
        model.valuation.base[self.listed_assets] = logv - self._drift_listed
        self.logp_hist[day % HISTORY_DAYS] = model.market.logp[self.listed_assets]

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
        L.revenue_ratio = self.revenue / np.maximum(self._revenue0, 1e-9)
        L.rates_at(t)
        self.revenue = exo + L.revenue_graph
        if first:
            self._revenue0 = self.revenue.copy()
            L.revenue_ratio = np.ones(L.n)
        # operating cash flow: labs keep a margin of revenue; others add an incremental margin
        self.operating = np.where(L.is_lab, self.lab_margin * self.revenue,
                                  L.ocf0 + self.ocf_share * (self.revenue - self._revenue0))
        L.operating_rate = self.operating
        self._debt_cap = self._debt_capacity()
        self._willingness()
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
        L, t = self.ledger, self.t
        ag = self.agentic_revenue_elasticity * self.compute.agentic_growth(t)
        g = np.where(self._hyper, _fade(self.g_ai0, t, self.horizon, self.g_inf) + ag, 0.0)
        g = np.where(L.is_lab, _fade(self.g_lab0, t, self.horizon, self.g_inf) * self.lab_scale + ag, g)
        g = np.where(self._neo, self._g_capex, g)
        return g + self.growth_adj

    def _capex_growth_expected(self) -> float:
        """Spenders' capex-weighted guidance growth (log, next year)."""
        L = self.ledger
        sp = self._spenders
        w = L.capex[sp]
        g = np.log(np.maximum(self.guidance[sp], 1e-9) / np.maximum(w, 1e-9))
        return float(w @ g / w.sum()) if w.sum() > 0 else 0.0

    def _grow_exogenous(self, dt: float) -> None:
        if dt > 0:
            self.log_non += _fade(self.g_nonai0, self.t, self.horizon, self.g_inf) * dt
            self.log_ai += self._g_ai * dt          # at the rates set at the last refresh

    def _ai_level(self) -> np.ndarray:
        """Level factors of AI revenue against plan, from the compute market: efficiency and
        adoption for AI sellers; demand and GPU-hour prices (utilisation) against the planned path
        for neoclouds; AI capex for suppliers."""
        cm = self.compute
        ai_rev = math.exp(cm.ai_revenue_log_factor() + self.agentic_revenue_elasticity * cm.agentic_level(self.t))
        neo = math.exp(math.log(cm.demand) - cm.log_expected_demand + self.gpu_price_elasticity
                       * (math.log(max(cm.utilisation, 1e-12)) - cm.planned_log_utilisation(self.t)))
        lvl = np.where(self._ai_seller, ai_rev, 1.0)
        lvl = np.where(self._neo, neo, lvl)
        return np.where(self._sup, self._capex_total / self.capex_total0, lvl)

    def _exogenous_revenue(self) -> np.ndarray:
        return (self.exo_non0 * np.exp(self.log_non) + self.exo_ai0 * np.exp(self.log_ai) * self._lvl) * self.miss

    # ----- capex decisions --------------------------------------------------------------------
    def _decide_capex(self, i: int, update: bool) -> None:
        """The quarterly capex rule of a spender (see the module docstring). `update=False` only
        revises its guidance (what the market expects), e.g. right after a shock."""
        L, cm = self.ledger, self.compute
        t = self.t
        x = float(_fade(self.g_plan0[i], t, self.horizon, self.g_inf))
        x += self.a_u * cm.utilisation_gap(t)
        x -= self.a_s * math.log1p(cm.stranded / cm.capacity)      # capacity that cannot be powered
        x += self.a_rev * min(max(float(self._revenue_surprise(i)), -1.0), 1.0)
        k = self._listed_pos.get(int(i))
        if k is not None:
            mk = self.model.market
            a = self.asset_of[i]
            x += self.a_m * float(self.momentum()[k]) + self.a_v * float(mk.logp[a] - mk.logv[a])
        x -= self.a_r * (self._cost_of_capital() - self.cc0)
        x = min(max(x, -4 * self.max_q), 4 * self.max_q)
        room = self._funding_room(i)
        capex = L.capex[i]
        self.guidance[i] = min(capex * math.exp(x), room)
        if update:
            L.capex[i] = max(min(capex * math.exp(min(max(x / 4, -self.max_q), self.max_q)), room), 0.0)

    def _revenue_surprise(self, i: int) -> float:
        """log(actual / planned) AI revenue of firm i (efficiency, adoption, GPU-hour prices,
        earnings misses)."""
        return math.log(max(self._lvl[i] * self.miss[i], 1e-12))

    def _debt_capacity(self) -> np.ndarray:
        """Debt a firm can carry: leverage × operating cash flow, or an advance on its contracted
        backlog (neoclouds and Oracle borrow against customer contracts; neoclouds' revenue from
        customers outside the graph is contracted too: CoreWeave ≈96% committed, S-1)."""
        s = self.ledger.supply
        backlog = np.bincount(s.dst, self._remaining * self.q_lab[s.src], minlength=self.ledger.n)
        # neoclouds sell multi-year take-or-pay contracts to customers outside the graph too
        backlog = backlog + np.where(self._neo, self.ledger.revenue_exo * self.cp_horizon, 0.0)
        return np.maximum(self.lev_max * np.maximum(self.operating, 0.0), self.advance * backlog)

    def _equity_room(self) -> np.ndarray:
        """New shares each listed firm can still sell this year: a share of its market cap, less
        what it sold in the last year."""
        room = np.zeros(self.ledger.n)
        room[self.listed] = self.issue_share * self.model.market.cap[self.listed_assets]
        cutoff = self.day - int(self.ann)
        self._issued = [x for x in self._issued if x[0] > cutoff]
        for _, i, a in self._issued:
            room[i] -= a
        return np.maximum(room, 0.0)

    def _funding_room(self, i: int) -> float:
        """Capex firm i can fund next year: operating cash flow + cash above its floor + debt room
        + new shares it can sell."""
        L = self.ledger
        floor = self.cash_floor_share * self.revenue[i]
        return (max(0.0, self.operating[i]) + max(0.0, L.cash[i] - floor) + max(0.0, self._debt_cap[i] - L.debt[i])
                + self._equity_room()[i])

    def _auto_borrow(self) -> None:
        """Firms other than labs whose cash falls below the floor draw on their debt room, then
        sell new shares (listed firms)."""
        L = self.ledger
        floor = self.cash_floor_share * self.revenue
        short = (L.cash < floor) & self._borrowers
        if not short.any():
            return
        eq_room = self._equity_room()
        for i in np.flatnonzero(short):
            amt = min(floor[i] - L.cash[i], max(0.0, self._debt_cap[i] - L.debt[i]))
            if amt > 1e-9:
                L.borrow(i, amt)
                self.model.log_event("funding", "lenders", L.names[i], "financing", amt, "drew on debt room")
            amt = min(floor[i] - L.cash[i], eq_room[i])
            if amt > 1e-9:
                L.raise_equity(i, amt)
                self._issued.append((self.day, int(i), amt))
                self.model.log_event("funding", "shareholders", L.names[i], "equity", amt, "sold new shares")

    # ----- investors and labs -------------------------------------------------------------------
    def _willingness(self) -> None:
        """Graph investors' willingness to pay scheduled tranches (per equity edge, ≤ 1): their own
        stock's momentum and cash, × the investee's funding-gap factor; outside investors'
        sentiment from the AI stocks' cap-weighted momentum."""
        L, m = self.ledger, self.model.market
        mom_l = self.momentum()
        mom = np.zeros(L.n)
        mom[self.listed] = mom_l
        cash_ratio = np.maximum(L.cash, 1e-9) / np.maximum(L.cash0, 1e-9)
        w = np.exp(self.b_mom * mom + self.b_cash * np.minimum(np.log(cash_ratio), 0.0))
        self.willingness = np.minimum(w, 1.0)
        e = L.equity
        self._w_edge = self.willingness[e.src] * self.investor_factor[e.dst]
        caps = m.cap[self.listed_assets]
        ai_mom = float(caps @ mom_l / caps.sum()) if len(caps) else 0.0
        self.sentiment = min(math.exp(self.b_mom * ai_mom), 1.5)

    def _outside_capacity(self, i: int) -> float:
        """Outside money a lab can raise now: a share of its valuation per year × sentiment, less
        what it raised in the last year."""
        cutoff = self.day - int(self.ann)
        self._outside_log = [x for x in self._outside_log if x[0] > cutoff]
        used = sum(a for _, j, a in self._outside_log if j == i)
        return max(0.0, self.f_outside * self.value[i] * self.sentiment * self.outside_factor[i] - used)

    def _lab_burn(self) -> np.ndarray:
        """Each firm's expected net cash burn on its commitments over the next year (USD bn/yr)."""
        eq_in = self.ledger.forward_equity_in(self.t, 1.0, self._w_edge)
        return np.maximum(self._fwd1 - self.operating - eq_in, 0.0)

    def _schedule_funding_check(self) -> None:
        """The next day a lab's cash falls below its minimum runway at current rates."""
        L = self.ledger
        burn = self._lab_burn()
        due = NEVER
        for i in self._labs:
            floor = burn[i] * self.min_runway
            if L.cash[i] < floor:
                due = self.day
                break
            if self.cash_change[i] < 0:
                due = min(due, self.day + int((L.cash[i] - floor) / -self.cash_change[i]))
        self._funding_due = max(due, self.day, self._last_funding + self.billing_days)

    def _funding(self) -> None:
        """Labs below their minimum runway raise money: outside equity, then debt; if that cannot
        restore the runway they cut their commitments (the cut propagates to the sellers)."""
        L = self.ledger
        burn = self._lab_burn()
        self._last_funding = self.day
        changed = False
        for i in self._labs:
            floor = burn[i] * self.min_runway
            if L.cash[i] >= floor or burn[i] <= 0:
                continue
            changed = True
            need = burn[i] * self.target_runway - L.cash[i]
            eq = min(need, self._outside_capacity(i))
            if eq > 1e-9:
                L.raise_equity(i, eq)
                self._outside_log.append((self.day, int(i), eq))
                self.lab_funding += eq
                self.model.log_event("funding", "outside_investors", L.names[i], "equity", eq, "funding round")
            debt = min(need - eq, max(0.0, self.lab_debt_share * self.value[i] - L.debt[i]))
            if debt > 1e-9:
                L.borrow(i, debt)
                self.lab_funding += debt
                self.model.log_event("funding", "lenders", L.names[i], "financing", debt, "lab borrowing")
            if L.cash[i] < floor:
                # cut purchases so that the cash left covers the minimum runway
                affordable = max(L.cash[i], 0.0) / self.min_runway
                cut = min(self.max_cut, (burn[i] - affordable) / max(self._fwd1[i], 1e-9))
                if cut > 1e-6:
                    self.cut_commitments(i, cut, "funding gap")
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
        customers' capex guidance (flow-weighted), hyperscalers' and labs' from AI demand."""
        L = self.ledger
        s = L.supply
        t = self.t
        g_non = np.full(L.n, _fade(self.g_nonai0, t, self.horizon, self.g_inf))
        g_guid = np.log(np.maximum(self.guidance, 1e-9) / np.maximum(L.capex, 1e-9)) * (L.capex > 0)
        g_capex_all = self._g_capex
        g_ai = self._g_ai + np.where(self._sup, g_capex_all, 0.0)
        # run-rate flows grow with the buyer's guidance (spenders) or its customers' (chip vendors)
        g_buyer = np.where(L.is_spender, g_guid, g_capex_all)
        rr = L.rates * self._rr
        tot = np.bincount(s.dst, rr, minlength=L.n)
        g_rr = np.bincount(s.dst, rr * g_buyer[s.src], minlength=L.n) / np.where(tot > 0, tot, 1.0)
        g_rr = np.where(tot > 0, g_rr, g_capex_all)
        return np.minimum(np.maximum(g_rr, -1.0), 1.0), g_non, np.minimum(np.maximum(g_ai, -1.0), 3.0)

    def _present_values(self, r: np.ndarray, bump: float = 0.0) -> np.ndarray:
        """Per firm: Σ remaining contracts (haircut by the buyer's funded share) + run-rate,
        non-AI and AI revenue × their growth multiples. Rows: at r, and at r + bump if given."""
        L = self.ledger
        s = L.supply
        n = L.n
        h = max(0.0, self.horizon - self.t)
        g = np.concatenate(self._expected_growth())
        flows = np.concatenate([np.bincount(s.dst, L.rates * self._rr, minlength=n),
                                self.exo_non0 * np.exp(self.log_non) * self.miss,
                                self.exo_ai0 * np.exp(self.log_ai) * self._lvl * self.miss])
        rates = np.array([r] if not bump else [r, r + bump])                   # (k, n): one row per rate
        k = len(rates)
        contract = s.present_value(self.t, rates[:, s.dst].ravel() if k > 1 else rates[0, s.dst], k)
        contract = np.bincount(np.tile(s.dst, k) + np.repeat(np.arange(k) * n, s.n),
                               (contract.reshape(k, s.n) * self.q_lab[s.src]).ravel(), minlength=k * n).reshape(k, n)
        mult = growth_multiple(np.tile(g, k), np.repeat(rates, 3, axis=0).ravel(), h, self.g_inf, self.min_spread)
        return contract + (np.tile(flows, k) * mult).reshape(k, 3, n).sum(axis=1)

    def _counterparty(self) -> None:
        """Funded share of each lab's commitments over the counterparty horizon (1 if covered):
        cash + revenue margin + outside capacity + debt room + scheduled investments, over needs."""
        L = self.ledger
        H = self.cp_horizon
        needs = L.forward_purchases(self.t, H)[self._labs]
        g = self._g_ai[self._labs]
        v = self.value[self._labs]
        resources = (np.maximum(L.cash[self._labs], 0.0)
                     + self.lab_margin * self.revenue[self._labs] * H * np.exp(np.clip(g, -1.0, 3.0) * H / 2)
                     + self.f_outside * v * self.sentiment * self.outside_factor[self._labs] * H
                     + np.maximum(self.lab_debt_share * v - L.debt[self._labs], 0.0)
                     + L.forward_equity_in(self.t, H, self._w_edge)[self._labs])
        self.q_lab[self._labs] = np.where(needs > 0, np.minimum(1.0, resources / np.where(needs > 0, needs, 1.0)), 1.0)

    def _revalue(self, log: bool = True) -> None:
        """Recompute every firm's fundamental value; log stake markdowns and lenders' losses."""
        L = self.ledger
        self._counterparty()
        pv = self._present_values(self._discount(self.cc_base()), RATE_BUMP)
        values = np.maximum(cross_holding_values((self.m * self.rerating * pv).T, L.stakes).T, 1e-6)
        value, bumped = values
        self.duration = -(np.log(bumped[self.listed]) - np.log(value[self.listed])) / RATE_BUMP
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
        for i, j in zip(*np.nonzero(loss >= max(self.min_event, 1e-12))):
            self._cascade(L.names[j], L.names[i], "equity", float(loss[i, j]),
                          f"stake of {L.stakes[i, j]:.1%} marked down")
            self.stake_ref[i, j] = held[i, j]

    def _debtrank_losses(self) -> None:
        """Distress = drawdown of each firm's value from its peak; new distress spreads to lenders
        (loans × loss given distress) and investors (stakes) by DebtRank; the lenders' distress
        widens the AI credit spread."""
        L = self.ledger
        h_now = np.clip(1.0 - self.value / np.maximum(self.value_peak, 1e-9), 0.0, 1.0)
        if L.other >= 0:
            h_now[L.other] = 0.0          # the lenders' node: distress only from its borrowers
        dh0 = np.maximum(h_now - self.h_logged, 0.0)
        self.h_logged = np.maximum(self.h_logged, h_now)
        if dh0.max() <= 1e-6:
            return
        exposure = self.lgd * L.loans + L.stakes * self.value[None, :]
        capital = self.value.copy()
        if L.other >= 0:
            capital[L.other] = self.lender_capital
        h = debtrank(exposure, capital, dh0)
        for lender, b in zip(*np.nonzero(L.loans > 0)):
            self._cascade(L.names[b], L.names[lender], "financing", float(self.lgd * L.loans[lender, b] * h[b]),
                          f"DebtRank: borrower distress +{h[b]:.1%}")
        if L.other >= 0:
            self.lender_distress = min(1.0, self.lender_distress + float(h[L.other]))
            self.spread = self.spread0 + self.spread_beta * self.lender_distress

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
        cut_capex = L.capex < self.capex_prev - 1e-9
        cut_rev = L.revenue_ratio < self.revenue_ratio_prev - 1e-9
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
    def _update_buybacks(self) -> None:
        """Buyback desks read each listed firm's cash flow after capex (OCF − capex)."""
        if not hasattr(self.model, "populations"):
            return                           # blocks are built before the traders
        book = self.model.population("buyback")
        if book is None:
            return
        L = self.ledger
        if not hasattr(self, "_desk_rows"):
            names = {d: k for k, d in enumerate(book.desk_names)}
            pairs = [(names[self.graph.nodes[f]["ticker"]], i) for i, f in enumerate(L.names)
                     if self.graph.nodes[f]["ticker"] in names]
            self._desk_rows = np.array([a for a, _ in pairs], dtype=int)
            self._desk_firms = np.array([b for _, b in pairs], dtype=int)
        capex = np.where(L.is_spender, L.spend, L.fixed_capex)
        book.fcf_annual[self._desk_rows] = (self.operating - capex)[self._desk_firms]

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
