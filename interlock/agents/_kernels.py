"""Fused per-row kernels of the retail crypto pass (issue #16: the pass was ~36% of a default run, ~50
numpy calls a day on a few thousand rows each — call overhead and temporaries, not arithmetic), of the
AI interlock ledger's daily rates and booking (a few dozen numpy calls on ~60 edges and ~15 firms), of
the price impact kernel's round clearing and overnight decay (~25 numpy calls on ~13 assets a round), of
the crypto ETF allocators' daily orders and of every population's fills (base.py).

Each kernel does, row by row in one loop, exactly the element-wise arithmetic of the numpy code it
replaces in `retail_crypto.py` (the same operations in the same order, IEEE double, no fastmath), so
a run gives bit-identical outputs with the kernels on or off (tests/integration/test_crypto_kernels.py
compares the two paths). What stays in numpy, on purpose:
  - random draws (same Generator calls, same order);
  - transcendental functions (exp, log, pow): numpy's SIMD loops and LLVM's libm may differ by an ulp
    on some machines, so the kernels stop before them and numpy applies them to the kernel's output
    (sqrt is no such function: IEEE rounds it exactly, so `_psi` takes it in the kernel);
  - the reductions' summation order: a kernel that sums does it as numpy does — `_np_sum` is numpy's
    pairwise summation of a float64 array (what np.add.reduce / ndarray.sum give: the identity 0.0,
    then blocks of 8 accumulators, halving above 128 elements), used where it spares numpy calls on
    small or compacted arrays; `settle`'s per-venue sum adds row by row in row order exactly as
    np.bincount does. The review's per-venue sums (np.add.reduceat: numpy's SIMD loop is faster on
    its thousands of rows) and dot products (BLAS) stay in numpy.
Kernels that compact rows (the index lists, the positive payments, the perp book) write every row to
the next free slot and advance it only when the row qualifies: no data-dependent branch to mispredict.
The spot review and fill run one inner loop per run of a venue's rows (one NAV, one frozen flag), so
LLVM vectorises them: the same IEEE operations lane by lane, bit-identical to the scalar loop (numba
does not contract a·b + c into an FMA without fastmath).

The kernels are compiled on first use and cached on disk (`cache=True`, in __pycache__ next to this
file, or NUMBA_CACHE_DIR). This module imports numba: `jit.py` decides when a population uses it and
imports it only then.
"""

from __future__ import annotations

import numba
import numpy as np


def _jit(f):
    return numba.njit(cache=True, nogil=True, error_model="numpy")(f)


@_jit
def _max0(a):
    # numpy's np.maximum(a, 0.0) in its SIMD loop (_mm256_max_pd(a, 0.0)): a when a > 0 or NaN, else +0.0
    return a if (a > 0.0 or a != a) else 0.0


@_jit
def _minimum(a, b):
    # np.minimum(a, b): NaN propagates, else the smaller
    if a != a:
        return a
    return a if a < b else b


@_jit
def _pw_block(a, lo, n):
    # numpy's pairwise sum (loops_utils.h: DOUBLE_pairwise_sum) of a[lo:lo + n] for n ≤ 128
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0 = a[lo]
    r1 = a[lo + 1]
    r2 = a[lo + 2]
    r3 = a[lo + 3]
    r4 = a[lo + 4]
    r5 = a[lo + 5]
    r6 = a[lo + 6]
    r7 = a[lo + 7]
    m = n - (n % 8)
    i = 8
    while i < m:
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@_jit
def _pw(a, lo, n):
    # numpy's pairwise sum of a[lo:lo + n] (a float64 array)
    if n <= 128:
        return _pw_block(a, lo, n)
    # the recursion pw(lo, n) = pw(lo, n2) + pw(lo + n2, n − n2), n2 = n/2 rounded down to a multiple of 8,
    # walked with an explicit stack (numba's cache does not keep recursive functions)
    f_lo = np.empty(64, dtype=np.int64)
    f_n = np.empty(64, dtype=np.int64)
    f_left = np.empty(64)
    f_stage = np.zeros(64, dtype=np.int64)
    sp = 0
    f_lo[0] = lo
    f_n[0] = n
    f_stage[0] = 0
    while True:
        l = f_lo[sp]
        m = f_n[sp]
        if m > 128:                       # descend into the left half
            h = m // 2
            h -= h % 8
            sp += 1
            f_lo[sp] = l
            f_n[sp] = h
            f_stage[sp] = 0
            continue
        ret = _pw_block(a, l, m)
        sp -= 1
        while sp >= 0:
            if f_stage[sp] == 0:          # the left half is done: keep it, descend into the right half
                f_left[sp] = ret
                f_stage[sp] = 1
                m = f_n[sp]
                h = m // 2
                h -= h % 8
                lo2 = f_lo[sp] + h
                sp += 1
                f_lo[sp] = lo2
                f_n[sp] = m - h
                f_stage[sp] = 0
                break
            ret = f_left[sp] + ret        # both halves done
            sp -= 1
        if sp < 0:
            return ret


@_jit
def _np_sum(a, lo, n):
    # np.add.reduce(a[lo:lo + n]) (= a[lo:lo + n].sum()): the identity 0.0 plus the pairwise sum
    return 0.0 + _pw(a, lo, n)


@_jit
def _pick3(s, a, b, c):
    # x[s] for a 3-vector x = (a, b, c) and s in {0, 1, 2}, as selects (a gather does not vectorise)
    return a if s == 0 else (b if s == 1 else c)


@_jit
def spot_exp_args(start, n, sty, appetite, x_style, rot_style, out):
    """out[i] = x_style[style] · appetite, out[n + i] = −(rot_style[style] · appetite) for the
    reviewing rows [start, start + n); numpy's exp comes next."""
    if x_style.size != 3:                               # the general form (Style has three members)
        for i in range(n):
            j = start + i
            s = sty[j]
            a = appetite[j]
            out[i] = x_style[s] * a
            out[n + i] = -(rot_style[s] * a)
        return
    _exp_args3(n, sty[start:start + n], appetite[start:start + n], x_style[0], x_style[1], x_style[2],
               rot_style[0], rot_style[1], rot_style[2], out[:n], out[n:2 * n])


@_jit
def _exp_args3(n, sty, appetite, x0, x1, x2, r0, r1, r2, out_x, out_r):
    for i in range(n):
        s = sty[i]
        a = appetite[i]
        out_x[i] = _pick3(s, x0, x1, x2) * a
        out_r[i] = -(_pick3(s, r0, r1, r2) * a)


@_jit
def _review_run(m, pb, p1, frozen, hold0, hold1, cash, e0, e1, base_btc, base_eq, any_loss, trust_tau, phi,
                max_share, band, speed, o0, o1, o2, o3):
    """`spot_review` over m rows of one venue (pool NAV p1; `frozen`: the venue's holders do not trade),
    every array a view starting at the run's first row. No gather and no data-dependent branch, so LLVM
    vectorises it (the same IEEE operations lane by lane: bit-identical to the scalar loop)."""
    for i in range(m):
        h0 = hold0[i]
        h1 = hold1[i]
        v0 = h0 * pb
        v1 = h1 * p1
        c = cash[i]
        w = c + v0
        w = w + v1
        fs = e0[i] * base_btc[i]                        # free share
        tr = fs * trust_tau[i] if any_loss else fs      # trusted
        bs = _minimum(tr * e1[i], max_share)            # BTC share
        be = base_eq[i]
        es = be * p1
        es = es / (w if w > 1e-300 else 1e-300)         # np.maximum(wealth, 1e-300); wealth ≥ 0, not NaN
        es = es + (tr - bs)
        if any_loss:
            es = es + phi * (fs - tr)
        es = _max0(es)
        es = _minimum(es, 1.0 - bs)
        gain = be * (p1 - 1.0)
        gain = gain * bs
        g0 = bs * w
        g0 = g0 - gain
        g0 = g0 - v0
        g1 = es * w
        g1 = g1 - v1
        bw = band * w
        t0 = (g0 * speed) * (1.0 if abs(g0) > bw else 0.0)
        t1 = (g1 * speed) * (1.0 if abs(g1) > bw else 0.0)
        t0 = 0.0 if frozen else t0
        t1 = 0.0 if frozen else t1
        b0 = _max0(t0)
        b1 = _max0(t1)
        spend = b0 + b1
        scale = c / spend                               # used only when spend > c (then spend > 0)
        short = spend > c                               # buys are paid from cash on hand
        o0[i] = b0 * scale if short else b0
        o1[i] = b1 * scale if short else b1
        o2[i] = _minimum(_max0(-t0) / pb, h0)
        o3[i] = _minimum(_max0(-t1) / p1, h1)


@_jit
def spot_review(start, n, seg_v, seg_lo, seg_hi, hold0, hold1, cash, nav, pb, e, base_btc, base_eq, any_loss,
                trust_tau, phi, max_share, band, speed, any_frozen, frozen, o0, o1, o2, o3):
    """The spot review of rows [start, start + n) given e = exp of `spot_exp_args` (and, when a venue
    has lost trust, trust^τ per row): fills the orders o0..o3 (buy BTC $, buy pool $, sell BTC units,
    sell pool shares) — RetailCryptoBook.voluntary_orders' numpy arithmetic, row by row. The block's
    rows are ordered by venue: run s is rows [seg_lo[s], seg_hi[s]) of the block, all at venue seg_v[s]."""
    for s in range(seg_v.size):
        v = seg_v[s]
        lo = seg_lo[s]
        hi = seg_hi[s]
        a = start + lo
        b = start + hi
        _review_run(hi - lo, pb, nav[v], any_frozen and frozen[v], hold0[a:b], hold1[a:b], cash[a:b], e[lo:hi],
                    e[n + lo:n + hi], base_btc[a:b], base_eq[a:b], any_loss,
                    trust_tau[lo:hi] if any_loss else trust_tau, phi, max_share, band, speed,
                    o0[lo:hi], o1[lo:hi], o2[lo:hi], o3[lo:hi])


@_jit
def _fill_run(m, pb, p1, hold0, hold1, cash, o0, o1, o2, o3):
    """`spot_fill` over m rows of one venue (pool NAV p1), views from the run's first row (vectorised)."""
    for i in range(m):
        b0 = o0[i]
        b1 = o1[i]
        s0 = o2[i]
        s1 = o3[i]
        hold0[i] += b0 / pb - s0
        hold1[i] += b1 / p1 - s1
        cash_in = s0 * pb + s1 * p1
        cash_in -= b0
        cash_in -= b1
        cash[i] = _max0(cash[i] + cash_in)


@_jit
def spot_fill(start, seg_v, seg_lo, seg_hi, hold0, hold1, cash, o0, o1, o2, o3, nav, pb):
    """Book the review's fills at the clearing prices (BTC pb, the venue's pool NAV): holdings +=
    buys / px − sells; cash += sells · px − buys (≥ 0); runs of one venue as in `spot_review`."""
    for s in range(seg_v.size):
        lo = seg_lo[s]
        hi = seg_hi[s]
        a = start + lo
        b = start + hi
        _fill_run(hi - lo, pb, nav[seg_v[s]], hold0[a:b], hold1[a:b], cash[a:b], o0[lo:hi], o1[lo:hi],
                  o2[lo:hi], o3[lo:hi])


@_jit
def pool_orders(sums, btc_col, units, prices, eq_cols, pool_shares, w, buy, sell):
    """The venue agents' orders from the per-venue sums of the review's row orders (`sums`: 4 ×
    n_venues, RetailCryptoBook._venue_sums): the BTC legs into buy / sell (zeros on entry), pool
    purchases split by the pool's current weights (RetailCryptoBook.pool_weights; scratch `w`: n_venues ×
    instruments) and pool sales as a share of each pool's units — voluntary_orders' numpy arithmetic.
    Returns False, having written nothing, when a pool is empty (its total value ≤ 1e-12: the caller's
    numpy code handles that)."""
    nv = sums.shape[1]
    ni = w.shape[1]
    for v in range(nv):
        for c in range(ni):
            w[v, c] = 0.0
        for c in eq_cols:
            w[v, c] = units[v, c] * prices[c]
        if not _np_sum(w[v], 0, ni) > 1e-12:
            return False
    for v in range(nv):
        buy[v, btc_col] = sums[0, v]
        sell[v, btc_col] = sums[2, v]
    for v in range(nv):
        tot = _np_sum(w[v], 0, ni)
        eb = sums[1, v]
        for c in range(ni):
            buy[v, c] += eb * (w[v, c] / tot)
        ps = pool_shares[v]
        frac = _minimum(sums[3, v] / (ps if ps > 1e-12 else 1.0), 1.0)
        for c in eq_cols:
            sell[v, c] += frac * units[v, c]
    return True


@_jit
def perp_orders(no, nc, i_open, i_close, margin_share, cash, leverage, side, btc, nl, oi_cap, pb, margin, notional,
                close_units, scratch):
    """The leveraged rows' perp orders (RetailCryptoBook.voluntary_orders' numpy arithmetic, its sums as
    numpy sums): each opening row's margin and notional (into `margin`, `notional`), cut pro rata when
    the gross book would pass the open-interest cap `oi_cap`, and each closing row's contracts (into
    `close_units`); returns the notional opened long and short and the contracts closed long and short
    (`scratch`: nl floats)."""
    for j in range(no):
        i = i_open[j]
        mg = margin_share[i] * cash[i]
        margin[j] = mg
        notional[j] = leverage[i] * mg
    for i in range(nl):
        scratch[i] = abs(btc[i])
    room = oi_cap - _np_sum(scratch, 0, nl) * pb
    want = _np_sum(notional, 0, no)
    room0 = 0.0 if 0.0 > room else room                 # Python's max(room, 0.0)
    if want > room0:
        cut = room0 / want
        for j in range(no):
            margin[j] *= cut
            notional[j] *= cut
    for j in range(nc):
        close_units[j] = btc[i_close[j]]
    k = 0
    for j in range(no):
        scratch[k] = notional[j]
        k += 1 if side[i_open[j]] > 0 else 0
    opened_long = _np_sum(scratch, 0, k)
    k = 0
    for j in range(no):
        scratch[k] = notional[j]
        k += 0 if side[i_open[j]] > 0 else 1
    opened_short = _np_sum(scratch, 0, k)
    k = 0
    for j in range(nc):
        scratch[k] = close_units[j]
        k += 1 if close_units[j] > 0 else 0
    closed_long = _np_sum(scratch, 0, k)
    k = 0
    for j in range(nc):
        scratch[k] = close_units[j]
        k += 1 if close_units[j] < 0 else 0
    closed_short = -_np_sum(scratch, 0, k)
    return opened_long, opened_short, closed_long, closed_short


@_jit
def lev_exp_args(nl, sty, appetite, xr, any_loss, log_trust, side, entry, b, out):
    """out = b · (side · (xr[style] · appetite [+ τ ln trust]) − e) per leveraged row; numpy's exp next."""
    if xr.size != 3:                                    # the general form (Style has three members)
        for i in range(nl):
            d = xr[sty[i]] * appetite[i]
            if any_loss:
                d = d + log_trust[i]
            d = d * side[i]
            d = d - entry[i]
            out[i] = d * b
        return
    x0 = xr[0]
    x1 = xr[1]
    x2 = xr[2]
    for i in range(nl):
        d = _pick3(sty[i], x0, x1, x2) * appetite[i]
        if any_loss:
            d = d + log_trust[i]
        d = d * side[i]
        d = d - entry[i]
        out[i] = d * b


@_jit
def lev_decide(nl, draw, ex, open_rate, close_rate, cash, flat_since, last_ok, btc, any_frozen, frozen,
               ven, i_open, i_close):
    """Which leveraged rows open and close today (ex = exp(b (side · y − e))): fills the index buffers
    in row order and returns their counts. Branch-free (every row is written to the next free slot,
    which only advances when the row qualifies): the draws make the decisions unpredictable."""
    no = 0
    nc = 0
    for i in range(nl):
        is_open = btc[i] != 0.0
        ok = not (any_frozen and frozen[ven[i]])
        x = ex[i]
        d = draw[i]
        cl = is_open & (d * x < close_rate) & ok
        op = (not is_open) & (d < open_rate * x) & (cash[i] > 0.0) & (flat_since[i] <= last_ok) & ok
        i_close[nc] = i
        i_open[no] = i
        nc += 1 if cl else 0
        no += 1 if op else 0
    return no, nc


@_jit
def breaches(nl, liq, side, low, high, out):
    """Rows whose liquidation price the round's low (longs) or high (shorts) reached; returns the count.
    Branch-free, as `lev_decide`."""
    k = 0
    for i in range(nl):
        q = liq[i]
        s = side[i]
        hit = ((q >= low) & (s > 0.0)) | ((s < 0.0) & (q > 0.0) & (q <= high))
        out[k] = i
        k += 1 if hit else 0
    return k


@_jit
def cascade_candidates(nl, side, liq, victim_side, idx, flag, cand, t):
    """The rows a cascade moving against `victim_side` may reach: that side, an open position (liq > 0)
    and not among idx (already liquidated); fills cand / t (row order, the liquidation prices) and
    returns their count — RetailCryptoBook._cascade's np.flatnonzero((side == −d) & (liq > 0) & ~idx).
    `flag` is an all-False scratch array of nl booleans, left all False."""
    for j in range(idx.size):
        flag[idx[j]] = True
    k = 0
    for i in range(nl):
        q = liq[i]
        ok = (side[i] == victim_side) & (q > 0.0) & (not flag[i])
        cand[k] = i
        t[k] = q
        k += 1 if ok else 0
    for j in range(idx.size):
        flag[idx[j]] = False
    return k


@_jit
def funding(nl, btc, debt, liq_price, f3, pb, mm, side, pay):
    """Funding on every open position: pay = 3f · contracts · P added to its debt, its liquidation
    price reset; leaves the positive payments at the front of `pay` (row order: what pay[pay > 0]
    gives; the sum stays in numpy) and returns their count and the new `liq_bounds`. The update is
    select-only (a flat row's debt and liquidation price are written back unchanged), so it vectorises;
    the compaction and the bounds are a second, scalar pass. Also returns the positive payments' numpy sum."""
    for i in range(nl):
        q = btc[i]
        o = q != 0.0
        p = (f3 * q) * pb
        d0 = debt[i]
        d = d0 + p
        debt[i] = d if o else d0
        lq = d / (q - mm * abs(q))
        liq_price[i] = lq if o else liq_price[i]
        pay[i] = p if o else 0.0
    k = 0
    hi = -np.inf
    lo = np.inf
    for i in range(nl):
        p = pay[i]
        pay[k] = p
        k += 1 if p > 0.0 else 0
        lq = liq_price[i]
        s = side[i]
        hi = lq if (s > 0.0 and lq > hi) else hi
        lo = lq if (s < 0.0 and lq > 0.0 and lq < lo) else lo
    return k, hi, lo, _np_sum(pay, 0, k)


@_jit
def liq_bounds(nl, liq, side):
    """(the highest liquidation price of a long row, flat ones' 0 included; the lowest positive one of
    a short row): a round whose low is above the first and whose high is below the second breaches no
    row (`breaches`' test; NaN never breaches and is skipped here too)."""
    hi = -np.inf
    lo = np.inf
    for i in range(nl):
        lq = liq[i]
        s = side[i]
        hi = lq if (s > 0.0 and lq > hi) else hi
        lo = lq if (s < 0.0 and lq > 0.0 and lq < lo) else lo
    return hi, lo


@_jit
def settle(k, idx, contracts, price, fee, charge, btc, debt, liq_price, cash, flat_since, day, venue,
           equity, by_venue):
    """Close the perps of rows idx[:k] (distinct) at `price` (RetailCryptoBook._settle, row by row):
    equity = contracts · P − debt into `equity` (the sums stay in numpy), the payout max(equity −
    fee · |contracts| · P, 0) (no fee unless `charge`) to cash, the position zeroed, and equity −
    payout added per venue to `by_venue` (zeros on entry) in row order, as np.bincount adds. Returns the
    numpy sums of contracts[:k] and of the equity."""
    for j in range(k):
        i = idx[j]
        c = contracts[j]
        e = c * price - debt[i]
        ch = fee * abs(c) * price if charge else 0.0
        pay = _max0(e - ch)
        cash[i] += pay
        btc[i] = 0.0
        debt[i] = 0.0
        liq_price[i] = 0.0
        flat_since[i] = day
        equity[j] = e
        by_venue[venue[i]] += e - pay
    return _np_sum(contracts, 0, k), _np_sum(equity, 0, k)


@_jit
def perp_book(nl, btc, debt, pb, longs, shorts, equity, cash, spot_units, nv, holder_cash):
    """The record's sums, in one pass: the long and the short positions' contracts (compacted into
    `longs` / `shorts` in row order: what btc[btc > 0] and btc[btc < 0] give) and each position's equity
    q · P − debt into `equity`; returns the numpy sums of the longs, of the shorts and of the equity, of
    the venue agents' cash (cash[:nv]) plus that of the leveraged rows (holder_cash[:nl]), and of the
    venue agents' spot BTC (`spot_units`, their BTC column). Branch-free, as `lev_decide`."""
    nlong = 0
    nshort = 0
    for i in range(nl):
        q = btc[i]
        longs[nlong] = q
        shorts[nshort] = q
        nlong += 1 if q > 0.0 else 0
        nshort += 1 if q < 0.0 else 0
        equity[i] = q * pb - debt[i]
    return (_np_sum(longs, 0, nlong), _np_sum(shorts, 0, nshort), _np_sum(equity, 0, nl),
            _np_sum(cash, 0, nv) + _np_sum(holder_cash, 0, nl), _np_sum(spot_units, 0, nv))


@_jit
def open_perps(k, idx, side, notional, margin, price, btc, cash, debt, liq_price, mm, contracts, hi, lo):
    """Open the perps of rows idx[:k] (distinct) at `price`: contracts = side · notional / P into
    `contracts`, the margin out of cash, debt += contracts · P − margin, the liquidation price reset
    (RetailCryptoBook._open and _set_liq_price, row by row); returns the `liq_bounds` (hi, lo) widened
    by the new liquidation prices and the numpy sums of the contracts and of margin[:k]."""
    for j in range(k):
        i = idx[j]
        c = side[i] * notional[j] / price
        contracts[j] = c
        q = btc[i] + c
        btc[i] = q
        cash[i] -= margin[j]
        d = debt[i] + (c * price - margin[j])
        debt[i] = d
        lq = d / (q - mm * abs(q)) if q != 0.0 else 0.0
        liq_price[i] = lq
        s = side[i]
        hi = lq if (s > 0.0 and lq > hi) else hi
        lo = lq if (s < 0.0 and lq > 0.0 and lq < lo) else lo
    return hi, lo, _np_sum(contracts, 0, k), _np_sum(margin, 0, k)


# ----- the AI interlock's ledger (model/interlock/ledger.py): its daily rates and booking ----------------
@_jit
def ledger_rates(t, start, dur, ramp, ramp_num, dur2, flat_rate, sched, scale, src, dst, capex, rr_spender,
                 rr_share, rr_chip, amount, revenue_ratio, contract_out, r, spend, revenue_graph):
    """InterlockLedger.rates_at's arithmetic, edge by edge: each supply edge's scheduled rate at t
    (Schedule.rate), the spenders' flexible capex over their live run-rate edges and the chip vendors'
    cost of sales, into `r`; the per-firm sums (np.bincount's order: edge by edge from zero) of the
    contracts (scratch `contract_out`), of `spend` by buyer and of `revenue_graph` by seller."""
    ne = start.size
    n = contract_out.size
    for i in range(n):
        contract_out[i] = 0.0
        spend[i] = 0.0
        revenue_graph[i] = 0.0
    for e in range(ne):
        x = t - start[e]
        live = 1.0 if (x >= 0.0 and x < dur[e]) else 0.0
        per_year = ramp_num[e] * x / dur2[e] if ramp[e] else flat_rate[e]
        r[e] = per_year * (live * sched[e] * scale[e])
        contract_out[src[e]] += r[e]
    for e in range(ne):
        b = src[e]
        started = start[e] <= t
        flex = _max0(capex[b] - contract_out[b])
        f = flex * rr_share[e] if (rr_spender[e] and started) else 0.0
        c = amount[e] * revenue_ratio[b] if (rr_chip[e] and started) else 0.0
        x = r[e] + f * scale[e]
        x = x + c * scale[e]
        r[e] = x
        spend[b] += x
        revenue_graph[dst[e]] += x


@_jit
def ledger_book(dt, rates, paid, src, dst, pays_cash, purchases, cash_purchases, revenue_graph, revenue_exo,
                revenue_exo_rate, operating_in, operating_rate, fixed_capex, fixed_capex_rate, dividends,
                dividend_rate, bought, sold):
    """InterlockLedger.book's supply and operating part for dt years at the current rates: paid += rates · dt
    per edge, the purchases by buyer and the revenue by seller (np.bincount's order; scratch `bought`,
    `sold`) and the operating accounts, in place."""
    n = bought.size
    for i in range(n):
        bought[i] = 0.0
        sold[i] = 0.0
    for e in range(rates.size):
        p = rates[e] * dt
        paid[e] += p
        bought[src[e]] += p
        sold[dst[e]] += p
    for i in range(n):
        b = bought[i]
        purchases[i] += b
        cash_purchases[i] += b * (1.0 if pays_cash[i] else 0.0)
        revenue_graph[i] += sold[i]
        revenue_exo[i] += revenue_exo_rate[i] * dt
        operating_in[i] += operating_rate[i] * dt
        fixed_capex[i] += fixed_capex_rate[i] * dt
        dividends[i] += dividend_rate[i] * dt


@_jit
def interlock_cash(revenue_exo, revenue_graph, is_lab, lab_margin, ocf0, ocf_share, revenue0, spend, pays_cash,
                   fixed_capex, dividend_rate, eq_in, eq_out, ann, revenue, operating, cash_change):
    """The interlock block's revenue (outside the graph + on it), operating cash flow (labs: a margin of
    revenue; others: the starting OCF + an incremental margin) and each firm's daily cash change
    (InterlockLedger.daily_cash_change), element by element as the numpy code computes them."""
    for i in range(revenue.size):
        rv = revenue_exo[i] + revenue_graph[i]
        revenue[i] = rv
        op = lab_margin * rv if is_lab[i] else ocf0[i] + ocf_share * (rv - revenue0[i])
        operating[i] = op
        c = op - spend[i] * (1.0 if pays_cash[i] else 0.0)
        c = c - fixed_capex[i]
        c = c - dividend_rate[i]
        c = c + eq_in[i]
        c = c - eq_out[i]
        cash_change[i] = c / ann


@_jit
def ledger_book_equity(invested_acc, invested, raised_acc, raised, invested_edge, tranche, stakes, stakes_add,
                       stake_cost, cost_add, max_stake):
    """InterlockLedger.book's equity part, in place: the accounts += the period's tranches, the stakes
    and their cost += what the tranches bought, the stakes capped at `max_stake` (np.minimum)."""
    for i in range(invested_acc.size):
        invested_acc[i] += invested[i]
        raised_acc[i] += raised[i]
    for k in range(invested_edge.size):
        invested_edge[k] += tranche[k]
    n0, n1 = stakes.shape
    for i in range(n0):
        for j in range(n1):
            stakes[i, j] = _minimum(stakes[i, j] + stakes_add[i, j], max_stake)
            stake_cost[i, j] += cost_add[i, j]


# ----- the price impact kernel (model/impact.py): its overnight decay and a round's clearing ---------------
@_jit
def _psi(x, qc):
    # impact.psi: np.sign(x) · Qc · (sqrt(1 + 2|x| / Qc) − 1); np.sign gives +0.0 at ±0 and NaN at NaN
    sg = 1.0 if x > 0.0 else (-1.0 if x < 0.0 else (0.0 if x == 0.0 else x))
    return sg * qc * (np.sqrt(1.0 + 2.0 * abs(x) / qc) - 1.0)


@_jit
def impact_clear(g, R, M, qc, Q, F, cap, w, T, out):
    """ImpactKernel.clear's arithmetic, element by element (g, F and cap broadcast over the ensemble
    rows as numpy does): the transient g·R·M/C·[ψ(Q + F) − ψ(Q)], Q += F, T += transient · w, and the
    log-price change M·F/C + transient into `out`."""
    E, N = Q.shape
    gE = g.shape[0] > 1
    fE = F.shape[0] > 1
    cE = cap.shape[0] > 1
    for e in range(E):
        for i in range(N):
            c = cap[e if cE else 0, i]
            f = F[e if fE else 0, i]
            q = Q[e, i]
            Qc = qc[i] * c
            a = q + f
            tr = g[e if gE else 0, i] * R[i] * M[i] / c * (_psi(a, Qc) - _psi(q, Qc))
            Q[e, i] = a
            for j in range(w.size):
                T[e, i, j] += tr * w[j]
            out[e, i] = M[i] * f / c + tr


@_jit
def impact_decay(T, dec_prop, Q, dec_liq, d):
    """ImpactKernel.begin_day's decay, in place: each transient component T × its decay, their change
    summed per asset into `d` (numpy's sum over the last axis), the liquidity memory Q × dec_liq."""
    E, N, J = T.shape
    diff = np.empty(J)
    for e in range(E):
        for i in range(N):
            for j in range(J):
                t0 = T[e, i, j]
                t1 = t0 * dec_prop[j]
                diff[j] = t1 - t0
                T[e, i, j] = t1
            d[e, i] = _np_sum(diff, 0, J)
            Q[e, i] *= dec_liq


# ----- the crypto ETF allocators (agents/crypto_etf.py) ---------------------------------------------------
@_jit
def etf_orders(nav, target, units, cash, btc, pb, band, speed, exit_days_left, prices, buy, sell, out):
    """CryptoETFBook.voluntary_orders' arithmetic row by row: trade speed · (target · NAV − BTC held)
    outside the band (not while exiting); buys ≤ cash, sales ≤ units held, into the BTC column of buy
    (USD) and sell (units), both zeros on entry; `out` = buy − sell · prices (clearing_value)."""
    n, ni = buy.shape
    for i in range(n):
        held = units[i, btc] * pb
        gap = target[i] * nav[i] - held
        trade = speed * gap if (abs(gap) > band * nav[i] and exit_days_left[i] == 0) else 0.0
        buy[i, btc] = _minimum(_max0(trade), _max0(cash[i]))
        sell[i, btc] = _minimum(_max0(-trade) / pb, units[i, btc])
        for c in range(ni):
            out[i, c] = buy[i, c] - sell[i, c] * prices[c]


# ----- fills (agents/base.py) ---------------------------------------------------------------------------
@_jit
def fill_orders(units, cash, orders, prices):
    """Population.fill: units += orders / prices; cash −= each row's numpy sum of its orders."""
    n, ni = orders.shape
    for i in range(n):
        for c in range(ni):
            units[i, c] += orders[i, c] / prices[c]
        cash[i] -= _np_sum(orders[i], 0, ni)


@_jit
def execute_orders(units, cash, orders, buy, sell, prices):
    """base.execute: units += buy / prices − sell; orders = buy − sell · prices (the executed dollars);
    cash −= each row's numpy sum of them."""
    n, ni = orders.shape
    for i in range(n):
        for c in range(ni):
            units[i, c] += buy[i, c] / prices[c] - sell[i, c]
            orders[i, c] = buy[i, c] - sell[i, c] * prices[c]
        cash[i] -= _np_sum(orders[i], 0, ni)


@_jit
def add_columns(total, orders):
    """total += np.add.reduce(orders, 0) for a C-contiguous (members × instruments) array: each
    column summed row by row from zero, as numpy reduces over the outer axis."""
    n, ni = orders.shape
    for c in range(ni):
        s = 0.0
        for i in range(n):
            s += orders[i, c]
        total[c] += s


@_jit
def interlock_values(anchor, duration, dy_anchor, shift, drift, assets, base, logp, hist, row):
    """The interlock block's daily fundamental values of its listed firms: log value = anchor −
    duration · (y − y_anchor) + D_eq · (y − y0) (dy_anchor, shift: those scalars), less the drift, into
    the valuation's `base` at each firm's asset; today's log prices into row `row` of `hist`."""
    for k in range(anchor.size):
        a = assets[k]
        base[a] = (anchor[k] - duration[k] * dy_anchor) + shift - drift[k]
        hist[row, k] = logp[a]


@_jit
def etf_limits(exit_days_left, window, vol_limit, dd_limit):
    """CryptoETFBook.forced_orders' reductions in one call: (whether any allocator is exiting, the
    window's highest log price, the lowest vol limit, the lowest drawdown limit) — np.any, np.max and
    np.min (NaN propagates)."""
    exiting = False
    for i in range(exit_days_left.size):
        exiting = exiting or exit_days_left[i] != 0
    hi = window[0]
    for i in range(1, window.size):
        x = window[i]
        hi = x if (x > hi or x != x) else hi
    v = vol_limit[0]
    for i in range(1, vol_limit.size):
        x = vol_limit[i]
        v = x if (x < v or x != x) else v
    d = dd_limit[0]
    for i in range(1, dd_limit.size):
        x = dd_limit[i]
        d = x if (x < d or x != x) else d
    return exiting, hi, v, d
