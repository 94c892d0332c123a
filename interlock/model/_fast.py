"""Fused kernels of the market's daily news step (issue #16): `NewsProcess.step` was ~30 numpy calls a
day on (1, F) and (1, F, K) arrays — call overhead, not arithmetic.

As in `agents/_kernels.py` (read its docstring): each kernel does exactly the element-wise arithmetic
of the numpy code it replaces (`news.py`), the same operations in the same order, IEEE double, no
fastmath (so no FMA contraction), and stops before the transcendental functions, which numpy applies
between two kernels; a run is bit-identical with the kernels on or off. `agents/jit.py` says when a
process uses them; this module imports numba and is imported only then.
"""

from __future__ import annotations

import math

import numba

SQ2PI = math.sqrt(2.0 / math.pi)         # E|z| (news.SQ2PI, the same double)

# rows of the per-factor constants `NewsProcess` packs for the kernels, (N_CONST, F)
LAM_DN, LAM_UP, ASYM_MEAN, LAM_C, HALF_H, S_H, B, N_B, KMU_SIGMA, MEAN_REL, SIGMA, REVERT = range(12)
N_CONST = 12


def _jit(f):
    return numba.njit(cache=True, nogil=True, error_model="numpy")(f)


@_jit
def news_shock(z, par, mode, c, zo, arg):
    """The day's shocks z* (zo) from the draws z, (E, F), and the argument h z*²/2 of the Tukey-h
    exponential (arg); mode 2: the asymmetric loading on the parent's draw, 1: the symmetric one,
    0: none. Reads z, writes zo and arg."""
    E, F = z.shape
    for e in range(E):
        for f in range(F):
            zz = z[e, f]
            if mode == 2:
                zp = z[e, par[f]]
                zz = ((c[LAM_DN, f] if zp < 0.0 else c[LAM_UP, f]) * zp - c[ASYM_MEAN, f]) + c[LAM_C, f] * zz
            elif mode == 1:
                zz = c[LAM_DN, f] * z[e, par[f]] + c[LAM_C, f] * zz
            zo[e, f] = zz
            arg[e, f] = c[HALF_H, f] * zz * zz


@_jit
def news_advance(zo, ex, rel, unc, c, has_revert, level, pat, x, r, level_out, x_out):
    """The day's news returns r (E, F), the reverting level (level_out, if has_revert) and the next
    log-vol state x_out (E, F, K) from the shocks zo, ex = exp(arg) of `news_shock`, today's rel and
    the σ multipliers unc (F,); pat = (φ, a, θ), (3, F, K)."""
    E, F = zo.shape
    K = x.shape[2]
    for e in range(E):
        for f in range(F):
            zz = zo[e, f]
            az = abs(zz)
            eps = (zz * ex[e, f] / c[S_H, f] - c[B, f] * (az - SQ2PI)) / c[N_B, f]
            rl = rel[e, f]
            rr = (c[KMU_SIGMA, f] * (c[MEAN_REL, f] - rl) + c[SIGMA, f] * rl * eps) * unc[f]
            if has_revert:
                rr = rr - c[REVERT, f] * level[e, f]
                level_out[e, f] = level[e, f] + rr
            r[e, f] = rr
            d = az - SQ2PI
            for k in range(K):
                x_out[e, f, k] = pat[0, f, k] * x[e, f, k] + pat[1, f, k] * d + pat[2, f, k] * zz


@_jit
def forecast_rows(ev, floor2, cap2, parf, has_parent, sigma, unc, h_last, h_div, v):
    """`NewsProcess.forecast_weighted`'s per-factor forecasts of ensemble member 0, v (horizons, F):
    each day's expected variance ev = exp(…) (E, F, H) clipped to [floor², cap²] (np.clip's rule: NaN
    stays), times the parent's factor parf (E, F) if has_parent, summed day by day in order (the
    cumulative sum) up to each horizon's last day h_last, times (σ̄ · uncertainty)², over the horizon
    h_div."""
    F = ev.shape[1]
    n_h = h_last.shape[0]
    H = h_last[n_h - 1] + 1
    for f in range(F):
        lo = floor2[f, 0]
        hi = cap2[f, 0]
        s = sigma[f] * unc[f]
        s2 = s * s
        acc = 0.0
        i = 0
        for h in range(H):
            t = ev[0, f, h]
            if not t != t:
                t = t if t > lo else lo
            if not t != t:
                t = t if t < hi else hi
            if has_parent:
                t = t * parf[0, f]
            acc = t if h == 0 else acc + t
            if h == h_last[i]:
                v[i, f] = s2 * acc / h_div[i, 0]
                i += 1


@_jit
def clear_flows(flows_instr, spx, w_spx, cap, max_frac, F):
    """`Market.clear`'s primitive flows F = flows[:n] + flows[SPX]·w (`to_primitive`); True if one
    passes the flow guard |F / cap| > max_frac (the caller then takes the numpy path's guard)."""
    over = False
    s = flows_instr[spx]
    for i in range(F.shape[0]):
        f = flows_instr[i] + s * w_spx[i]
        F[i] = f
        if abs(f / cap[i]) > max_frac:
            over = True
    return over


@_jit
def clear_round0_moves(dlogp, decay, kappa, logv, news_in_value, logp, max_move, out):
    """Round 0's impact plus the transient's decay and the value anchor, out = dlogp + decay +
    κ(ln V − news in value − ln P); True if one passes the round guard |out| > max_move."""
    big = False
    for i in range(out.shape[0]):
        d = dlogp[i] + decay[i] + kappa[i] * (logv[i] - news_in_value[i] - logp[i])
        out[i] = d
        if abs(d) > max_move:
            big = True
    return big


@_jit
def any_beyond(x, bound):
    """True if some |x_i| > bound (the guards' test; NaN is not beyond)."""
    for i in range(x.shape[0]):
        if abs(x[i]) > bound:
            return True
    return False


@_jit
def clear_round0_news(news, noise, max_move, total):
    """Round 0's news total = pending news + the day's noise; True if one passes |total| > max_move
    (a news jump, reported by the caller)."""
    jump = False
    for i in range(total.shape[0]):
        t = news[i] + noise[i]
        total[i] = t
        if abs(t) > max_move:
            jump = True
    return jump


@_jit
def clear_round0_apply(dlogp, total, news, shock_news, news_in_value, decay, logv, logp):
    """Round 0's close: dlogp += the news, value moves with it (ln V += news − news in value), the
    day's pending news, shock news, news in value and decay are spent; ln P += dlogp."""
    for i in range(dlogp.shape[0]):
        d = dlogp[i] + total[i]
        dlogp[i] = d
        logv[i] += total[i] - news_in_value[i]
        news[i] = 0.0
        shock_news[i] = 0.0
        news_in_value[i] = 0.0
        decay[i] = 0.0
        logp[i] += d
