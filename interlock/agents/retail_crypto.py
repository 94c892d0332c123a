"""Retail crypto holders (MODEL.md §3.5; seeds/000 rotation and '10.11', seeds/001 the young's only
upside asset, seeds/002 hacks).

A million heterogeneous holders live as numpy arrays (one row per group of `weight` people) inside
a handful of Mesa agents — one `HolderGroup` per venue plus the perp counterparty — so a day costs a
few vector operations, not a million Python calls (benchmarks/bench_crypto.py times the naive
design). Per row: cash, BTC, an equity-pool stake, venue, leverage, debt and liquidation price,
style (HODL, momentum/FOMO, dip-buyer), trust, trust sensitivity, risk appetite, youth and weight.

Decision rule, spot holder h of style s, at its review (every `review_days`; rows are i.i.d., so
each day one contiguous block of them reviews):
    x_s      = Σ_k loading_s,k · signal_k + sentiment_s      momentum, drawdown, liquidity, rate_fall
    b_h      = base_btc_h · gap_h · exp(a_h · x_s) · trust_h^τ          (model.crypto: the signals)
    s_btc*   = min(max_share, b_h · exp(−a_h · rot_s · rotation))
    s_eq*    = u_h · NAV / W_h + (b_h − s_btc*) + φ · (share given up to lost trust)
               (u_h: the row's strategic pool units — the pool's own price drift is not rebalanced away)
    trade    = θ · (s* · W_h − holding) where outside a band of W_h; buys never exceed cash
AI-equity momentum above BTC's (rotation > 0) moves the BTC share it takes into the equity pool (the
listed AI firms and SPX) and tilts the pool's own target toward the rally; an AI bust (rotation < 0)
sends money back. a_h is the holder's risk
appetite, trust_h = 1 − sensitivity_h · trust deficit of its venue, and gap_h raises young holders'
target with the wealth gap (seeds/001). Holders of a frozen venue do not trade.

Leveraged trader h (a minority holding perpetual futures at 2–20×, Pareto-distributed) with log
signal y_h = a_h · x_s + τ · ln trust_h (x_s − rot_s · rotation in place of x_s) and bullishness threshold e_h decides each day with
probabilities (hazards: the book responds smoothly instead of all at once at a threshold):
    flat: open  with prob. o · exp(b (y_h − e_h)): margin = m_h · cash, long L_h · margin of BTC perps
    open: close with prob. c · exp(−b (y_h − e_h))
Liquidation (clearing rounds ≥ 1): when the intraday low P·exp(−k·σ_d) reaches the liquidation
price P_liq = debt / (contracts · (1 − maintenance margin)), debt = notional − margin, the position
is closed in that round — with every position the cascade it starts reaches: the counterparty's
hedge of the liquidated contracts moves BTC, the move widens the day's low, and so on, solved to the
cascade's least fixed point in the round (`_cascade`) rather than over many rounds. Settlement: equity = contracts · P − debt; the holder gets equity minus a
fee (to the venue's reserves), or nothing when the price gapped past bankruptcy, the deficit then
drawn from the venue's reserves — the holder's loss is at most its margin.

Who takes the other side. Perps are zero-sum: the counterparty of every retail long is the
`perp_counterparty` agent (market makers and basis traders), short the same contracts. It hedges
a share h (`perp_spot_passthrough`) in spot, so opening, closing and liquidating perps reach the
market clearing as h × notional of spot BTC flow, attributed to this class in flows.parquet (the
liquidation rounds carry reason "liquidation"); the clearing — the rest of the market through
price impact — is the counterparty of that spot flow. Spot holders trade spot directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from enum import IntEnum
from functools import cached_property

import numpy as np

from ..config import ParamView, Params
from ..errors import InputError
from . import jit
from .base import Member, Population, add_reduce, any_reduce, clearing_value, execute


@dataclass(frozen=True)
class RetailCryptoParams(ParamView, section="retail_crypto", nested=("styles",)):
    """What the retail crypto population reads (interlock/data/params/crypto.toml, [retail_crypto];
    the styles' loadings are `StyleParams`)."""

    liquidations: bool                 # switch: leveraged positions are force-closed at the breach
    n_holders: int                     # rows (cohorts of holders; see `row_sampling`)
    row_sampling: str                  # "wealth": rows hold equal wealth and stand for people ∝ 1 / wealth
                                       # (importance sampling); "people": rows stand for equal numbers of people
    people: float                      # people the rows stand for
    # spot holders: starting book and its dispersion
    btc_holdings_bn: float             # USD bn of BTC held by the spot rows at the start
    equity_holdings_bn: float          # USD bn in the equity pool (AI firms + SPX)
    cash_bn: float                     # USD bn of stablecoins / fiat
    wealth_sigma: float                # log s.d. of wealth across rows
    composition_concentration: float  # Dirichlet concentration of the portfolio shares
    # spot holders: the review
    review_days: int                   # days between a row's portfolio reviews
    speed: float                       # share of the gap to target traded at a review
    band: float                        # no trade inside this share of wealth around the target
    max_btc_share: float               # cap of the target BTC share
    trust_exponent: float              # τ: target BTC share × trust^τ
    trust_sensitivity_min: float       # share of its venue's trust deficit a row feels (uniform)
    trust_sensitivity_max: float
    appetite_sigma: float              # log s.d. of risk appetite (lognormal, mean 1)
    young_share: float                 # share of young rows
    wealth_gap: float                  # generational wealth gap index (1 = today)
    wealth_gap_reference: float        # the gap at which the starting book is at target
    wealth_gap_loading: float          # rise of young rows' BTC target per unit of gap
    rotation_ai_share: float           # share of the equity pool in the listed AI firms (rest SPX)
    trust_proceeds_to_equity: float    # φ: share of BTC given up to lost trust put in the pool
    sentiment_sd: float                # stationary s.d. of each style's AR(1) sentiment
    sentiment_half_life_days: float
    stablecoin_liquidity_weight: float  # $ of Fed reserves per $ of stablecoin issuance in the
                                        # liquidity signal (read by the venues, `model.crypto`)
    # leveraged traders (long perps)
    leveraged_share: float             # share of the people who trade perps
    leveraged_row_share: float         # share of the rows that are leveraged traders (a resolution
                                       # choice: rows of each kind stand for equal shares of its people)
    notional_per_trader: float         # USD of long perp notional per leveraged person at the start
    leverage_min: float                # truncated Pareto leverage on [min, max] with this tail
    leverage_max: float
    leverage_tail: float
    perp_spot_passthrough: float       # h: share of perp flow the counterparty hedges in spot
    maintenance_margin: float          # share of notional
    liquidation_fee: float             # share of notional, to the venue's reserves
    intraday_low_sigmas: float         # the round's low: price · exp(−k · daily s.d.)
    margin_share_min: float            # share of a trader's cash posted as margin (uniform)
    margin_share_max: float
    entry_threshold_min: float         # bullishness threshold e_h (uniform)
    entry_threshold_max: float
    open_rate: float                   # o: daily opening probability at the threshold
    close_rate: float                  # c: daily closing probability at the threshold
    signal_sensitivity: float          # b: hazards × exp(±b (y − e))
    reentry_days: int                  # days a closed or liquidated trader waits before reopening
    initial_entry_days: float          # starting positions were entered over this many days
    short_share: float                 # share of leveraged traders who trade short (bearish side)
    funding_base_8h: float             # the funding rate's interest component, per 8 h
    funding_clamp_8h: float            # the clamp around it, per 8 h (Binance's formula)
    funding_premium_per_flow: float    # premium per 8 h per unit of (net perp flow / basis capital)
    basis_capital_bn: float            # USD bn of basis-trade capital that absorbs perp imbalances
    max_open_interest_share: float     # venues' risk limits: new perps stop when gross OI reaches this share of BTC's cap


@dataclass(frozen=True)
class StyleParams:
    """One style's share of rows and loadings (`retail_crypto.styles.<style>`)."""

    share: float                       # share of rows
    momentum: float                    # per unit log momentum
    drawdown: float                    # per unit drawdown from the window high
    liquidity: float                   # per $T of liquidity
    rate: float                        # per unit fall of the expected policy rate
    rotation: float                    # per unit AI-vs-BTC relative momentum

    @classmethod
    def from_params(cls, p: Params, style: str) -> "StyleParams":
        q = p.section(f"retail_crypto.styles.{style}")
        return cls(**{f.name: q[f.name] for f in fields(cls)})


class Style(IntEnum):
    """How a holder reads the market."""

    HODL = 0
    MOMENTUM = 1
    DIP_BUYER = 2

    @property
    def key(self) -> str:
        return self.name.lower()


SIGNALS = ("momentum", "drawdown", "liquidity", "rate")
PERP_COUNTERPARTY = "perp_counterparty"


class HolderGroup(Member):
    """The retail rows of one venue (one Mesa agent whose book is its rows' sums), or — for the
    last agent — the perp counterparty (market makers and basis traders short the retail perps)."""

    @property
    def name(self) -> str:
        pop = self.population
        return pop.crypto.names[self.row] if self.row < pop.n_venues else PERP_COUNTERPARTY

    @property
    def people(self) -> float:
        pop = self.population
        return float(pop.weight[pop.venue == self.row].sum()) if self.row < pop.n_venues else 0.0

    @property
    def btc_bn(self) -> float:
        """Spot BTC held (for the perp counterparty: its spot hedge), USD bn."""
        m = self.model.market
        return float(self.population.units[self.row, m.btc] * m.price[m.btc])

    @property
    def trust(self) -> float:
        pop = self.population
        return float(pop.crypto.venue_trust()[self.row]) if self.row < pop.n_venues else 1.0

    @property
    def frozen(self) -> bool:
        pop = self.population
        return bool(pop.crypto.frozen()[self.row]) if self.row < pop.n_venues else False


class RetailCryptoBook(Population):
    """The retail crypto population, vectorised."""
    agent_class = "retail_crypto"

    member_type = HolderGroup

    def __init__(self, model, rng):
        self.crypto = st = model.crypto
        self.n_venues = nv = len(st.venues)
        super().__init__(model, nv + 1, rng)
        self.desk = nv                                        # the perp counterparty's row
        self.q = q = RetailCryptoParams.from_params(model.params)
        m = self.market
        N = self.N = int(q.n_holders)
        nl = self.n_lev = int(round(N * q.leveraged_row_share)) if q.leveraged_share > 0.0 else 0
        if q.leveraged_share > 0.0 and not 0 < nl < N:
            raise InputError(f"retail_crypto.leveraged_row_share = {q.leveraged_row_share} gives {nl} of "
                             f"{N} rows to the leveraged traders", key="retail_crypto.leveraged_row_share",
                             allowed="a share that leaves at least one row of each kind")
        lev_people = q.people * q.leveraged_share           # the people each kind of row stands for
        self.liquidations_on = bool(q.liquidations)
        self.review_days = int(q.review_days)
        self.review_block = -(-(N - nl) // self.review_days)     # spot rows reviewing per day
        self.speed = q.speed
        self.band = q.band
        self.max_share = q.max_btc_share
        self.tau = q.trust_exponent
        self.phi = q.trust_proceeds_to_equity
        self.mm = q.maintenance_margin
        self.fee = q.liquidation_fee
        self.wick = q.intraday_low_sigmas
        self.hedge = q.perp_spot_passthrough
        self.open_rate = q.open_rate
        self.close_rate = q.close_rate
        self.signal_b = q.signal_sensitivity
        self.reentry = int(q.reentry_days)
        styles = list(Style)
        style_q = [StyleParams.from_params(model.params, s.key) for s in styles]
        self.loadings = np.array([[getattr(sq, k) for k in SIGNALS] for sq in style_q])
        self.rot_loading = np.array([sq.rotation for sq in style_q])
        self.sent_rho = 0.5 ** (1.0 / q.sentiment_half_life_days)
        self.sent_sd = q.sentiment_sd * math.sqrt(1.0 - self.sent_rho ** 2)   # innovation s.d.
        self.sentiment = np.zeros(len(styles))
        self.x_style = np.zeros(len(styles))          # today's log BTC multiplier per style
        self.rot_style = np.zeros(len(styles))        # today's log rotation out of BTC per style

        # ----- heterogeneous rows: leveraged traders are rows [0, n_lev), spot holders the rest
        share = np.array([sq.share for sq in style_q], dtype=float)
        self.venue = np.empty(N, dtype=np.int8)
        self.venue[:nl] = rng.choice(nv, nl, p=st.perp_weights)
        self.venue[nl:] = rng.choice(nv, N - nl, p=st.holder_weights)
        self.style = rng.choice(len(styles), N, p=share / share.sum()).astype(np.int8)
        sa = q.appetite_sigma
        self.appetite = rng.lognormal(-0.5 * sa * sa, sa, N)
        self.young = rng.random(N) < q.young_share
        self.sensitivity = rng.uniform(q.trust_sensitivity_min, q.trust_sensitivity_max, N)
        # Per-person wealth is lognormal. Behaviour is scale-free (targets are shares of a row's
        # wealth), so a row's wealth only sets its weight in the aggregate. "people": every row stands
        # for the same number of people and row wealth is the lognormal draw — the rich tail makes a
        # few rows carry most of the money (effective rows ≈ N·exp(−σ²)). "wealth": rows are drawn in
        # proportion to wealth (the size-biased lognormal, log-mean σ²) and each stands for people ∝
        # 1 / its per-person wealth, so every row holds the same money: the same population and
        # expected totals, with the sampling noise of N rows instead of N·exp(−σ²).
        sw = q.wealth_sigma
        if q.row_sampling == "wealth":
            per_person = rng.lognormal(sw * sw, sw, N)
            people_w = 1.0 / per_person
            wealth = np.ones(N)
        else:
            per_person = rng.lognormal(0.0, sw, N)
            people_w = np.ones(N)
            wealth = per_person
        # Rows are i.i.d., so which spot rows review on which day is ours to choose. Each day's block
        # is dealt from the rows ranked by wealth (block k gets ranks k, k + review_days, …), so every
        # block is a replica of the population's heavy-tailed wealth and the days' review flows do
        # not differ by sampling alone; within a block the rows are ordered by venue, so per-venue
        # sums are contiguous segment sums (np.add.reduceat, ~20× cheaper than bincount).
        spot = np.argsort(per_person[nl:] if q.row_sampling == "wealth" else wealth[nl:], kind="stable")
        order = []
        for k in range(self.review_days):
            rows = spot[k::self.review_days]
            order.append(rows[np.argsort(self.venue[nl:][rows], kind="stable")])
        self._block_start = nl + np.cumsum([0] + [len(r) for r in order])   # block k: [start[k], start[k+1])
        order = nl + np.concatenate(order)
        for a in (self.venue, self.style, self.appetite, self.young, self.sensitivity, wealth, people_w):
            a[nl:] = a[order]
        self.block_segments = []             # per block: (venues present, where each starts)
        self._block_runs = []                # per block: the kernels' runs (venue, first row, end), intp
        self._block_rows = [slice(int(self._block_start[k]), int(self._block_start[k + 1]))
                            for k in range(self.review_days)]
        for k in range(self.review_days):
            blk = self.venue[self._block_start[k]: self._block_start[k + 1]]
            bounds = np.searchsorted(blk, np.arange(nv + 1))
            present = np.flatnonzero(bounds[1:] > bounds[:-1])
            self.block_segments.append((present, bounds[present]))
            self._block_runs.append(tuple(a.astype(np.intp) for a in (present, bounds[present], bounds[present + 1])))
        self.style_share = np.bincount(self.style, minlength=len(styles)) / N
        self._ven = self.venue.astype(np.intp)        # index arrays for np.take (no cast each day)
        self._sty = self.style.astype(np.intp)
        self.weight = np.empty(N)                           # people per row
        self.weight[:nl] = people_w[:nl] * (lev_people / max(people_w[:nl].sum(), 1e-300))
        self.weight[nl:] = people_w[nl:] * ((q.people - lev_people) / people_w[nl:].sum())
        self.trust = np.ones(N)

        # `holder_cash` is each row's own cash (stablecoins/fiat); the base class's `cash` is one
        # number per Mesa agent: the sum over its spot rows, and the counterparty's hedge account.
        self.holder_cash = np.zeros(N)     # USD bn, never < 0
        # holdings as one (2, N) array, so that one numpy call serves both legs of a review:
        self._hold = np.zeros((2, N))
        self.btc = self._hold[0]           # spot BTC (spot rows) or long perp contracts (leveraged
                                           # rows), in units of $1bn of BTC at the start; never < 0
        self.eq_shares = self._hold[1]     # stake in its venue's equity pool (AI stocks + SPX)
        self.debt = np.zeros(N)            # perp notional at entry − margin, USD bn
        self.leverage = np.ones(N)         # chosen leverage (1 = spot)
        self.liq_price = np.zeros(N)       # BTC price (start = 1) that liquidates; 0 = no position
        self._base = np.zeros((2, N))
        self.base_btc = self._base[0]      # target BTC share at the starting signals (× wealth gap)
        self.base_eq = self._base[1]       # strategic equity-pool stake (pool units held at the start)

        # spot holders: portfolio shares dispersed around the calibrated totals, starting at target
        tot = np.array([q.btc_holdings_bn, q.equity_holdings_bn, q.cash_bn])
        alpha = q.composition_concentration * np.maximum(tot / max(tot.sum(), 1e-12), 1e-3)
        dollars = rng.dirichlet(alpha, N - nl) * wealth[nl:, None]
        dollars *= tot / np.maximum(dollars.sum(axis=0), 1e-300)
        W = np.maximum(dollars.sum(axis=1), 1e-300)
        self.btc[nl:] = dollars[:, 0]                       # BTC price is 1 at the start
        self.eq_shares[nl:] = dollars[:, 1]                 # pool NAV per share starts at 1
        self.holder_cash[nl:] = dollars[:, 2]
        k = q.wealth_gap_loading
        young = self.young[nl:]
        gap = (1.0 + k * q.wealth_gap * young) / (1.0 + k * q.wealth_gap_reference * young)
        self.base_btc[nl:] = dollars[:, 0] / W * gap
        self.base_eq[nl:] = dollars[:, 1]                   # pool NAV per share starts at 1
        del dollars, W, gap, young

        # leveraged traders: cash and — in the hazards' steady state at the starting signals — a
        # long perp position opened over the last two weeks
        L = self.leverage[:nl]
        lo, hi, tail = q.leverage_min, max(q.leverage_max, q.leverage_min), q.leverage_tail
        u = rng.random(nl)                    # truncated Pareto by inversion
        L[:] = lo * (1.0 - u * (1.0 - (lo / hi) ** tail)) ** (-1.0 / tail)
        self.margin_share = rng.uniform(q.margin_share_min, q.margin_share_max, nl)
        self.entry = rng.uniform(q.entry_threshold_min, q.entry_threshold_max, nl)
        # +1 long, −1 short: a short trader opens when bearish (its signal below −threshold)
        self.side = np.where(rng.random(nl) < q.short_share, -1.0, 1.0)
        p_open = self.open_rate * np.exp(-self.signal_b * self.entry)
        p_close = self.close_rate * np.exp(self.signal_b * self.entry)
        p_ss = p_open / np.maximum(p_open + p_close, 1e-300)
        is_open = rng.random(nl) < p_ss
        sd = math.sqrt(m.var_fast[m.btc])
        entry_price = np.exp(rng.standard_normal(nl) * sd * math.sqrt(q.initial_entry_days))
        # long: (1 − 1/L)/(1 − mm) below entry; short: (1 + 1/L)/(1 + mm) above it
        liq = entry_price * (1.0 - self.side / L) / (1.0 - self.side * self.mm)
        is_open &= np.where(self.side > 0, liq < math.exp(-self.wick * sd), liq > math.exp(self.wick * sd))
        # scale wealth so the expected open notional is the calibrated book (well defined even
        # when few rows start open)
        book = q.notional_per_trader * lev_people / 1e9                  # USD bn
        expected = float((L * self.margin_share * p_ss) @ wealth[:nl])
        w_lev = wealth[:nl] * (book / expected if expected > 0.0 else 0.0)
        margin = np.where(is_open, self.margin_share * w_lev, 0.0)
        self.holder_cash[:nl] = w_lev - margin
        self.btc[:nl] = self.side * L * margin / entry_price      # signed contracts
        self.debt[:nl] = (self.side * L - 1.0) * margin           # q · entry − margin
        self.liq_price[:nl] = np.where(is_open, liq, 0.0)
        self.flat_since = np.full(nl, -10 ** 6, dtype=np.int64)
        del wealth

        # ----- the Mesa agents' books: exactly their market trades ----------------------------------
        # venue agents: their spot rows' BTC, equity pool and cash; the perp counterparty: long h of
        # the retail perps in spot. Perps are not market trades: margins and settlements move
        # between leveraged rows and the counterparty's collateral account `perp_cash`
        self.eq_cols = np.append(st.ai_idx, m.SPX)
        prices = m.instrument_prices()
        ai_w = m.cap[st.ai_idx] / m.cap[st.ai_idx].sum()
        self.eq_weights = np.zeros(m.n_instr)                # how pool purchases are split
        self.eq_weights[st.ai_idx] = q.rotation_ai_share * ai_w
        self.eq_weights[m.SPX] = 1.0 - q.rotation_ai_share
        self.pool_shares = np.bincount(self.venue, weights=self.eq_shares, minlength=nv)
        self.units[:nv] = self.pool_shares[:, None] * self.eq_weights[None, :] / prices[None, :]
        self.units[:nv, m.btc] = np.bincount(self.venue[nl:], weights=self.btc[nl:], minlength=nv)
        self.cash[:nv] = np.bincount(self.venue[nl:], weights=self.holder_cash[nl:], minlength=nv)
        self.perp_short = float(self.btc[:nl].sum())          # net contracts the counterparty is short
        # its spot book: the basis traders' inventory (cash-and-carry: long spot, short perps) plus
        # the hedge of the retail net long; the inventory is what it sells into long liquidations
        self.units[self.desk, m.btc] = max(q.basis_capital_bn + self.hedge * self.perp_short, 0.0)
        self.cash[self.desk] = -self.units[self.desk, m.btc]  # what the book cost at the start
        self.funding_base = q.funding_base_8h
        self.funding_clamp = q.funding_clamp_8h
        self.funding_kappa = q.funding_premium_per_flow
        self.basis_capital = q.basis_capital_bn
        self.max_oi = q.max_open_interest_share
        self.funding_8h = q.funding_base_8h                   # today's rate (the calm level at the start)
        self.perp_flow_today = 0.0                            # net perp demand today, USD bn
        self.funding_paid_total = 0.0                         # by longs to shorts and the counterparty
        self.liquidated_today_long = 0.0
        self.liquidated_total_long = 0.0
        self.perp_cash = float(self.btc[:nl].sum() - self.debt[:nl].sum())   # collateral + P&L owed

        self._pending: tuple | None = None
        self._breach = np.empty(nl, dtype=bool)
        self._draw = np.empty(nl)                   # today's uniform draw per leveraged trader
        self.liquidated_today_bn = 0.0
        self.liquidated_today_people = 0.0
        self.liquidated_total_bn = 0.0
        self.liquidated_total_people = 0.0
        self.liquidated_total_rows = 0
        self.liquidation_days: dict[int, float] = {}
        self.long_liquidation_days: dict[int, float] = {}
        self.btc_flow_today = 0.0
        # the review's work arrays, reused every day (rows: BTC leg, equity-pool leg)
        nb = self.review_block
        self._px = np.empty((2, nb))       # price of a unit: BTC, the row's pool share
        self._val = np.empty((2, nb))      # holdings' value
        self._gap = np.empty((2, nb))      # target − holding, then the trade
        self._mask = np.empty((2, nb), dtype=bool)
        self._orders = np.empty((4, nb))   # buy BTC $, buy pool $, sell BTC units, sell pool shares
        self._trust_is_one = True          # every row's `trust` is 1 (no venue has lost trust yet)
        # the fused row kernels (agents/_kernels.py; bit-identical to the numpy code below, which stays
        # as the reference; agents/jit.py says when a process uses them) and their buffers
        self._fast = jit.use_kernels()
        self._k = jit.kernels() if self._fast else None
        self._exp = np.empty(2 * nb)       # the review's exp arguments, then their exp ([0, n) and [n, 2n))
        self._lev_exp = np.empty(nl)       # the leveraged traders' hazard multipliers
        self._idx_a = np.empty(nl, dtype=np.intp)
        self._idx_b = np.empty(nl, dtype=np.intp)
        self._pay = np.empty(nl)
        self._book = np.empty((3, nl))     # the record's perp book: longs, shorts, positions' equity
        self._none = np.zeros(1)           # a placeholder for an array a kernel does not read
        self._pool_w = np.empty((nv, m.n_instr))   # the pools' weights (`_kernels.pool_orders`' scratch)
        self._by_ven = np.empty(nv)        # a settlement's per-venue sums
        self._flag = np.zeros(nl, dtype=bool)      # the cascade's candidates: scratch and buffers
        self._cand_i = np.empty(nl, dtype=np.intp)
        self._cand_t = np.empty(nl)
        # bounds of the liquidation prices (`_kernels.liq_bounds`): a round whose low and high stay
        # inside them breaches no row, and `forced_orders` skips the scan (kernel path; None = stale)
        self._liq_hi = self._liq_lo = None
        self._shares_pos = None            # every pool has shares (pool_nav's plain division); None = stale

    # ----- accounting -----------------------------------------------------------------------------
    def pool_nav(self, prices: np.ndarray) -> np.ndarray:
        """Value of one equity-pool share, per venue."""
        value = self.units[: self.n_venues, self.eq_cols] @ prices[self.eq_cols]
        if self._all_pools_held():
            return value / self.pool_shares            # = the np.where form below when every pool has shares
        has = self.pool_shares > 1e-12
        return np.where(has, value / np.where(has, self.pool_shares, 1.0), 1.0)

    def _all_pools_held(self) -> bool:
        """Every venue's pool has shares (> 1e-12); cached until `pool_shares` next changes."""
        if self._shares_pos is None:
            self._shares_pos = bool((self.pool_shares > 1e-12).all())
        return self._shares_pos

    def pool_weights(self, prices: np.ndarray) -> np.ndarray:
        """How a venue's pool purchase is split (n_venues × instruments): a slice of the pool as it is
        now (its AI firms' drift included, so buying does not rebalance it), the starting split
        (`rotation_ai_share`) for an empty pool."""
        nv = self.n_venues
        w = np.zeros((nv, prices.size))
        w[:, self.eq_cols] = self.units[:nv, self.eq_cols] * prices[self.eq_cols]
        tot = w.sum(axis=1, keepdims=True)
        if (tot > 1e-12).all():                # no empty pool (most days): what the general form gives
            w /= tot
            return w
        empty = tot[:, 0] <= 1e-12
        w /= np.where(tot > 1e-12, tot, 1.0)
        w[empty] = self.eq_weights
        return w

    def _by_venue(self, rows, values) -> np.ndarray:
        return np.bincount(self.venue[rows], weights=values, minlength=self.n_venues)

    def _venue_sums(self, values: np.ndarray, day: int) -> np.ndarray:
        """Per-venue sums of `values` (k × rows) over the rows reviewing on `day` (ordered by
        venue): k × n_venues."""
        present, starts = self.block_segments[day % self.review_days]
        if present.size == self.n_venues:      # every venue has rows in the block: no gaps to fill
            return np.add.reduceat(values, starts, axis=1)
        out = np.zeros((values.shape[0], self.n_venues))
        if present.size:
            out[:, present] = np.add.reduceat(values, starts, axis=1)
        return out

    def review_rows(self, day: int) -> slice:
        """The spot rows reviewing on `day`: one contiguous block per day, cycling."""
        return self._block_rows[day % self.review_days]

    # ----- the day ----------------------------------------------------------------------------------
    def begin_day(self) -> None:
        self.liquidated_today_bn = 0.0
        self.liquidated_today_long = 0.0
        self.liquidated_today_people = 0.0
        self.btc_flow_today = 0.0
        self.perp_flow_today = 0.0
        # the same number of draws every day, whatever the state (common random numbers)
        z = self.rng.standard_normal(self.sentiment.size)
        self.rng.random(out=self._draw)
        self.sentiment = self.sent_rho * self.sentiment + self.sent_sd * z
        st = self.crypto
        signals = np.array([st.momentum_btc, st.drawdown_btc, st.liquidity, st.rate_fall])
        self.x_style = self.loadings @ signals + self.sentiment
        self.rot_style = self.rot_loading * st.rotation

    def voluntary_orders(self) -> np.ndarray:
        m = self.market
        st = self.crypto
        nv, nl = self.n_venues, self.n_lev
        day = self.model.day
        prices = m.instrument_prices()
        pb = prices[m.btc]
        frozen = st.frozen()
        any_frozen = bool(any_reduce(frozen))
        loss = st.trust_loss
        any_loss = bool(any_reduce(loss))
        buy = np.zeros((self.n, m.n_instr))
        sell = np.zeros((self.n, m.n_instr))

        # spot holders reviewing today: both legs (BTC, equity pool) as the rows of 2 × n arrays
        sl = self.review_rows(day)
        ven = self._ven[sl]
        nav = self.pool_nav(prices)
        if self._fast:
            orders = self._review_fused(sl, ven, nav, pb, loss, any_loss, frozen, any_frozen)
        else:
            orders = self._review_numpy(sl, ven, nav, pb, loss, any_loss, frozen, any_frozen)
        sums = self._venue_sums(orders, day)                 # (4, n_venues)
        pooled = self._fast and self._k.pool_orders(sums, m.btc, self.units, prices, self.eq_cols, self.pool_shares,
                                                     self._pool_w, buy, sell)
        eq_buy, eq_sell = sums[1], sums[3]
        if not pooled:
            buy[:nv, m.btc] = sums[0]
            sell[:nv, m.btc] = sums[2]
            buy[:nv] += eq_buy[:, None] * self.pool_weights(prices)
            held = self.pool_shares if self._all_pools_held() else np.where(self.pool_shares > 1e-12, self.pool_shares, 1.0)
            frac = np.minimum(eq_sell / held, 1.0)
            sell[:nv, self.eq_cols] += frac[:, None] * self.units[:nv, self.eq_cols]

        # leveraged traders decide daily: open or close with signal-dependent probabilities
        if self._fast:
            i_open, i_close = self._decide_fused(day, loss, any_loss, frozen, any_frozen)
        else:
            i_open, i_close = self._decide_numpy(day, loss, any_loss, frozen, any_frozen)
        # open interest tracks the market it is written on (BTC futures OI ≈ 3.7–3.9% of BTC's cap in
        # 2025): when the gross book would pass `max_open_interest_share` of the cap, the venues' risk
        # limits scale the new positions down (a book sized in dollars cannot outgrow a fallen BTC)
        if self._fast:
            margin, notional, close_units = np.empty(i_open.size), np.empty(i_open.size), np.empty(i_close.size)
            opened_long, opened_short, closed_long, closed_short = self._k.perp_orders(
                i_open.size, i_close.size, i_open, i_close, self.margin_share, self.holder_cash, self.leverage,
                self.side, self.btc, nl, self.max_oi * float(m.cap[m.btc]), pb, margin, notional, close_units,
                self._pay)
        else:
            margin = self.margin_share[i_open] * self.holder_cash[i_open]
            notional = self.leverage[i_open] * margin
            room = self.max_oi * float(m.cap[m.btc]) - float(np.abs(self.btc[:nl]).sum()) * pb
            want = float(notional.sum())
            if want > max(room, 0.0):
                cut = max(room, 0.0) / want
                margin *= cut
                notional *= cut
            close_units = self.btc[i_close]                          # signed contracts
            long_open = self.side[i_open] > 0
            opened_long = float(notional[long_open].sum())
            opened_short = float(notional[~long_open].sum())
            closed_long = float(close_units[close_units > 0].sum())
            closed_short = float(-close_units[close_units < 0].sum())
        # the counterparty's hedge: it buys spot against new longs and closed shorts, sells against
        # new shorts and closed longs (never more than it holds: it does not short spot)
        buy[self.desk, m.btc] = self.hedge * (opened_long + closed_short * pb)
        sell[self.desk, m.btc] = min(self.hedge * (opened_short / pb + closed_long), self.units[self.desk, m.btc])
        self.perp_flow_today += opened_long + closed_short * pb - opened_short - closed_long * pb

        self._pending = ("voluntary", buy, sell, (sl, ven, orders, eq_buy, eq_sell),
                         (i_open, margin, notional, i_close, close_units))
        return clearing_value(buy, sell, prices)

    def _trust_tau(self, sl: slice, ven: np.ndarray, loss: np.ndarray, any_loss: bool) -> np.ndarray | None:
        """trust^τ of the reviewing rows when a venue has lost trust (and `trust` kept up to date)."""
        if any_loss:
            trust = 1.0 - self.sensitivity[sl] * np.take(loss, ven)
            self.trust[sl] = trust
            self._trust_is_one = False
            return trust if self.tau == 1.0 else trust ** self.tau
        if not self._trust_is_one:
            self.trust[:] = 1.0
            self._trust_is_one = True
        return None

    def _review_fused(self, sl, ven, nav, pb, loss, any_loss, frozen, any_frozen) -> np.ndarray:
        """The spot review by the fused kernels (numpy's exp between them): the (4, n) orders."""
        n = sl.stop - sl.start
        e = self._exp
        self._k.spot_exp_args(sl.start, n, self.style, self.appetite, self.x_style, self.rot_style, e)
        np.exp(e[: 2 * n], out=e[: 2 * n])                    # one contiguous call, like the numpy path's rows
        tt = self._trust_tau(sl, ven, loss, any_loss)
        o = self._orders
        self._k.spot_review(sl.start, n, *self._block_runs[self.model.day % self.review_days], self.btc,
                            self.eq_shares, self.holder_cash, nav, pb, e, self.base_btc, self.base_eq, any_loss,
                            self._none if tt is None else tt, self.phi, self.max_share, self.band, self.speed,
                            any_frozen, frozen, o[0], o[1], o[2], o[3])
        return o[:, :n]

    def _decide_fused(self, day, loss, any_loss, frozen, any_frozen) -> tuple[np.ndarray, np.ndarray]:
        """The leveraged traders' open / close draws by the fused kernels (numpy's log and exp)."""
        nl = self.n_lev
        log_trust = self._none
        if any_loss:
            trust_l = 1.0 - self.sensitivity[:nl] * np.take(loss, self._ven[:nl])
            self.trust[:nl] = trust_l
            log_trust = self.tau * np.log(np.maximum(trust_l, 1e-12))
        ex = self._lev_exp
        self._k.lev_exp_args(nl, self.style, self.appetite, self.x_style - self.rot_style, any_loss, log_trust,
                              self.side, self.entry, self.signal_b, ex)
        np.exp(ex, out=ex)                                    # exp(b · (side · y − e))
        no, nc = self._k.lev_decide(nl, self._draw, ex, self.open_rate, self.close_rate, self.holder_cash,
                                     self.flat_since, day - self.reentry, self.btc, any_frozen, frozen, self.venue,
                                     self._idx_a, self._idx_b)
        return self._idx_a[:no].copy(), self._idx_b[:nc].copy()

    def _review_numpy(self, sl, ven, nav, pb, loss, any_loss, frozen, any_frozen) -> np.ndarray:
        """The spot review in numpy (the reference of `_review_fused`): the (4, n) orders — buy BTC $,
        buy pool $, sell BTC units, sell pool shares."""
        n = sl.stop - sl.start
        hold = self._hold[:, sl]
        px = self._px[:, :n]
        px[0] = pb
        np.take(nav, ven, out=px[1])
        value = np.multiply(hold, px, out=self._val[:, :n])
        cash = self.holder_cash[sl]
        wealth = cash + value[0]
        wealth += value[1]
        appetite = self.appetite[sl]
        style = self._sty[sl]
        free_share = np.take(self.x_style, style)
        free_share *= appetite
        np.exp(free_share, out=free_share)
        free_share *= self.base_btc[sl]
        tt = self._trust_tau(sl, ven, loss, any_loss)
        trusted = free_share if tt is None else free_share * tt
        rot = np.take(self.rot_style, style)
        rot *= appetite
        target = self._gap[:, :n]
        btc_share, eq_share = target
        np.negative(rot, out=eq_share)
        np.exp(eq_share, out=eq_share)                        # exp(−a · rot)
        np.multiply(trusted, eq_share, out=btc_share)
        np.minimum(btc_share, self.max_share, out=btc_share)
        # the pool: the row's strategic stake (units held since the start: its price drift is not
        # rebalanced away, so an AI rally is not sold into) plus the BTC share the rotation gives up
        np.multiply(self.base_eq[sl], px[1], out=eq_share)
        eq_share /= np.maximum(wealth, 1e-300)
        eq_share += trusted - btc_share
        if any_loss:
            eq_share += self.phi * (free_share - trusted)
        np.maximum(eq_share, 0.0, out=eq_share)
        np.minimum(eq_share, 1.0 - btc_share, out=eq_share)
        # trade θ · (share · W − holding) outside a band of ±band · W. The BTC leg's wealth leaves
        # out the gains (or losses) of the strategic pool stake, u · (NAV − 1): an AI rally does not
        # raise the BTC target (mental accounting: the stock account's gains stay in it, Thaler 1999)
        gain = self.base_eq[sl] * (px[1] - 1.0)
        gain *= btc_share
        gap = np.multiply(target, wealth, out=target)
        gap[0] -= gain
        gap -= value
        mask = np.abs(gap, out=value)                        # `value` is not needed any more
        np.greater(mask, self.band * wealth, out=self._mask[:, :n])
        trade = np.multiply(gap, self.speed, out=gap)
        trade *= self._mask[:, :n]
        if any_frozen:
            trade[:, frozen[ven]] = 0.0
        orders = self._orders[:, :n]
        buys, sells = orders[:2], orders[2:]
        np.maximum(trade, 0.0, out=buys)
        buy_btc, buy_eq = buys
        spend = buy_btc + buy_eq
        short = spend > cash                       # buys are paid from cash on hand, never on credit
        if short.any():
            scale = cash[short] / spend[short]
            buy_btc[short] *= scale
            buy_eq[short] *= scale
        np.negative(trade, out=sells)
        np.maximum(sells, 0.0, out=sells)
        sells /= px
        np.minimum(sells, hold, out=sells)
        return orders

    def _decide_numpy(self, day, loss, any_loss, frozen, any_frozen) -> tuple[np.ndarray, np.ndarray]:
        """The leveraged traders' open / close draws in numpy (the reference of `_decide_fused`)."""
        nl = self.n_lev
        excess = np.take(self.x_style - self.rot_style, self._sty[:nl])
        excess *= self.appetite[:nl]
        if any_loss:
            trust_l = 1.0 - self.sensitivity[:nl] * np.take(loss, self._ven[:nl])
            self.trust[:nl] = trust_l
            excess += self.tau * np.log(np.maximum(trust_l, 1e-12))
        excess *= self.side                                   # shorts act on the bearish signal
        excess -= self.entry
        excess *= self.signal_b
        np.exp(excess, out=excess)                            # now exp(b · (side · y − e))
        is_open = self.btc[:nl] != 0.0
        opening = self._draw < self.open_rate * excess
        opening &= self.holder_cash[:nl] > 0.0
        opening &= self.flat_since <= day - self.reentry
        opening &= ~is_open
        closing = np.multiply(self._draw, excess, out=excess) < self.close_rate
        closing &= is_open
        if any_frozen:
            lf = frozen[self._ven[:nl]]
            opening &= ~lf
            closing &= ~lf
        return np.flatnonzero(opening), np.flatnonzero(closing)

    def day_sigma(self, side: int) -> float:
        """Today's BTC volatility as the wick on one side reads it: the larger of the realised σ
        (EWMA), today's news σ and the day's own move so far in that direction, max(side·ln P/P_open, 0)
        / sqrt(2/π) (E|r| = sqrt(2/π)·σ): a day already 8% down has a crash day's low (10 Oct 2025:
        close −7%, low −14%), while its high stays near the open."""
        m = self.market
        return self._side_sigma(side, float(m.logp[m.btc] - m.open_logp[m.btc]), self._sigma_floor())

    @staticmethod
    def _side_sigma(side: int, move: float, floor: float) -> float:
        """`day_sigma` given the day's log move so far and the σ floor."""
        return max(floor, max(side * move, 0.0) / math.sqrt(2.0 / math.pi))

    def _sigma_floor(self) -> float:
        """The part of `day_sigma` the day's own move does not set: the realised σ or today's news σ."""
        m = self.market
        return max(math.sqrt(m.var_fast[m.btc]), float(m.news_sigma[m.btc]))

    def intraday_extreme(self, side: int) -> float:
        """The round's intraday low (side −1) or high (+1): beyond the open or the current price,
        whichever is further that way, by `intraday_low_sigmas` of that side's σ (Parkinson 1980:
        the day's range scales with its volatility)."""
        m = self.market
        p, p0 = float(m.price[m.btc]), math.exp(float(m.open_logp[m.btc]))
        edge = min(p, p0) if side < 0 else max(p, p0)
        return edge * math.exp(side * self.wick * self.day_sigma(side))

    def intraday_extremes(self) -> tuple[float, float]:
        """(`intraday_extreme(-1)`, `intraday_extreme(1)`), reading the market once."""
        m = self.market
        p, p0 = float(m.price[m.btc]), math.exp(float(m.open_logp[m.btc]))
        move, floor = float(m.logp[m.btc] - m.open_logp[m.btc]), self._sigma_floor()
        return (min(p, p0) * math.exp(-1 * self.wick * self._side_sigma(-1, move, floor)),
                max(p, p0) * math.exp(1 * self.wick * self._side_sigma(1, move, floor)))

    def _extreme_at(self, x: np.ndarray, side: int) -> np.ndarray:
        """`intraday_extreme` had BTC's log price been x (an array): the reach a cascade's walk reads."""
        m = self.market
        x_open = float(m.open_logp[m.btc])
        move = np.maximum(side * (x - x_open), 0.0) / math.sqrt(2.0 / math.pi)
        sig = np.maximum(self._sigma_floor(), move)
        edge = np.minimum(x, x_open) if side < 0 else np.maximum(x, x_open)
        return np.exp(edge + side * self.wick * sig)

    def _hedge_legs(self, long_units, short_units, pb: float, desk_units: float):
        """The counterparty's unwind of its spot hedge of liquidated contracts: (BTC units sold, USD
        bought) — it sells h × the longs' units (what it holds at most) and buys back h × the shorts'
        at price pb."""
        return np.minimum(self.hedge * long_units, desk_units), self.hedge * short_units * pb

    def _hedge_flow(self, long_units, short_units, pb: float, desk_units: float):
        """The USD bn the market clears for those legs (sales at the round's opening price pb)."""
        sold, bought = self._hedge_legs(long_units, short_units, pb, desk_units)
        return bought - sold * pb

    def _cascade(self, idx: np.ndarray) -> np.ndarray:
        """The day's liquidation cascade solved to its fixed point in one round. Liquidating the
        positions already reached (idx) moves BTC through the counterparty's spot hedge (the market's
        impact kernel, `preview_asset`); the move widens the day's low (or high), which may reach
        more positions, whose liquidation moves BTC further. On the move's side the candidates are
        sorted nearest first; after the first k of them BTC's log price x_k is monotone in k, and the
        cascade stops at the first k whose reach misses candidate k+1 — the least fixed point, where
        clearing round after round converges, however slowly (near a gain of 1 that took more
        rounds than the round cap: the stability sweep's one bound run, docs/validation.md). The
        walk values the hedge flow as the round's clearing does (buys at face value, sales at the
        round's opening price) and the positions settle at the round's clearing price, as the
        counterparty's hedge does: one uniform price per round, as for every other order."""
        m = self.market
        b = m.btc
        nl = self.n_lev
        pb = float(m.price[b])
        x0 = float(m.logp[b])
        u0 = self.btc[idx]
        long0, short0 = float(u0[u0 > 0.0].sum()), float(-u0[u0 < 0.0].sum())
        desk = float(self.units[self.desk, b])
        cap = float(m.cap[b])
        f0 = float(self._hedge_flow(long0, short0, pb, desk))
        if f0 == 0.0:
            return idx
        d = -1 if f0 < 0.0 else 1                     # the move's direction; its victims: longs when down
        liq = self.liq_price[:nl]
        if self._fast:
            k = self._k.cascade_candidates(nl, self.side, liq, float(-d), idx, self._flag, self._cand_i, self._cand_t)
            cand, t = self._cand_i[:k], self._cand_t[:k]
        else:
            cand = (self.side == -d) & (liq > 0.0)
            cand[idx] = False
            cand = np.flatnonzero(cand)
            t = liq[cand]
        if cand.size == 0:
            return idx
        x1 = x0 + m.impact.preview_asset(b, np.array([f0]), cap)
        if d * (float((d * t).min()) * d - float(self._extreme_at(x1, d)[0])) > 0.0:
            return idx                                # most days: the first batch reaches no one else
        order = np.argsort(d * t, kind="stable")      # nearest first: longs from the top, shorts from below
        cand, t = cand[order], t[order]
        cu = np.concatenate(([0.0], np.cumsum(np.abs(self.btc[cand]))))
        f = self._hedge_flow(long0 + cu, short0, pb, desk) if d < 0 else self._hedge_flow(long0, short0 + cu, pb, desk)
        x = x0 + m.impact.preview_asset(b, f, cap)      # x[k]: after the first k candidates
        missed = d * (t - self._extreme_at(x[:-1], d)) > 0.0
        k = int(np.argmax(missed)) if missed.any() else cand.size
        return np.sort(np.concatenate((idx, cand[:k])))

    def forced_orders(self, round_no: int):
        """Liquidate every perp position the day's cascade reaches: those whose liquidation price the
        intraday low (longs) or high (shorts) reached, and those their liquidation then reaches
        (`_cascade`); the counterparty unwinds its spot hedge of those contracts in this round."""
        if not self.liquidations_on or self.n_lev == 0:
            return None
        m = self.market
        nl = self.n_lev
        low, high = self.intraday_extremes()
        if self._fast:
            if self._liq_hi is None:
                self._liq_hi, self._liq_lo = self._k.liq_bounds(nl, self.liq_price, self.side)
            if low > self._liq_hi and high < self._liq_lo:
                return None                                # no row within reach: most rounds
            idx = self._idx_a[: self._k.breaches(nl, self.liq_price, self.side, low, high, self._idx_a)].copy()
        else:
            liq = self.liq_price[:nl]
            np.greater_equal(liq, low, out=self._breach)             # longs: the low reached it
            self._breach &= self.side > 0
            self._breach |= (self.side < 0) & (liq > 0.0) & (liq <= high)     # shorts: the high did
            idx = np.flatnonzero(self._breach)
        if idx.size == 0:
            return None
        idx = self._cascade(idx)
        units = self.btc[idx]
        buy = np.zeros((self.n, m.n_instr))
        sell = np.zeros_like(buy)
        pb = float(m.price[m.btc])
        sell[self.desk, m.btc], buy[self.desk, m.btc] = self._hedge_legs(
            float(units[units > 0].sum()), float(-units[units < 0].sum()), pb, float(self.units[self.desk, m.btc]))
        self._pending = ("liquidation", buy, sell, idx, units)
        return clearing_value(buy, sell, m.instrument_prices()), "liquidation"

    def fill(self, orders: np.ndarray, prices: np.ndarray) -> None:
        """Execute the pending orders at the round's clearing prices, per Mesa agent and row."""
        kind, buy, sell, *rest = self._pending
        self._pending = None
        m = self.market
        pb = prices[m.btc]
        nav = self.pool_nav(prices) if kind == "voluntary" else None    # before the pools' units change
        execute(self.units, self.cash, orders, buy, sell, prices, self._k)
        if kind == "voluntary" and self._fast:
            (sl, ven, orders_h, eq_buy, eq_sell), perps = rest
            o = self._orders
            self._k.spot_fill(sl.start, *self._block_runs[self.model.day % self.review_days], self.btc,
                              self.eq_shares, self.holder_cash, o[0], o[1], o[2], o[3], nav, pb)
            self.pool_shares += eq_buy / nav - eq_sell
            self._shares_pos = None
            i_open, margin, notional, i_close, close_units = perps
            self._open(i_open, margin, notional, pb)
            self._settle(i_close, close_units, pb, fee=False)
        elif kind == "voluntary":
            (sl, ven, orders_h, eq_buy, eq_sell), perps = rest
            n = sl.stop - sl.start
            px = self._px[:, :n]                       # at the clearing prices
            px[0] = pb
            np.take(nav, ven, out=px[1])
            buys, sells = orders_h[:2], orders_h[2:]
            got = np.divide(buys, px, out=self._val[:, :n])
            got -= sells
            self._hold[:, sl] += got
            paid = np.multiply(sells, px, out=self._val[:, :n])
            cash_in = paid[0] + paid[1]
            cash_in -= buys[0]
            cash_in -= buys[1]
            cash = self.holder_cash[sl]
            cash += cash_in
            np.maximum(cash, 0.0, out=cash)            # rounding dust of buys scaled to cash
            self.pool_shares += eq_buy / nav - eq_sell
            self._shares_pos = None
            i_open, margin, notional, i_close, close_units = perps
            self._open(i_open, margin, notional, pb)
            self._settle(i_close, close_units, pb, fee=False)
        else:
            idx, units = rest
            self._settle(idx, units, pb, fee=True)
            usd = float(np.abs(units).sum() * pb)
            long_usd = float(units[units > 0].sum() * pb)
            self.liquidated_today_long += long_usd
            self.liquidated_total_long += long_usd
            self.perp_flow_today += float(-units.sum() * pb)
            people = float(self.weight[idx].sum())
            self.liquidated_today_bn += usd
            self.liquidated_today_people += people
            self.liquidated_total_bn += usd
            self.liquidated_total_people += people
            self.liquidated_total_rows += int(idx.size)
        self.btc_flow_today += float(add_reduce(orders[:, m.btc], None))

    def _open(self, idx: np.ndarray, margin: np.ndarray, notional: np.ndarray, price: float) -> None:
        """Open long perps at the clearing price; the margin goes to the counterparty's collateral."""
        if idx.size == 0:
            return
        if self._fast:
            contracts = self._pay[: idx.size]                           # a free buffer here
            if self._liq_hi is None:
                self._liq_hi, self._liq_lo = self._k.liq_bounds(self.n_lev, self.liq_price, self.side)
            self._liq_hi, self._liq_lo, s_contracts, s_margin = self._k.open_perps(
                idx.size, idx, self.side, notional, margin, price, self.btc, self.holder_cash, self.debt,
                self.liq_price, self.mm, contracts, self._liq_hi, self._liq_lo)
            self.perp_short += s_contracts
            self.perp_cash += s_margin
            return
        contracts = self.side[idx] * notional / price                   # signed
        self.btc[idx] += contracts
        self.holder_cash[idx] -= margin
        self.debt[idx] += contracts * price - margin
        self._set_liq_price(idx)
        self.perp_short += float(contracts.sum())
        self.perp_cash += float(margin.sum())

    def _set_liq_price(self, idx) -> None:
        """Where equity q·P − debt falls to the maintenance margin mm·|q|·P: P = debt / (q − mm·|q|)
        (below entry for a long, above it for a short)."""
        q = self.btc[idx]
        den = q - self.mm * np.abs(q)
        self.liq_price[idx] = np.divide(self.debt[idx], den, out=np.zeros_like(den), where=q != 0.0)

    def _settle(self, idx: np.ndarray, contracts: np.ndarray, price: float, fee: bool) -> None:
        """Close perp positions at `price`: the counterparty pays the equity (contracts × price −
        debt); the holder keeps it minus a fee on liquidations, which goes to the venue's reserves;
        a negative equity (the price gapped past bankruptcy) is made good by the venue's reserves,
        so the holder loses at most its margin."""
        if idx.size == 0:
            return
        if self._fast:
            k = idx.size
            by_venue = self._by_ven
            by_venue[:] = 0.0
            equity = self._pay[:k]                                       # a free buffer here
            s_contracts, s_equity = self._k.settle(k, idx, contracts, price, self.fee, fee, self.btc, self.debt,
                                                   self.liq_price, self.holder_cash, self.flat_since, self.model.day,
                                                   self.venue, equity, by_venue)
            if self._liq_hi is not None and self._liq_hi < 0.0:
                self._liq_hi = 0.0                                       # the settled rows' price is 0
            self.perp_short -= s_contracts
            self.perp_cash -= s_equity
            self.crypto.reserves += by_venue
            return
        equity = contracts * price - self.debt[idx]
        charge = self.fee * np.abs(contracts) * price if fee else 0.0
        payout = np.maximum(equity - charge, 0.0)
        self.holder_cash[idx] += payout
        self.btc[idx] = 0.0
        self.debt[idx] = 0.0
        self.liq_price[idx] = 0.0
        self.flat_since[idx] = self.model.day
        self.perp_short -= float(contracts.sum())
        self.perp_cash -= float(equity.sum())
        self.crypto.reserves += self._by_venue(idx, equity - payout)

    def funding_rate(self, net_flow_bn: float) -> float:
        """Funding per 8 h (H9, Binance): f = premium + clamp(base − premium, ±clamp), the premium
        = κ_f · net perp demand / basis capital. Calm days: exactly the base (+0.01 %/8 h); a day of
        heavy net selling (long liquidations) drives the perp below spot and the funding negative."""
        premium = self.funding_kappa * net_flow_bn / max(self.basis_capital, 1e-12)
        return premium + min(max(self.funding_base - premium, -self.funding_clamp), self.funding_clamp)

    def end_day(self, returns: np.ndarray) -> None:
        if self.liquidated_today_bn > 0.0:
            self.liquidation_days[self.model.day] = self.liquidated_today_bn
            self.long_liquidation_days[self.model.day] = self.liquidated_today_long
        # funding: three payments a day on today's notional, longs to shorts (the counterparty takes
        # the net side) when f > 0; paid out of the position's margin (debt rises for the payer), so
        # it moves the liquidation price; no money changes account until the position settles
        self.funding_8h = f = self.funding_rate(self.perp_flow_today)
        nl = self.n_lev
        if self._fast:
            if f != 0.0:
                m = self.market
                _, self._liq_hi, self._liq_lo, paid = self._k.funding(nl, self.btc, self.debt, self.liq_price, 3.0 * f,
                                                                      float(m.price[m.btc]), self.mm, self.side,
                                                                      self._pay)
                self.funding_paid_total += paid                  # the positive payments' numpy sum, row order
            return
        open_ = np.flatnonzero(self.btc[:nl])
        if open_.size and f != 0.0:
            m = self.market
            pay = 3.0 * f * self.btc[open_] * float(m.price[m.btc])
            self.debt[open_] += pay
            self.funding_paid_total += float(pay[pay > 0].sum())
            self._set_liq_price(open_)

    # ----- recording ----------------------------------------------------------------------------------
    def columns(self) -> list[str]:
        return (["crypto_trust", "btc_leverage", "leveraged_notional_bn", "liquidations_bn",
                 "liquidated_accounts", "retail_btc_bn", "retail_equity_bn", "retail_cash_bn",
                 "retail_btc_flow_bn", "retail_btc_appetite", "venue_reserves_bn", "perp_long_bn",
                 "perp_short_bn", "long_liquidations_bn", "funding_8h"]
                + self._trust_columns)

    @cached_property
    def _trust_columns(self) -> list[str]:
        return [f"trust_{v}" for v in self.crypto.names]

    def record(self) -> dict[str, float]:
        m = self.market
        st = self.crypto
        nv = self.n_venues
        prices = m.instrument_prices()
        pb = prices[m.btc]
        if self._fast:                 # the sums in the kernel, as numpy sums (`_kernels._np_sum`)
            lo, sh, eq = self._book
            s_long, s_short, margin, cash, s_spot = self._k.perp_book(
                self.n_lev, self.btc, self.debt, pb, lo, sh, eq, self.cash, self.units[:nv, m.btc], nv,
                self.holder_cash)
            spot = float(s_spot * pb)
            longs = float(s_long * pb)
            shorts = float(-s_short * pb)
        else:
            spot = float(self.units[:nv, m.btc].sum() * pb)
            q = self.btc[: self.n_lev]
            longs = float(q[q > 0].sum() * pb)
            shorts = float(-q[q < 0].sum() * pb)
            margin = float((q * pb - self.debt[: self.n_lev]).sum())           # positions' equity
            cash = float(self.cash[:nv].sum() + self.holder_cash[: self.n_lev].sum())
        perps = longs + shorts
        exposure = spot + perps
        equity = float(self.units[:nv, self.eq_cols].sum(axis=0) @ prices[self.eq_cols])
        trust = st.market_trust()
        appetite = float(self.style_share @ np.exp(self.x_style - self.rot_style)) * trust ** self.tau
        row = {"crypto_trust": trust, "btc_leverage": exposure / max(spot + margin, 1e-12),
               "leveraged_notional_bn": perps, "liquidations_bn": self.liquidated_today_bn,
               "liquidated_accounts": self.liquidated_today_people, "retail_btc_bn": spot,
               "retail_equity_bn": equity, "retail_cash_bn": cash, "retail_btc_flow_bn": self.btc_flow_today,
               "retail_btc_appetite": appetite, "venue_reserves_bn": float(add_reduce(st.reserves, None)),
               "perp_long_bn": longs, "perp_short_bn": shorts, "long_liquidations_bn": self.liquidated_today_long,
               "funding_8h": self.funding_8h}
        row.update(zip(self._trust_columns, st.venue_trust().tolist()))
        return row

    # ----- summary and accounts ---------------------------------------------------------------------
    def summary_metrics(self, ts, flows, events) -> dict:
        """Summary: liquidated notional and accounts, the worst day, the lowest market trust."""
        days = self.liquidation_days
        peak = max(days, key=days.get) if days else None
        return {
            "crypto_liquidations": {
                "liquidated_bn": self.liquidated_total_bn,
                "accounts": self.liquidated_total_people,
                "rows": self.liquidated_total_rows,
                "days_with_liquidations": len(days),
                "peak_day": peak,
                "peak_day_bn": days.get(peak, 0.0) if peak is not None else 0.0,
                "long_share": self.liquidated_total_long / self.liquidated_total_bn if self.liquidated_total_bn else None,
            },
            "crypto_funding_8h": {"mean": float(ts["funding_8h"].mean()), "min": float(ts["funding_8h"].min()),
                                  "negative_days": int((ts["funding_8h"] < 0).sum())},
            "crypto_trust_min": float(ts["crypto_trust"].min()),
            "retail_btc_net_flow_bn": float(ts["retail_btc_flow_bn"].sum()),
        }

    def money_accounts(self) -> dict[str, float]:
        """Money in the perp ledger, outside the Mesa agents' trade books: leveraged traders' own cash
        plus the counterparty's collateral account. It changes only by transfers with the venues'
        reserves (liquidation fees, bankrupt positions), never by market trades."""
        return {"crypto perp ledger (leveraged traders' cash + counterparty collateral)":
                float(self.holder_cash[: self.n_lev].sum() + self.perp_cash)}
