"""The accounting core of the AI capital interlock (MODEL.md §3.4): firms' cash, debt and stakes,
and the deals' payment schedules, as numpy arrays (one row per firm, one entry per deal).

Money moves only here, and every dollar is booked twice:
- a supply payment leaves the buyer (its `purchases` account, paid in cash by spenders and labs;
  inside operating costs for chip vendors) and arrives as the seller's `revenue_graph`;
- an equity tranche leaves the investor's cash (`invested`) and arrives in the investee's cash
  (`raised_equity`), and the investor's stake grows by tranche / investee value;
- a loan leaves the lender and arrives as the borrower's cash and debt (`raised_debt`); a loan
  booked off the node's balance sheet (`legal_borrower`: an SPV or project company borrows, the
  node is the tenant) is the lender's exposure only;
- dividends (`dividends`, at the firm's annual rate) and buybacks (`buybacks`, what its buyback
  desk spent) leave the firm's cash to its shareholders, outside the graph.
So at any time, per firm: cash = starting cash + operating cash in + equity raised + debt raised
− cash purchases − fixed capex − invested − dividends − buybacks (the identity the conservation
tests check).

Schedules (years from the start date t): `uniform` pays amount/T evenly on [s, s + T); `ramp` pays
at a linearly rising rate 2·A/T²·(t − s) (GW deployments); `run_rate` is an annual flow with no
end, scaled by the buyer's capex (spenders) or revenue (chip vendors: cost of sales).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...inputs.deals import DAYS_PER_CALENDAR_YEAR
from ...inputs.firms import SPENDER_KINDS

UNIFORM, RAMP, RUN_RATE = 0, 1, 2
_SCHED = {"uniform": UNIFORM, "ramp": RAMP, "run_rate": RUN_RATE}
# the implicit run-rate edge of a spender's residual capex: live from before the start (its
# duration is unused: run-rate edges have no end)
RESIDUAL_START_YEARS, RESIDUAL_DURATION_YEARS = -1.0, 1.0
MIN_CAPEX_BN = 1e-9                  # guard: a spender with no capex has no residual
MIN_AMOUNT_BN = 1e-12                # guard: a deal of zero amount vests no stake
PAID_AT_KEPT = 8                     # times whose paid shares a schedule keeps (fraction_paid)


@dataclass
class Schedule:
    """One deal type's edges as arrays: source → target, amount, start s and duration T (years
    from the run's start), schedule code and a scale (commitment cuts, investor willingness)."""

    ids: list[str]
    src: np.ndarray
    dst: np.ndarray
    amount: np.ndarray
    start: np.ndarray
    dur: np.ndarray
    sched: np.ndarray
    scale: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)

    def __post_init__(self) -> None:
        self._ramp = self.sched == RAMP
        self._scheduled = (self.sched != RUN_RATE).astype(float)
        # constant parts of `rate` (evaluated daily), computed once: a schedule's amounts and dates are
        # never changed in place (a cut or a willingness moves `scale`; new edges make a new Schedule)
        self._ramp_num = 2.0 * self.amount
        self._dur2 = self.dur * self.dur
        self._flat_rate = self.amount / self.dur
        self.end = self.start + self.dur
        self._tiles: dict[int, tuple[np.ndarray, ...]] = {}
        self._paid_at: dict[float, np.ndarray] = {}
        # the time ramping deals pay, as disjoint [from, to) spans (their union; `ramp_live`)
        spans: list[list[float]] = []
        for a, b in sorted(zip(self.start[self._ramp].tolist(), self.end[self._ramp].tolist())):
            if spans and a <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], b)
            elif a < b:
                spans.append([a, b])
        self._ramp_from = [a for a, _ in spans]
        self._ramp_to = [b for _, b in spans]

    def ramp_live(self, t: float) -> bool:
        """Whether a ramping deal pays at t (start ≤ t < end for one of them)."""
        k = bisect.bisect_right(self._ramp_from, t) - 1
        return k >= 0 and t < self._ramp_to[k]

    def fraction_paid(self, t: float) -> np.ndarray:
        """Share of each deal's amount paid by time t (run-rate deals: 0). Read-only: a refresh asks
        for the same few times again and again (now, a year on, the counterparty horizon), so the
        last few are kept (the dates never change in place)."""
        out = self._paid_at.get(t)
        if out is None:
            if len(self._paid_at) >= PAID_AT_KEPT:
                self._paid_at.clear()
            u = np.minimum(np.maximum((t - self.start) / self.dur, 0.0), 1.0)
            out = self._paid_at[t] = np.where(self._ramp, u * u, u) * self._scheduled
            out.flags.writeable = False
        return out

    def rate(self, t: float) -> np.ndarray:
        """Annual payment rate of each scheduled deal at t (× scale; run-rate deals: 0)."""
        x = t - self.start
        live = (x >= 0.0) & (x < self.dur)
        per_year = np.where(self._ramp, self._ramp_num * x / self._dur2, self._flat_rate)
        return per_year * (live * self._scheduled * self.scale)

    def paid_between(self, t0: float, t1: float) -> np.ndarray:
        """Scheduled payments in [t0, t1) at the current scale."""
        return self.amount * (self.fraction_paid(t1) - self.fraction_paid(t0)) * self.scale

    def remaining(self, t: float) -> np.ndarray:
        """Remaining scheduled value after t at the current scale."""
        return self.amount * (1.0 - self.fraction_paid(t)) * self.scale * self._scheduled

    def present_value(self, t: float, r: np.ndarray, copies: int = 1) -> np.ndarray:
        """Present value at t of the remaining scheduled payments at discount rates r (per deal;
        with `copies` = k, r holds k rates per deal, deal-major blocks of length n)."""
        start, end, flat, ramp_k, is_ramp = self._tiled(copies)
        a = np.maximum(start - t, 0.0)
        b = np.maximum(end - t, 0.0)
        ea, eb = np.exp(-r * a), np.exp(-r * b)
        uniform = flat * (ea - eb) / r
        c = t - start                           # ramp rate 2A/T²·(c + τ) at τ years from now
        prim = lambda tau, e: -(c + tau) * e / r - e / (r * r)  # noqa: E731 - ∫(c+τ)e^{-rτ}dτ
        ramp = ramp_k * (prim(b, eb) - prim(a, ea))
        w = self._scheduled * self.scale
        return np.where(is_ramp, ramp, uniform) * (np.concatenate([w] * copies) if copies > 1 else w)

    def _tiled(self, copies: int) -> tuple[np.ndarray, ...]:
        """`present_value`'s constants, `copies` times over: start, start + T, A/T, 2A/T², is-ramp
        (computed once per number of copies: the dates and amounts are never changed in place)."""
        out = self._tiles.get(copies)
        if out is None:
            tile = (lambda x: np.tile(x, copies)) if copies > 1 else (lambda x: x)  # noqa: E731
            start, dur, amount = tile(self.start), tile(self.dur), tile(self.amount)
            out = self._tiles[copies] = (start, start + dur, amount / dur, 2.0 * amount / (dur * dur),
                                         tile(self._ramp))
        return out


def _schedule(deals: pd.DataFrame, idx: dict[str, int], start_date: pd.Timestamp, instant_years: float) -> Schedule:
    """The deals as a Schedule; a deal of zero duration pays within `instant_years` (one trading day)."""
    years = lambda d: (d - start_date).days / DAYS_PER_CALENDAR_YEAR  # noqa: E731
    return Schedule(
        ids=list(deals["deal_id"]),
        src=np.array([idx[p] for p in deals["source_party"]], dtype=int),
        dst=np.array([idx[p] for p in deals["target_party"]], dtype=int),
        amount=deals["amount_bn"].to_numpy(float).copy(),
        start=np.array([years(d) for d in deals["start"]], dtype=float),
        dur=np.maximum(deals["duration_years"].to_numpy(float), instant_years),
        sched=np.array([_SCHED[s] for s in deals["schedule"]], dtype=int),
        scale=np.ones(len(deals)),
    )


class InterlockLedger:
    """Firms, deals and the money between them. Decisions (capex, cuts, funding) are made by the
    interlock block; the ledger books them and keeps the accounts.

    `firms` is the firms table (`inputs.firms.load_firms`), `deals` the validated deals table with
    resolved schedules (`deals.load_deals` + `deals.resolve_schedules`). The keyword arguments
    are parameters (interlock.toml): `days_per_year` (run.trading_days_per_year), the cash of
    firms that publish none — `unknown_cash_share` of the valuation, or without a valuation
    `unknown_cash_revenue_share` of revenue (interlock.firms) — `residual_capex_min_share` and
    `max_stake` (interlock.deals.residual_capex_min_share, max_stake_share)."""

    ACCOUNTS = ("revenue_graph", "revenue_exo", "operating_in", "purchases", "cash_purchases", "fixed_capex",
                "raised_equity", "raised_debt", "invested", "dividends", "buybacks")

    def __init__(self, firms: pd.DataFrame, deals: pd.DataFrame, start_date, *, days_per_year: int,
                 unknown_cash_share: float, unknown_cash_revenue_share: float, residual_capex_min_share: float,
                 max_stake: float):
        self.start_date = pd.Timestamp(start_date)
        self.ann = float(days_per_year)
        self.residual_capex_min_share = residual_capex_min_share
        self.max_stake = max_stake
        instant = 1.0 / self.ann                        # a deal of zero duration pays within one trading day
        self.names = list(firms["firm"])
        self.n = n = len(self.names)
        self.idx = {f: i for i, f in enumerate(self.names)}
        self.kind = np.array(list(firms["kind"]))
        self.is_lab = self.kind == "ai_lab"
        self.is_spender = np.isin(self.kind, SPENDER_KINDS)
        self.pays_cash = self.is_lab | self.is_spender       # chip vendors' purchases are costs inside OCF
        others = np.flatnonzero(self.kind == "other_suppliers")
        self.other = int(others[0]) if others.size else -1
        num = lambda c: firms[c].to_numpy(float) if c in firms else np.full(n, np.nan)  # noqa: E731
        start_or = lambda c, fallback: np.where(np.isnan(num(c)), num(fallback), num(c))  # noqa: E731
        self.revenue_ttm = np.nan_to_num(num("revenue_bn"))
        self.revenue0 = np.nan_to_num(start_or("revenue_start_bn", "revenue_bn"))     # run-rate or guide
        self.capex0 = np.nan_to_num(start_or("capex_start_bn", "capex_bn"))
        self.dividend_rate = np.nan_to_num(num("dividend_bn"))
        self.ocf0 = np.nan_to_num(num("operating_cash_flow_bn"))
        value = np.where(np.isnan(num("market_cap_bn")), num("valuation_bn"), num("market_cap_bn"))
        self.value0 = value
        cash = num("cash_bn")
        fill = np.where(np.isnan(value), unknown_cash_revenue_share * self.revenue0,
                        unknown_cash_share * np.nan_to_num(value))
        self.cash0 = np.where(np.isnan(cash), fill, cash)
        self.debt0 = np.nan_to_num(num("debt_bn"))
        # chip vendors' and others' own capex is not spent along edges: a fixed cash outflow
        self.fixed_capex = np.where(self.pays_cash, 0.0, self.capex0)

        sup = deals[deals["type"] == "supply"]
        self.supply = _schedule(sup, self.idx, self.start_date, instant)
        self.equity = _schedule(deals[deals["type"] == "equity"], self.idx, self.start_date, instant)
        eq = deals[deals["type"] == "equity"]
        self.equity_cash = (eq["settlement"] == "cash").to_numpy()
        self.equity_stake_pct = eq["stake_pct"].to_numpy(float)
        # constant per equity edge, for book(): the stated stake as a share, whether there is one, the
        # amount it vests over, and the edge's cell in the n × n stake matrices
        self._stake_share = self.equity_stake_pct / 100.0
        self._stake_stated = np.isfinite(self._stake_share)
        self._vest_amount = np.maximum(self.equity.amount, MIN_AMOUNT_BN)
        self._stake_cell = self.equity.src * n + self.equity.dst
        fin = deals[deals["type"] == "financing"]
        self.financing = _schedule(fin, self.idx, self.start_date, instant)
        lb = fin["legal_borrower"] if "legal_borrower" in fin else pd.Series("", index=fin.index)
        self.off_balance = lb.fillna("").astype(str).str.strip().ne("").to_numpy()
        self._add_residual_capex_edges()
        self._run_rate_setup()
        self.supply_renewal = np.array(["~r" in x for x in self.supply.ids], dtype=bool)

        # state
        self.cash = self.cash0.copy()
        self.debt = self.debt0.copy()
        self.capex = self.capex0.copy()                  # annual capex run-rate (spenders)
        self.revenue_exo = np.zeros(n)                   # set by the block
        self.operating_rate = self.ocf0.copy()           # annual operating cash in, set by the block
        self.revenue_ratio = np.ones(n)                  # chip vendors' cost of sales follow revenue
        self.stakes = np.zeros((n, n))                   # stakes[i, j]: share of j held by i
        self.stake_cost = np.zeros((n, n))
        self.loans = np.zeros((n, n))                    # loans[l, b]: outstanding, lender l → borrower b
        self.acc = {k: np.zeros(n) for k in self.ACCOUNTS}
        self.paid = np.zeros(self.supply.n)              # cumulative $ along each supply edge
        self.invested_edge = np.zeros(self.equity.n)
        self.drawn = np.zeros(self.financing.n, dtype=bool)
        self._init_positions()
        self.t = 0.0
        self._eq_flows_for: np.ndarray | None = None
        self._eq_booked_for: tuple | None = None
        self._rr_terms_for: tuple | None = None
        self.rates = np.zeros(self.supply.n)
        self.equity_rates = np.zeros(self.equity.n)
        # the fused kernels (agents/_kernels.py; bit-identical to the numpy code, which stays as the
        # reference) when the process runs them (agents/jit.py): `use_kernels` switches them on
        self._k = None
        self.rates_at(0.0)

    def use_kernels(self, kernels) -> None:
        """Run the daily rates and booking with the fused kernels module `kernels` (None: numpy)."""
        self._k = kernels
        self._scratch = (np.empty(self.n), np.empty(self.n))

    # ----- set-up ---------------------------------------------------------------------------
    def _add_residual_capex_edges(self) -> None:
        """A spender's capex not on any edge goes to the 'other suppliers' node (an implicit
        run-rate edge), so that every dollar of capex is spent along a supply edge."""
        s = self.supply
        if self.other < 0:
            return
        contract0 = np.bincount(s.src, s.rate(0.0), minlength=self.n)
        live_rr = (s.sched == RUN_RATE) & (s.start <= 0.0)
        rr0 = np.bincount(s.src[live_rr], s.amount[live_rr], minlength=self.n)
        residual = self.capex0 - contract0 - rr0
        big = residual > self.residual_capex_min_share * np.maximum(self.capex0, MIN_CAPEX_BN)
        add = [i for i in np.flatnonzero(self.is_spender & big) if i != self.other]
        if not add:
            return
        k = len(add)
        self.supply = Schedule(
            ids=s.ids + [f"capex-rest-{self.names[i]}" for i in add],
            src=np.concatenate([s.src, add]), dst=np.concatenate([s.dst, np.full(k, self.other)]),
            amount=np.concatenate([s.amount, residual[add]]),
            start=np.concatenate([s.start, np.full(k, RESIDUAL_START_YEARS)]),
            dur=np.concatenate([s.dur, np.full(k, RESIDUAL_DURATION_YEARS)]),
            sched=np.concatenate([s.sched, np.full(k, RUN_RATE)]), scale=np.concatenate([s.scale, np.ones(k)]))

    def _run_rate_setup(self) -> None:
        s = self.supply
        self.rr = s.sched == RUN_RATE
        self.rr_spender = self.rr & self.is_spender[s.src]
        self.rr_chip = self.rr & ~self.is_spender[s.src]
        tot = np.bincount(s.src[self.rr_spender], s.amount[self.rr_spender], minlength=self.n)
        self.rr_share = np.where(self.rr_spender, s.amount / np.where(tot[s.src] > 0, tot[s.src], 1.0), 0.0)

    def _init_positions(self) -> None:
        """Stakes and loans already in place at the start date."""
        e = self.equity
        paid = e.amount * e.fraction_paid(0.0)
        for k in range(e.n):
            i, j = e.src[k], e.dst[k]
            if paid[k] <= 0:
                continue
            pct = self.equity_stake_pct[k]
            if math.isfinite(pct):
                share = pct / 100.0 * e.fraction_paid(0.0)[k]
            else:
                v = self.value0[j]
                share = paid[k] / v if math.isfinite(v) and v > 0 else 0.0
            self.stakes[i, j] += share
            self.stake_cost[i, j] += paid[k] if self.equity_cash[k] else 0.0
            self.invested_edge[k] = paid[k]
        f = self.financing
        for k in range(f.n):
            if f.start[k] <= 0.0:
                self.loans[f.src[k], f.dst[k]] += f.amount[k]
                self.drawn[k] = True
        np.clip(self.stakes, 0.0, self.max_stake, out=self.stakes)

    # ----- flows ------------------------------------------------------------------------------
    def rates_at(self, t: float) -> np.ndarray:
        """Set and return every supply edge's annual payment rate at time t: scheduled contracts,
        then each spender's flexible capex (capex − contracts) split over its run-rate edges, and
        chip vendors' cost of sales scaled by their revenue."""
        s = self.supply
        if self._k is not None:
            self.rates, self.spend, self.revenue_graph = r, spend, revenue = (np.empty(s.n), np.empty(self.n),
                                                                             np.empty(self.n))
            self._k.ledger_rates(t, s.start, s.dur, s._ramp, s._ramp_num, s._dur2, s._flat_rate, s._scheduled, s.scale,
                                 s.src, s.dst, self.capex, self.rr_spender, self.rr_share, self.rr_chip, s.amount,
                                 self.revenue_ratio, self._scratch[0], r, spend, revenue)
            return r
        r = s.rate(t)
        contract_out = np.bincount(s.src, r, minlength=self.n)
        flex = np.maximum(self.capex - contract_out, 0.0)
        spender_live, chip = self._run_rate_terms(s.start <= t)
        r = r + np.where(spender_live, flex[s.src] * self.rr_share, 0.0) * s.scale
        r = r + chip
        self.rates = r
        self.spend = np.bincount(s.src, r, minlength=self.n)
        self.revenue_graph = np.bincount(s.dst, r, minlength=self.n)
        return r

    def _run_rate_terms(self, live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For `rates_at`, given which edges have started: the spenders' live run-rate edges, and
        the chip vendors' run-rate purchases (cost of sales × revenue ratio × scale). A function of
        `live`, the scales and the revenue ratios alone, kept until one of them changes (they move
        at billing, not day by day; issue #16)."""
        s = self.supply
        key = (live.tobytes(), s.scale.tobytes(), self.revenue_ratio.tobytes())
        if key != self._rr_terms_for:
            self._rr_terms = (self.rr_spender & live,
                              np.where(self.rr_chip & live, s.amount * self.revenue_ratio[s.src], 0.0) * s.scale)
            self._rr_terms_for = key
        return self._rr_terms

    def equity_rates_at(self, t: float, willingness: np.ndarray) -> np.ndarray:
        """Annual rate of each equity tranche at t: the schedule × `willingness` (per equity edge,
        0–1: the share of the scheduled tranche the investor pays). Share-settled deals vest
        stakes but move no cash."""
        self.equity_rates = self.equity.rate(t) * willingness
        return self.equity_rates

    def equity_flows(self) -> tuple[np.ndarray, np.ndarray]:
        """Each firm's cash in and out from equity tranches per year at the current rates (kept per rate set)."""
        if self._eq_flows_for is not self.equity_rates:
            self._eq_flows_for = self.equity_rates
            eq_cash = np.where(self.equity_cash, self.equity_rates, 0.0)
            self._eq_flows = (np.bincount(self.equity.dst, eq_cash, minlength=self.n),
                              np.bincount(self.equity.src, eq_cash, minlength=self.n))
        return self._eq_flows

    def daily_cash_change(self) -> np.ndarray:
        """Each firm's cash change per day at the current rates (USD bn)."""
        eq_in, eq_out = self.equity_flows()
        return (self.operating_rate - self.spend * self.pays_cash - self.fixed_capex - self.dividend_rate
                + eq_in - eq_out) / self.ann

    def book(self, days: int, values: np.ndarray) -> None:
        """Book `days` trading days at the current rates into the accounts and stakes (`values`:
        the investees' values, for stakes bought with this period's tranches). Cash itself is
        moved day by day by the caller with `daily_cash_change()`."""
        if days <= 0:
            return
        dt = days / self.ann
        a = self.acc
        if self._k is not None:
            self._k.ledger_book(dt, self.rates, self.paid, self.supply.src, self.supply.dst, self.pays_cash,
                                a["purchases"], a["cash_purchases"], a["revenue_graph"], a["revenue_exo"],
                                self.revenue_exo, a["operating_in"], self.operating_rate, a["fixed_capex"],
                                self.fixed_capex, a["dividends"], self.dividend_rate, *self._scratch)
        else:
            paid = self.rates * dt
            self.paid += paid
            bought = np.bincount(self.supply.src, paid, minlength=self.n)
            a["purchases"] += bought
            a["cash_purchases"] += bought * self.pays_cash
            a["revenue_graph"] += np.bincount(self.supply.dst, paid, minlength=self.n)
            a["revenue_exo"] += self.revenue_exo * dt
            a["operating_in"] += self.operating_rate * dt
            a["fixed_capex"] += self.fixed_capex * dt
            a["dividends"] += self.dividend_rate * dt
        tranche, invested, raised, stakes, stake_cost = self._equity_booking(dt, values)
        if self._k is not None:
            self._k.ledger_book_equity(a["invested"], invested, a["raised_equity"], raised, self.invested_edge, tranche,
                                       self.stakes, stakes, self.stake_cost, stake_cost, self.max_stake)
            return
        a["invested"] += invested
        a["raised_equity"] += raised
        self.invested_edge += tranche
        self.stakes += stakes
        self.stake_cost += stake_cost
        np.minimum(self.stakes, self.max_stake, out=self.stakes)

    def _equity_booking(self, dt: float, values: np.ndarray) -> tuple[np.ndarray, ...]:
        """What `dt` years of the equity tranches book at the current rates: the tranches, cash
        invested by firm, raised by firm, and the stakes and their cost by cell. A function of dt,
        the rates and the investees' values alone, so it is kept for the next call with the same
        three (between refreshes a day books the same tranches at the same values; issue #16)."""
        key = (dt, self.equity_rates.tobytes(), values.tobytes())
        if key != self._eq_booked_for:
            e, n = self.equity, self.n
            tranche = self.equity_rates * dt
            cash_tr = np.where(self.equity_cash, tranche, 0.0)
            v = values[e.dst]
            # a stated stake vests with the amount paid; otherwise shares are bought at the value
            share = np.where(self._stake_stated, self._stake_share * tranche / self._vest_amount,
                             tranche / np.where(v > 0, v, np.inf))
            flat = self._stake_cell
            self._eq_booked = (tranche, np.bincount(e.src, cash_tr, minlength=n),
                               np.bincount(e.dst, cash_tr, minlength=n),
                               np.bincount(flat, share, minlength=n * n).reshape(n, n),
                               np.bincount(flat, cash_tr, minlength=n * n).reshape(n, n))
            self._eq_booked_for = key
        return self._eq_booked

    # ----- decisions booked -------------------------------------------------------------------
    def raise_equity(self, i: int, amount: float) -> None:
        """Outside investors (not in the graph) buy `amount` of new shares of firm i."""
        if amount > 0:
            self.cash[i] += amount
            self.acc["raised_equity"][i] += amount

    def borrow(self, i: int, amount: float, lender: int | None = None) -> None:
        """Firm i borrows `amount` (from the 'other' node when there is one)."""
        if amount <= 0:
            return
        self.cash[i] += amount
        self.debt[i] += amount
        self.acc["raised_debt"][i] += amount
        lender = self.other if lender is None else lender
        if lender >= 0 and lender != i:
            self.loans[lender, i] += amount

    def draw_new_loans(self, t: float) -> list[int]:
        """Loans of the deals file that start by t are drawn: the borrower's cash and debt rise,
        the lender's exposure too. Returns the deal indices drawn now."""
        f = self.financing
        new = np.flatnonzero(~self.drawn & (f.start <= t))
        for k in new:
            b, lender = f.dst[k], f.src[k]
            if not self.off_balance[k]:
                self.cash[b] += f.amount[k]
                self.debt[b] += f.amount[k]
                self.acc["raised_debt"][b] += f.amount[k]
            self.loans[lender, b] += f.amount[k]
            self.drawn[k] = True
        return list(new)

    def pay_buybacks(self, amounts: np.ndarray) -> None:
        """Shares bought back today (USD bn per firm): the firms' cash pays."""
        self.cash -= amounts
        self.acc["buybacks"] += amounts

    def cut_commitments(self, i: int, share: float, t: float) -> dict[int, float]:
        """Firm i cuts `share` of every remaining scheduled purchase (contract) it committed to.
        Returns, per seller, the remaining contract value removed (USD bn)."""
        s = self.supply
        mine = (s.src == i) & (s.sched != RUN_RATE)
        before = s.remaining(t)
        s.scale[mine] *= (1.0 - share)
        # renewals (`<id>~r<k>`) are scaled too, but they were expectations, not contracted value
        lost = np.where(mine & ~self.supply_renewal, before - s.remaining(t), 0.0)
        out: dict[int, float] = {}
        for k in np.flatnonzero(lost > 0):
            out[int(s.dst[k])] = out.get(int(s.dst[k]), 0.0) + float(lost[k])
        return out

    # ----- reports ----------------------------------------------------------------------------
    def forward_purchases(self, t: float, years: float) -> np.ndarray:
        """Each firm's scheduled (contract) purchases over [t, t + years)."""
        s = self.supply
        return np.bincount(s.src, s.paid_between(t, t + years), minlength=self.n)

    def forward_equity_in(self, t: float, years: float, willingness: np.ndarray) -> np.ndarray:
        """Scheduled cash investments each firm will receive over [t, t + years) (`willingness`
        per equity edge)."""
        e = self.equity
        tr = e.paid_between(t, t + years) * willingness * self.equity_cash
        return np.bincount(e.dst, tr, minlength=self.n)

    def cash_identity_gap(self) -> np.ndarray:
        """cash − (starting cash + inflows − outflows) per firm: zero up to rounding."""
        a = self.acc
        expect = (self.cash0 + a["operating_in"] + a["raised_equity"] + a["raised_debt"]
                  - a["cash_purchases"] - a["fixed_capex"] - a["invested"] - a["dividends"] - a["buybacks"])
        return self.cash - expect
