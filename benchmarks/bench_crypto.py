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

import mesa  # noqa: E402
import numpy as np  # noqa: E402

from interlock.agents.base import execute  # noqa: E402
from interlock.agents.retail_crypto import RetailCryptoBook  # noqa: E402
from interlock.experiments.scenarios import load_scenario  # noqa: E402
from interlock.model.model import TRADERS, CapitalFlowModel  # noqa: E402

HOOKS = ("begin_day", "voluntary_orders", "forced_orders", "fill", "end_day", "record")


# ----- the naive design ---------------------------------------------------------------------------
class NaiveHolder(mesa.Agent):
    """One retail holder as its own Mesa agent, its state in Python scalars."""

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
            self.flat_since = int(book.flat_since[row])

    # spot holder at its review: (buy BTC $, sell BTC units, buy pool $, sell pool shares)
    def review(self, b, pb, nav, loss, frozen, xs, rs):
        if frozen[self.venue]:
            return None
        nv = nav[self.venue]
        btc_value = self.btc * pb
        eq_value = self.eq_shares * nv
        wealth = self.holder_cash + btc_value + eq_value
        trust = 1.0 - self.sensitivity * loss[self.venue]
        free = self.base_btc * math.exp(self.appetite * xs[self.style])
        trusted = free * trust ** b.tau
        btc_share = min(trusted * math.exp(-self.appetite * rs[self.style]), b.max_share)
        eq_share = (self.base_eq * math.exp(self.appetite * rs[self.style]) + (trusted - btc_share)
                    + b.phi * (free - trusted))
        eq_share = min(max(eq_share, 0.0), 1.0 - btc_share)
        gap_b = btc_share * wealth - btc_value
        gap_e = eq_share * wealth - eq_value
        t_b = b.speed * gap_b if abs(gap_b) > b.band * wealth else 0.0
        t_e = b.speed * gap_e if abs(gap_e) > b.band * wealth else 0.0
        buy_b, buy_e = max(t_b, 0.0), max(t_e, 0.0)
        spend = buy_b + buy_e
        if spend > self.holder_cash:
            scale = self.holder_cash / spend
            buy_b *= scale
            buy_e *= scale
        sell_b = min(max(-t_b, 0.0) / pb, self.btc)
        sell_e = min(max(-t_e, 0.0) / nv, self.eq_shares)
        return buy_b, sell_b, buy_e, sell_e

    # leveraged trader: ("open", margin, notional) / ("close", contracts) / None
    def decide(self, b, draw, loss, frozen, day, xs, rs):
        if frozen[self.venue]:
            return None
        trust = 1.0 - self.sensitivity * loss[self.venue]
        y = (self.appetite * (xs[self.style] - rs[self.style])
             + b.tau * math.log(max(trust, 1e-12)) - self.entry)
        excess = math.exp(b.signal_b * y)
        if self.btc > 0.0:
            return ("close", self.btc) if draw * excess < b.close_rate else None
        if draw < b.open_rate * excess and self.holder_cash > 0.0 and day >= self.flat_since + b.reentry:
            margin = self.margin_share * self.holder_cash
            return ("open", margin, self.leverage * margin)
        return None

    def settle(self, b, contracts, price, fee):
        equity = contracts * price - self.debt
        payout = max(equity - (b.fee * contracts * price if fee else 0.0), 0.0)
        self.holder_cash += payout
        self.btc = self.debt = self.liq_price = 0.0
        self.flat_since = b.model.day
        b.perp_short -= contracts
        b.perp_cash -= equity
        b.crypto.reserves[self.venue] += equity - payout


class NaiveRetailBook(RetailCryptoBook):
    """The retail population written the naive way: one Mesa agent per holder, Python loops."""

    def __init__(self, model, rng):
        super().__init__(model, rng)                   # same starting state and random draws
        self.holders = [NaiveHolder(model, self, i) for i in range(self.N)]

    def voluntary_orders(self):
        m, st = self.market, self.crypto
        nv, nl, btc_col, day = self.n_venues, self.n_lev, m.btc, self.model.day
        prices = m.instrument_prices()
        pb = prices[btc_col]
        # numpy arrays read per holder become Python lists once a day (a numpy scalar index per holder
        # costs ~100 ns more than a list index): the naive design at its best
        frozen, loss, nav = st.frozen().tolist(), st.trust_loss.tolist(), self.pool_nav(prices).tolist()
        xs, rs, draws = self.x_style.tolist(), self.rot_style.tolist(), self._draw.tolist()
        pb = float(pb)
        buy = np.zeros((self.n, m.n_instr))
        sell = np.zeros_like(buy)
        eq_buy, eq_sell = [0.0] * nv, [0.0] * nv
        spot, opened, closed = [], [], []
        rows = self.review_rows(day)
        for h in self.holders[rows.start:rows.stop]:
            o = h.review(self, pb, nav, loss, frozen, xs, rs)
            if o is None:
                continue
            spot.append((h, o))
            buy[h.venue, btc_col] += o[0]
            sell[h.venue, btc_col] += o[1]
            eq_buy[h.venue] += o[2]
            eq_sell[h.venue] += o[3]
        for v in range(nv):
            buy[v] += eq_buy[v] * self.eq_weights
            if self.pool_shares[v] > 1e-12:
                frac = min(eq_sell[v] / self.pool_shares[v], 1.0)
                sell[v, self.eq_cols] += frac * self.units[v, self.eq_cols]
        for h in self.holders[:nl]:
            d = h.decide(self, draws[h.row], loss, frozen, day, xs, rs)
            if d is None:
                continue
            if d[0] == "open":
                opened.append((h, d[1], d[2]))
                buy[self.desk, btc_col] += self.hedge * d[2]
            else:
                closed.append((h, d[1]))
                sell[self.desk, btc_col] += self.hedge * d[1]
        self._pending = ("voluntary", buy, sell, spot, opened, closed, eq_buy, eq_sell)
        return buy - sell * prices

    def forced_orders(self, round_no):
        if not self.liquidations_on or self.n_lev == 0:
            return None
        m = self.market
        low = m.price[m.btc] * math.exp(-self.wick * math.sqrt(m.var_fast[m.btc]))
        hit = [h for h in self.holders[: self.n_lev] if h.liq_price >= low and h.liq_price > 0.0]
        if not hit:
            return None
        buy = np.zeros((self.n, m.n_instr))
        sell = np.zeros_like(buy)
        sell[self.desk, m.btc] = self.hedge * sum(h.btc for h in hit)
        self._pending = ("liquidation", buy, sell, hit)
        return buy - sell * m.instrument_prices(), "liquidation"

    def fill(self, orders, prices):
        kind, buy, sell, *rest = self._pending
        self._pending = None
        m = self.market
        pb = float(prices[m.btc])
        nav = self.pool_nav(prices).tolist()
        execute(self.units, self.cash, orders, buy, sell, prices)
        if kind == "voluntary":
            spot, opened, closed, eq_buy, eq_sell = rest
            for h, (buy_b, sell_b, buy_e, sell_e) in spot:
                h.btc += buy_b / pb - sell_b
                h.eq_shares += buy_e / nav[h.venue] - sell_e
                h.holder_cash = max(h.holder_cash + sell_b * pb + sell_e * nav[h.venue] - buy_b - buy_e, 0.0)
            for v in range(self.n_venues):
                self.pool_shares[v] += eq_buy[v] / nav[v] - eq_sell[v]
            for h, margin, notional in opened:
                contracts = notional / pb
                h.btc += contracts
                h.holder_cash -= margin
                h.debt += notional - margin
                h.liq_price = h.debt / (h.btc * (1.0 - self.mm))
                self.perp_short += contracts
                self.perp_cash += margin
            for h, contracts in closed:
                h.settle(self, contracts, pb, fee=False)
        else:
            (hit,) = rest
            for h in hit:
                contracts = h.btc
                self.liquidated_today_bn += contracts * pb
                self.liquidated_today_people += h.weight
                self.liquidated_total_bn += contracts * pb
                self.liquidated_total_people += h.weight
                self.liquidated_total_rows += 1
                h.settle(self, contracts, pb, fee=True)
        self.btc_flow_today += float(orders[:, m.btc].sum())

    def record(self):
        m, st = self.market, self.crypto
        nv, nl = self.n_venues, self.n_lev
        prices = m.instrument_prices()
        pb = prices[m.btc]
        spot = float(self.units[:nv, m.btc].sum() * pb)
        perps = self.perp_short * pb
        debt = sum(h.debt for h in self.holders[:nl])
        exposure = spot + perps
        equity = float(self.units[:nv, self.eq_cols].sum(axis=0) @ prices[self.eq_cols])
        appetite = float(self.style_share @ np.exp(self.x_style - self.rot_style)) * st.market_trust() ** self.tau
        cash = float(self.cash[:nv].sum()) + sum(h.holder_cash for h in self.holders[:nl])
        row = {"crypto_trust": st.market_trust(), "btc_leverage": exposure / max(exposure - debt, 1e-12),
               "leveraged_notional_bn": perps, "liquidations_bn": self.liquidated_today_bn,
               "liquidated_accounts": self.liquidated_today_people, "retail_btc_bn": spot,
               "retail_equity_bn": equity, "retail_cash_bn": cash, "retail_btc_flow_bn": self.btc_flow_today,
               "retail_btc_appetite": appetite, "venue_reserves_bn": float(st.reserves.sum())}
        row.update(zip(self._trust_columns, st.venue_trust().tolist()))
        return row


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
                 f"reproduces the vectorised run: max |log BTC price difference| over 15 days = {same:.1e}")
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
    print(f"smoke: vectorised {a['ns_per_holder_day']:.0f} ns, naive {b['ns_per_holder_day']:.0f} ns per "
          f"holder-day; max |log BTC price difference| = {same:.1e}")
    if same > 1e-9:
        raise SystemExit("the naive design no longer reproduces the vectorised prices")


if __name__ == "__main__":
    smoke() if {"--smoke", "--quick"} & set(sys.argv[1:]) else main()
