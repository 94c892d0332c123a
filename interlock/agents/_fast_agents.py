"""Fused kernels of the systematic funds' daily orders (issue #16): `VolTargetBook.voluntary_orders`
was ~35 numpy calls a day on arrays of a dozen funds — call overhead, not arithmetic.

The rules of `_kernels.py` (read its docstring): the same element-wise operations in the same order,
IEEE double, no fastmath; reductions and matrix products stay numpy's. numpy's minimum/maximum are
written out as its SIMD loops compute them (the second operand on a tie, so the sign of a zero is
theirs; NaN propagates) and np.clip as its ufunc does (x, then the lower bound, then the upper, a
NaN kept). `jit.py` says when a population uses them; this module imports numba and is imported
only then.
"""

from __future__ import annotations

import math

import numba


def _jit(f):
    return numba.njit(cache=True, nogil=True, error_model="numpy")(f)


@_jit
def _maximum(a, b):
    # np.maximum(a, b): a if a > b or a is NaN, else b (b on a tie: its sign of zero)
    return a if (a > b or a != a) else b


@_jit
def _minimum(a, b):
    # np.minimum(a, b): a if a < b or a is NaN, else b
    return a if (a < b or a != a) else b


@_jit
def _clip(x, lo, hi):
    # the np.clip ufunc: max with the lower bound, then min with the upper, a NaN kept at each step
    if x == x:
        x = x if x > lo else lo
    if x == x:
        x = x if x < hi else hi
    return x


@_jit
def vol_target_orders(nav, var_eq, var_eq_slow, var_bond, ann, sigma_target, max_lev, risk_parity, units,
                      prices, cols, band, speed, max_change, orders):
    """`VolTargetBook.voluntary_orders` after its NAV (numpy's matrix product): `_targets` and the
    banded, capped trade of each fund into orders[i, cols] (orders zeroed by the caller)."""
    for i in range(nav.shape[0]):
        # _targets
        sd_eq = math.sqrt(_maximum(var_eq[i], var_eq_slow[i]) * ann)
        sd_b = math.sqrt(var_bond[i] * ann)
        lev_eq = _minimum(max_lev, sigma_target[i] / sd_eq)
        inv_eq = 1.0 / sd_eq
        w_eq = inv_eq / (inv_eq + 1.0 / sd_b)
        w_b = 1.0 - w_eq
        a = w_eq * sd_eq
        b = w_b * sd_b
        sd_p = math.sqrt(a * a + b * b)
        lev_rp = _minimum(max_lev, sigma_target[i] / sd_p)
        navp = _maximum(nav[i], 0.0)
        if risk_parity[i]:
            tgt0 = lev_rp * w_eq * navp
            tgt1 = lev_rp * w_b * navp
        else:
            tgt0 = lev_eq * navp
            tgt1 = 0.0 * navp
        # the trade
        lim = band * _maximum(nav[i], 1e-9)
        cap = max_change * navp
        for j in range(2):
            c = cols[j]
            held = units[i, c] * prices[c]
            gap = (tgt0 if j == 0 else tgt1) - held
            t = speed[i] * gap if abs(gap) > lim else 0.0
            t = _clip(t, -cap, cap)
            orders[i, c] = _maximum(t, -_maximum(held, 0.0))


@_jit
def cta_signal_inputs(daily_var, ema, fast_i, slow_i, sqrt_slow, y):
    """`CTABook.signal_matrix`'s crossovers before the blend: y[j, c] = (fast EMA − slow EMA) /
    (σ_j · √slow span), (3 markets, crossovers)."""
    for j in range(y.shape[0]):
        sd = math.sqrt(daily_var[j])
        for c in range(y.shape[1]):
            y[j, c] = (ema[j, fast_i[c]] - ema[j, slow_i[c]]) / (sd * sqrt_slow[c])


@_jit
def cta_orders(sig, nav, total, daily_var, ann, sigma_target, weights, max_lev, max_share, sizes, units, prices,
               cols, speed, orders):
    """`CTABook.voluntary_orders` after the signals sig (n, 3) and the NAVs (numpy's tanh, matrix
    product and sum): the vol-scaled targets, capped by leverage and each fund's slice of the market,
    into orders[i, cols] (orders zeroed by the caller)."""
    m = cols.shape[0]
    for i in range(nav.shape[0]):
        v = nav[i]
        lev_cap = max_lev * v
        share = v / total
        for j in range(m):
            f = sigma_target / math.sqrt(daily_var[j] * ann) * weights[j]
            target = sig[i, j] * f * v
            cap = lev_cap
            if total > 0.0:
                cap = _minimum(cap, max_share[j] * sizes[j] * share)
            target = _clip(target, -cap, cap)
            c = cols[j]
            orders[i, c] = speed[i] * (target - units[i, c] * prices[c])


@_jit
def discretionary_orders(view, eps, persistence, shock, units, spx, price, cash, base, value_term, max_lev, speed,
                         view_out, orders):
    """`DiscretionaryBook.voluntary_orders` after the draws eps and the value term (sensitivity ×
    mispricing, a float): the views (view_out) and each desk's SPX order (orders zeroed by the caller)."""
    for i in range(view.shape[0]):
        v = persistence * view[i] + shock * eps[i]
        view_out[i] = v
        held = units[i, spx] * price
        nav = _maximum(cash[i] + held, 0.0)
        target = _clip(base + v + value_term, 0.0, max_lev) * nav
        orders[i, spx] = _maximum(speed * (target - held), -_maximum(held, 0.0))


@_jit
def buyback_orders(asset, last_returns, var_fast, grid_slope, grid_max, remaining, budget_cap, profile, phase,
                   remaining_intensity, cells, remaining_out, amount_out, orders_flat):
    """`BuybackBook.voluntary_orders` after the budget: the grid-scaled amount of each desk today,
    what is left of its quarter (remaining_out) and the flattened orders (zeroed by the caller)."""
    for i in range(asset.shape[0]):
        a = asset[i]
        grid = _minimum(1.0 + grid_slope * _maximum(0.0, -last_returns[a] / math.sqrt(var_fast[a])), grid_max)
        rem = _minimum(remaining[i], budget_cap[i])
        amount = _maximum(_minimum(rem * profile[i, phase] * grid / _maximum(remaining_intensity[i], 1e-9), rem), 0.0)
        remaining_out[i] = rem - amount
        amount_out[i] = amount
        orders_flat[cells[i]] = amount
