"""Crypto block benchmark (issue #4). Run by hand:  .venv/bin/python benchmarks/bench_crypto.py
(`--quick` or `--smoke`: a few seconds at 2,000 holders, to check the script still runs; writes nothing).

1. Per-holder cost per day of the vectorised retail population (`RetailCryptoBook`, numpy rows in
   one Mesa agent per venue) at 100,000 and 1,000,000 rows.
2. A 252-day run with 1,000,000 holders in a fresh process: wall time and peak memory
   (targets: < 30 s on one core, < 2 GB).
3. The naive design — one Mesa agent per holder, the same rules in Python scalars, the same
   starting state and random draws — timed side by side with the vectorised one in this process at
   10,000 and 100,000 holders, with the ratio (target ≥ 20×). A short run checks that both designs
   produce the same prices.

The vectorised book runs its numpy reference path (INTERLOCK_NUMBA=0 unless set otherwise: agents/jit.py's
"auto" would also stay on it for the few hundred days measured here); the naive holders follow that
path's rules — spot reviews with the pool stake valued at NAV and its gains kept out of the BTC leg,
two-sided perps with entry thresholds, re-entry waits, the open-interest limit, liquidations of longs
at the intraday low and shorts at the high with the cascade, funding — operation by operation.

Writes its section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import results  # benchmarks/results.py
import json
import math
import os
import subprocess
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
# The vectorised book's numpy reference path, in this process and the million-holder one: what "auto"
# runs anyway for the few hundred days measured here (agents/jit.py: the fused kernels start from a
# process's 2,000th day), made explicit so that both designs follow the same numpy rules
os.environ.setdefault("INTERLOCK_NUMBA", "0")

import mesa  # noqa: E402
import numpy as np  # noqa: E402

from interlock.agents import jit  # noqa: E402
from interlock.agents.base import clearing_value, execute  # noqa: E402
from interlock.agents.retail_crypto import RetailCryptoBook  # noqa: E402
from interlock.experiments.scenarios import load_scenario  # noqa: E402
from interlock.model.model import TRADERS, CapitalFlowModel  # noqa: E402

VEC_PATH = ("its numpy reference path, INTERLOCK_NUMBA=0" if jit.MODE == "0" else
            f"INTERLOCK_NUMBA={jit.RAW}: the fused kernels where agents/jit.py turns them on")
HOOKS = ("begin_day", "voluntary_orders", "forced_orders", "fill", "end_day", "record")


# ----- the naive design ---------------------------------------------------------------------------
class NaiveHolder(mesa.Agent):
    """One retail holder as its own Mesa agent, its state in Python scalars. The arithmetic follows
    RetailCryptoBook's numpy reference path operation by operation (the same order, so the same
    rounding), one holder at a time."""

    def __init__(self, model, book: RetailCryptoBook, row: int):
        super().__init__(model)
        self.row = row
        self.leveraged = row < book.n_lev
        self.venue = int(book.venue[row])
        self.style = int(book.style[row])
        for name in ("appetite", "sensitivity", "weight", "holder_cash", "btc", "eq_shares", "debt",
                     "leverage", "liq_price", "base_btc", "base_eq"):
            setattr(self, name, float(getattr(book, name)[row]))
        if self.leveraged:
            self.margin_share = float(book.margin_share[row])
            self.entry = float(book.entry[row])
            self.side = float(book.side[row])            # +1 long, −1 short
            self.flat_since = int(book.flat_since[row])

    # spot holder at its review: (buy BTC $, buy pool $, sell BTC units, sell pool shares)
    def review(self, b, pb, nav, loss, any_loss, xs, rs):
        nv = nav[self.venue]
        btc_value = self.btc * pb
        eq_value = self.eq_shares * nv
        cash = self.holder_cash
        wealth = cash + btc_value + eq_value
        a = self.appetite
        free = math.exp(xs[self.style] * a) * self.base_btc
        if any_loss:
            trust = 1.0 - self.sensitivity * loss[self.venue]
            trusted = free * (trust if b.tau == 1.0 else trust ** b.tau)
        else:
            trusted = free
        btc_share = min(trusted * math.exp(-(rs[self.style] * a)), b.max_share)
        # the pool: the strategic stake at today's NAV plus the BTC share the rotation gives up
        eq_share = self.base_eq * nv / max(wealth, 1e-300)
        eq_share += trusted - btc_share
        if any_loss:
            eq_share += b.phi * (free - trusted)
        eq_share = min(max(eq_share, 0.0), 1.0 - btc_share)
        # the BTC leg's wealth leaves out the pool stake's gains (mental accounting)
        gain = self.base_eq * (nv - 1.0) * btc_share
        gap_b = btc_share * wealth - gain - btc_value
        gap_e = eq_share * wealth - eq_value
        lim = b.band * wealth
        t_b = gap_b * b.speed if abs(gap_b) > lim else 0.0
        t_e = gap_e * b.speed if abs(gap_e) > lim else 0.0
        buy_b = t_b if t_b > 0.0 else 0.0
        buy_e = t_e if t_e > 0.0 else 0.0
        spend = buy_b + buy_e
        if spend > cash:                           # buys are paid from cash on hand
            scale = cash / spend
            buy_b *= scale
            buy_e *= scale
        sell_b = min((-t_b if t_b < 0.0 else 0.0) / pb, self.btc)
        sell_e = min((-t_e if t_e < 0.0 else 0.0) / nv, self.eq_shares)
        return buy_b, buy_e, sell_b, sell_e

    def fill_spot(self, o, pb, nv):
        buy_b, buy_e, sell_b, sell_e = o
        self.btc += buy_b / pb - sell_b
        self.eq_shares += buy_e / nv - sell_e
        cash_in = sell_b * pb + sell_e * nv - buy_b - buy_e
        self.holder_cash = max(self.holder_cash + cash_in, 0.0)

    # leveraged trader: "open" / "close" / None, from today's uniform draw and its hazards
    def decide(self, b, draw, loss, any_loss, day, xr):
        y = xr[self.style] * self.appetite
        if any_loss:
            y += b.tau * math.log(max(1.0 - self.sensitivity * loss[self.venue], 1e-12))
        excess = math.exp((y * self.side - self.entry) * b.signal_b)     # shorts act on the bearish signal
        if self.btc != 0.0:
            return "close" if draw * excess < b.close_rate else None
        if draw < b.open_rate * excess and self.holder_cash > 0.0 and self.flat_since <= day - b.reentry:
            return "open"
        return None

    def set_liq_price(self, mm):
        q = self.btc
        self.liq_price = self.debt / (q - mm * abs(q)) if q != 0.0 else 0.0

    def open(self, b, margin, notional, price):
        contracts = self.side * notional / price
        self.btc += contracts
        self.holder_cash -= margin
        self.debt += contracts * price - margin
        self.set_liq_price(b.mm)
        return contracts

    def settle(self, b, contracts, price, fee):
        """Close at `price`: returns (equity, the venue's share: fee or the bankrupt deficit)."""
        equity = contracts * price - self.debt
        payout = max(equity - (b.fee * abs(contracts) * price if fee else 0.0), 0.0)
        self.holder_cash += payout
        self.btc = self.debt = self.liq_price = 0.0
        self.flat_since = b.model.day
        return equity, equity - payout

    def pay_funding(self, b, f3, pb):
        pay = f3 * self.btc * pb
        self.debt += pay
        self.set_liq_price(b.mm)
        return pay


class NaiveRetailBook(RetailCryptoBook):
    """The retail population written the naive way: one Mesa agent per holder, Python loops over
    them. The starting state and the random draws are the vectorised book's (its constructor and
    `begin_day`), as are the venue-level steps (pool NAV and weights, the intraday low and high, the
    cascade's price walk, funding's rate); every per-holder step is a loop over the agents."""

    def __init__(self, model, rng):
        super().__init__(model, rng)                   # same starting state and random draws
        self.holders = [NaiveHolder(model, self, i) for i in range(self.N)]
        self.lev = self.holders[: self.n_lev]
        # the holders' state lives in the agents from here on: drop the row arrays it came from, so
        # nothing of the vectorised book's can read it by mistake
        self.holder_cash = self._hold = self.btc = self.eq_shares = self.debt = None
        self.liq_price = self.flat_since = self.trust = self.leverage = None

    # ----- round 0 ----------------------------------------------------------------------------------
    def voluntary_orders(self):
        m, st = self.market, self.crypto
        nv, btc_col, day = self.n_venues, m.btc, self.model.day
        prices = m.instrument_prices()
        pb = float(prices[btc_col])
        # numpy arrays read per holder become Python lists once a day (a numpy scalar index per holder
        # costs ~100 ns more than a list index): the naive design at its best
        frozen_a = st.frozen()
        frozen, any_frozen = frozen_a.tolist(), bool(frozen_a.any())
        loss = st.trust_loss.tolist()
        any_loss = any(loss)
        nav_a = self.pool_nav(prices)
        nav = nav_a.tolist()
        xs, rs = self.x_style.tolist(), self.rot_style.tolist()
        xr = (self.x_style - self.rot_style).tolist()
        draws = self._draw.tolist()
        buy = np.zeros((self.n, m.n_instr))
        sell = np.zeros_like(buy)

        # spot holders reviewing today
        sums = [[0.0] * nv for _ in range(4)]           # buy BTC $, buy pool $, sell BTC, sell pool
        sb, se, rb, re = sums
        spot = []
        rows = self.review_rows(day)
        for h in self.holders[rows.start:rows.stop]:
            v = h.venue
            if any_frozen and frozen[v]:
                continue                                # holders of a frozen venue do not trade
            o = h.review(self, pb, nav, loss, any_loss, xs, rs)
            spot.append((h, o))
            sb[v] += o[0]
            se[v] += o[1]
            rb[v] += o[2]
            re[v] += o[3]
        eq_buy, eq_sell = np.array(se), np.array(re)
        buy[:nv, btc_col] = sb
        sell[:nv, btc_col] = rb
        buy[:nv] += eq_buy[:, None] * self.pool_weights(prices)
        held = self.pool_shares if self._all_pools_held() else np.where(self.pool_shares > 1e-12, self.pool_shares, 1.0)
        frac = np.minimum(eq_sell / held, 1.0)
        sell[:nv, self.eq_cols] += frac[:, None] * self.units[:nv, self.eq_cols]

        # leveraged traders decide daily
        opening, closing = [], []
        for h, draw in zip(self.lev, draws):
            if any_frozen and frozen[h.venue]:
                continue
            d = h.decide(self, draw, loss, any_loss, day, xr)
            if d == "open":
                opening.append(h)
            elif d == "close":
                closing.append(h)
        margins = [h.margin_share * h.holder_cash for h in opening]
        notionals = [h.leverage * mg for h, mg in zip(opening, margins)]
        # the venues' risk limits on gross open interest
        room = self.max_oi * float(m.cap[btc_col]) - sum(abs(h.btc) for h in self.lev) * pb
        want = sum(notionals)
        if want > max(room, 0.0):
            cut = max(room, 0.0) / want
            margins = [mg * cut for mg in margins]
            notionals = [nt * cut for nt in notionals]
        opened = list(zip(opening, margins, notionals))
        closed = [(h, h.btc) for h in closing]
        opened_long = sum(nt for h, _, nt in opened if h.side > 0)
        opened_short = sum(nt for h, _, nt in opened if not h.side > 0)
        closed_long = sum(q for _, q in closed if q > 0)
        closed_short = -sum(q for _, q in closed if q < 0)
        buy[self.desk, btc_col] = self.hedge * (opened_long + closed_short * pb)
        sell[self.desk, btc_col] = min(self.hedge * (opened_short / pb + closed_long), self.units[self.desk, btc_col])
        self.perp_flow_today += opened_long + closed_short * pb - opened_short - closed_long * pb
        self._pending = ("voluntary", buy, sell, spot, eq_buy, eq_sell, opened, closed)
        return clearing_value(buy, sell, prices)

    # ----- rounds 1, 2, …: liquidations ---------------------------------------------------------------
    def forced_orders(self, round_no):
        if not self.liquidations_on or self.n_lev == 0:
            return None
        m = self.market
        low, high = self.intraday_extreme(-1), self.intraday_extreme(1)
        hit = [h for h in self.lev
               if (h.liq_price >= low if h.side > 0 else (h.liq_price > 0.0 and h.liq_price <= high))]
        if not hit:
            return None
        hit = self._cascade_naive(hit)
        units = [h.btc for h in hit]
        buy = np.zeros((self.n, m.n_instr))
        sell = np.zeros_like(buy)
        pb = float(m.price[m.btc])
        sell[self.desk, m.btc], buy[self.desk, m.btc] = self._hedge_legs(
            sum(q for q in units if q > 0), -sum(q for q in units if q < 0), pb, float(self.units[self.desk, m.btc]))
        self._pending = ("liquidation", buy, sell, hit, units)
        return clearing_value(buy, sell, m.instrument_prices()), "liquidation"

    def _cascade_naive(self, hit):
        """`_cascade` over the agents: which positions the liquidation of `hit` reaches, nearest first
        (the price walk itself — the market's impact kernel and the day's reach — is the book's)."""
        m = self.market
        b = m.btc
        pb = float(m.price[b])
        x0 = float(m.logp[b])
        long0 = sum(h.btc for h in hit if h.btc > 0.0)
        short0 = -sum(h.btc for h in hit if h.btc < 0.0)
        desk = float(self.units[self.desk, b])
        cap = float(m.cap[b])
        f0 = float(self._hedge_flow(long0, short0, pb, desk))
        if f0 == 0.0:
            return hit
        d = -1 if f0 < 0.0 else 1                 # the move's direction; its victims: longs when down
        reached = set(h.row for h in hit)
        cand = [h for h in self.lev if h.side == -d and h.liq_price > 0.0 and h.row not in reached]
        if not cand:
            return hit
        x1 = x0 + m.impact.preview_asset(b, np.array([f0]), cap)
        if d * (min(d * h.liq_price for h in cand) * d - float(self._extreme_at(x1, d)[0])) > 0.0:
            return hit                            # most days: the first batch reaches no one else
        cand.sort(key=lambda h: d * h.liq_price)   # stable: nearest first
        cu, run = [0.0], 0.0
        for h in cand:
            run += abs(h.btc)
            cu.append(run)
        cu = np.array(cu)
        f = self._hedge_flow(long0 + cu, short0, pb, desk) if d < 0 else self._hedge_flow(long0, short0 + cu, pb, desk)
        x = (x0 + m.impact.preview_asset(b, f, cap)).tolist()
        reach = self._extreme_at(np.array(x[:-1]), d).tolist()
        k = next((i for i, h in enumerate(cand) if d * (h.liq_price - reach[i]) > 0.0), len(cand))
        return sorted(hit + cand[:k], key=lambda h: h.row)

    # ----- fills --------------------------------------------------------------------------------------
    def fill(self, orders, prices):
        kind, buy, sell, *rest = self._pending
        self._pending = None
        m = self.market
        pb = float(prices[m.btc])
        nav_a = self.pool_nav(prices) if kind == "voluntary" else None      # before the pools' units change
        execute(self.units, self.cash, orders, buy, sell, prices)
        if kind == "voluntary":
            spot, eq_buy, eq_sell, opened, closed = rest
            nav = nav_a.tolist()
            for h, o in spot:
                h.fill_spot(o, pb, nav[h.venue])
            self.pool_shares += eq_buy / nav_a - eq_sell
            self._shares_pos = None
            if opened:
                self.perp_short += sum([h.open(self, mg, nt, pb) for h, mg, nt in opened])
                self.perp_cash += sum(mg for _, mg, _ in opened)
            self._settle_naive([h for h, _ in closed], [q for _, q in closed], pb, fee=False)
        else:
            hit, units = rest
            self._settle_naive(hit, units, pb, fee=True)
            usd = sum(abs(q) for q in units) * pb
            long_usd = sum(q for q in units if q > 0) * pb
            self.liquidated_today_long += long_usd
            self.liquidated_total_long += long_usd
            self.perp_flow_today += -sum(units) * pb
            people = sum(h.weight for h in hit)
            self.liquidated_today_bn += usd
            self.liquidated_today_people += people
            self.liquidated_total_bn += usd
            self.liquidated_total_people += people
            self.liquidated_total_rows += len(hit)
        self.btc_flow_today += float(orders[:, m.btc].sum())

    def _settle_naive(self, holders, contracts, price, fee):
        if not holders:
            return
        by_venue = [0.0] * self.n_venues
        equity_sum = 0.0
        for h, q in zip(holders, contracts):
            equity, to_venue = h.settle(self, q, price, fee)
            equity_sum += equity
            by_venue[h.venue] += to_venue
        self.perp_short -= sum(contracts)
        self.perp_cash -= equity_sum
        self.crypto.reserves += np.array(by_venue)

    # ----- the close ----------------------------------------------------------------------------------
    def end_day(self, returns):
        if self.liquidated_today_bn > 0.0:
            self.liquidation_days[self.model.day] = self.liquidated_today_bn
            self.long_liquidation_days[self.model.day] = self.liquidated_today_long
        self.funding_8h = f = self.funding_rate(self.perp_flow_today)
        if f != 0.0:
            m = self.market
            f3, pb = 3.0 * f, float(m.price[m.btc])
            paid = 0.0
            for h in self.lev:
                if h.btc != 0.0:
                    pay = h.pay_funding(self, f3, pb)
                    if pay > 0:
                        paid += pay
            self.funding_paid_total += paid

    def record(self):
        m, st = self.market, self.crypto
        nv = self.n_venues
        prices = m.instrument_prices()
        pb = float(prices[m.btc])
        spot = float(self.units[:nv, m.btc].sum() * pb)
        longs = sum(h.btc for h in self.lev if h.btc > 0) * pb
        shorts = -sum(h.btc for h in self.lev if h.btc < 0) * pb
        perps = longs + shorts
        margin = sum(h.btc * pb - h.debt for h in self.lev)              # positions' equity
        exposure = spot + perps
        equity = float(self.units[:nv, self.eq_cols].sum(axis=0) @ prices[self.eq_cols])
        trust = st.market_trust()
        appetite = float(self.style_share @ np.exp(self.x_style - self.rot_style)) * trust ** self.tau
        cash = float(self.cash[:nv].sum()) + sum(h.holder_cash for h in self.lev)
        row = {"crypto_trust": trust, "btc_leverage": exposure / max(spot + margin, 1e-12),
               "leveraged_notional_bn": perps, "liquidations_bn": self.liquidated_today_bn,
               "liquidated_accounts": self.liquidated_today_people, "retail_btc_bn": spot,
               "retail_equity_bn": equity, "retail_cash_bn": cash, "retail_btc_flow_bn": self.btc_flow_today,
               "retail_btc_appetite": appetite, "venue_reserves_bn": float(st.reserves.sum()),
               "perp_long_bn": longs, "perp_short_bn": shorts, "long_liquidations_bn": self.liquidated_today_long,
               "funding_8h": self.funding_8h}
        row.update(zip(self._trust_columns, st.venue_trust().tolist()))
        return row

    def money_accounts(self):
        return {"crypto perp ledger (leveraged traders' cash + counterparty collateral)":
                sum(h.holder_cash for h in self.lev) + self.perp_cash}


def build_with(cls, n: int, seed: int) -> CapitalFlowModel:
    """The baseline model with `n` holders and `cls` as the retail_crypto population (same name,
    stream and activation order): the model's `traders` seam, no registry to patch."""
    sc = load_scenario("baseline")
    traders = tuple(cls if t is RetailCryptoBook else t for t in TRADERS)
    return CapitalFlowModel(sc.params({"retail_crypto.n_holders": n, "retail_crypto.row_sampling": "people"}),
                            seed=seed, shocks=sc.shocks,
                            traders=traders)


# ----- measurements ----------------------------------------------------------------------------------
def population_cost(n: int, days: int, cls=RetailCryptoBook, seed: int = 1) -> dict:
    """Seconds spent in the retail population's hooks over `days` baseline days (plus build)."""
    t = time.process_time()
    model = build_with(cls, n, seed)
    build = time.process_time() - t
    pop = model.population("retail_crypto")
    spent = [0.0]
    for name in HOOKS:
        f = getattr(pop, name)

        def timed(*a, _f=f, **k):
            t0 = time.perf_counter()   # cheap timer per hook call (process_time ~3 µs)
            try:
                return _f(*a, **k)
            finally:
                spent[0] += time.perf_counter() - t0
        setattr(pop, name, timed)
    t, w = time.process_time(), time.perf_counter()
    for _ in range(days):
        model.step()
    total, wall = time.process_time() - t, time.perf_counter() - w
    btc = model.series.frame()["BTC"].to_numpy()
    model.release()
    per_day = spent[0] * (total / wall) / days      # elapsed in the hooks, scaled to the run's CPU
    return {"n": n, "days": days, "build_s": build, "population_s_per_day": per_day,
            "step_s_per_day": total / days, "ns_per_holder_day": per_day / n * 1e9, "btc": btc}


def million_holder_run() -> dict:
    """A 252-day, 1,000,000-holder baseline run in a fresh process: seconds and peak memory."""
    code = r"""
import json, resource, time
from interlock.experiments.runner import build_model, simulate
t0, c0 = time.perf_counter(), time.process_time()
m = build_model("baseline", seed=1, overrides={"retail_crypto.n_holders": 1_000_000})
t1 = time.perf_counter()
ts, flows, events = simulate(m, 252)
t2 = time.perf_counter()
m.release()
print(json.dumps({"build_s": t1 - t0, "simulate_s": t2 - t1, "total_s": t2 - t0, "cpu_s": time.process_time() - c0,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "nan": bool(ts.drop(columns=["date"]).isna().any().any()),
                  "liquidated_bn": float(ts["liquidations_bn"].sum())}))
"""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    load0 = results.load()
    lines = ["## Crypto block: retail holders, vectorised vs naive (bench_crypto.py)", "",
             results.context(__file__, load0), "",
             "Scenario: baseline, seed 1, equal people per row; time inside the retail population's hooks "
             "(elapsed — a per-call CPU timer costs ~3 µs here — scaled by the run's CPU ÷ elapsed), whole steps "
             "and builds in CPU seconds; one process, one thread."]
    population_cost(20_000, 5)                    # warm-up
    vec = {n: population_cost(n, 60) for n in (100_000, 1_000_000)}
    lines.append("- vectorised per-holder cost (retail population hooks, 60 days):")
    for n, r in vec.items():
        lines.append(f"  - {n:>9,} rows: **{r['ns_per_holder_day']:.1f} ns per holder-day** "
                     f"({r['population_s_per_day'] * 1e3:.2f} ms per day; whole model step "
                     f"{r['step_s_per_day'] * 1e3:.2f} ms; build {r['build_s']:.2f} s)")
    print("\n".join(lines), flush=True)

    big = million_holder_run()
    lines.append(f"- 252-day run with 1,000,000 holders (fresh process): **{big['cpu_s']:.1f} s of CPU** "
                 f"(wall {big['total_s']:.1f} s: build {big['build_s']:.1f} s, simulate {big['simulate_s']:.1f} s; "
                 f"target < 30 s), "
                 f"peak memory **{big['peak_rss_mb']:.0f} MB** (target < 2 GB); NaN: {big['nan']}, "
                 f"liquidated ${big['liquidated_bn']:.0f}B over the year")
    print(lines[-1], flush=True)

    # same rules, same draws: the naive design must reproduce the vectorised prices
    a = population_cost(10_000, 15)["btc"]
    b = population_cost(10_000, 15, NaiveRetailBook)["btc"]
    same = float(np.max(np.abs(np.log(a / b))))
    lines.append(f"- the naive design (one Mesa agent per holder, the same rules, state and random draws, its "
                 f"per-holder reads from Python lists made once a day — no numpy indexing per holder) "
                 f"reproduces the vectorised run ({VEC_PATH}): max |log BTC price difference| over 15 days "
                 f"= {same:.1e}")
    lines.append("- naive ÷ vectorised, the same process, interleaved (retail population hooks, CPU ms per day; "
                 "median of 3 pairs):")
    for n, days in ((10_000, 20), (100_000, 6)):
        pairs = []
        for _ in range(3):
            v = population_cost(n, days)
            nv = population_cost(n, days, NaiveRetailBook)
            pairs.append((nv["population_s_per_day"], v["population_s_per_day"], nv["build_s"], v["build_s"]))
        naive = float(np.median([p[0] for p in pairs]))
        vect = float(np.median([p[1] for p in pairs]))
        ratio = float(np.median([p[0] / p[1] for p in pairs]))
        lines.append(f"  - {n:>7,} holders, {days} days: naive {naive * 1e3:.1f} ms "
                     f"(build {np.median([p[2] for p in pairs]):.1f} s), vectorised {vect * 1e3:.2f} ms "
                     f"(build {np.median([p[3] for p in pairs]):.2f} s): **{ratio:.0f}×** (target ≥ 20×)")
        print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    print(text)
    results.write_section(__file__, text)


def smoke() -> None:
    """`bench_crypto.py --smoke`: both designs at 2,000 holders for 5 days (seconds; writes nothing)."""
    a = population_cost(2_000, 5)
    b = population_cost(2_000, 5, NaiveRetailBook)
    same = float(np.max(np.abs(np.log(a["btc"] / b["btc"]))))
    print(f"smoke ({VEC_PATH}): vectorised {a['ns_per_holder_day']:.0f} ns, naive {b['ns_per_holder_day']:.0f} ns per "
          f"holder-day; max |log BTC price difference| = {same:.1e}")
    if same > 1e-9:
        raise SystemExit("the naive design no longer reproduces the vectorised prices")


if __name__ == "__main__":
    smoke() if {"--smoke", "--quick"} & set(sys.argv[1:]) else main()
