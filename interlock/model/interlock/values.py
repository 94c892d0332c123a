"""Firm values and distress in the interlock (MODEL.md §3.4): growth multiples, cross-holdings and
DebtRank.

Value of firm i = m_i · [ Σ contracts PV(remaining schedule) · q_buyer
                        + Σ flexible revenue streams × multiple(g, r, h) ]  + stakes it holds
- multiple(g, r, h): present value of $1/yr of revenue whose growth starts at g and fades
  linearly to the long-run rate g∞ over the h years left of the high-growth horizon, then grows
  at g∞ forever, discounted at r:  ∫₀ʰ e^{G(τ) − rτ} dτ + e^{G(h) − rh} / (r − g∞).
- q_buyer: the funded share of a lab's commitments (1 for firms that can pay).
- stakes: V = V_standalone + S·V (cross-holdings, solved exactly: (I − S)·V = V_standalone).
- m_i is calibrated so that day-0 values equal market caps (listed) or last rounds (labs).
"""

from __future__ import annotations

import numpy as np

# Numerical constants, not parameters: the integrand e^{G(τ) − rτ} of the growth multiple is
# smooth (G is quadratic in τ), so 9 trapezoid nodes over a 5-year horizon put the multiple within
# 0.06% of the exact integral for starting growth of 0–300%/yr (≈2% at the −100% floor) while a
# revaluation of every firm stays a few vector operations; exponents are capped so extreme growth
# cannot overflow.
QUAD_POINTS = 9
MAX_EXPONENT = 50.0


def growth_multiple(g0: np.ndarray, r: np.ndarray, h: float, g_inf: float, min_spread: float) -> np.ndarray:
    """Present value of $1/yr of revenue growing at g0 now, fading linearly to g_inf over h years,
    discounted at r (arrays of the same shape)."""
    g0 = np.asarray(g0, dtype=float)
    r = np.asarray(r, dtype=float)
    spread = np.maximum(r - g_inf, min_spread)
    if h <= 0:
        return 1.0 / spread
    tau = _grid(h)
    G = g_inf * tau + (g0 - g_inf) * (tau - tau * tau / (2.0 * h))
    f = np.exp(np.minimum(G - r * tau, MAX_EXPONENT))
    body = (f.sum(axis=0) - 0.5 * (f[0] + f[-1])) * (h / (QUAD_POINTS - 1))      # trapezoid rule
    G_h = g_inf * h + (g0 - g_inf) * (h / 2.0)
    return body + np.exp(np.minimum(G_h - r * h, MAX_EXPONENT)) / spread


_UNIT_GRID = np.linspace(0.0, 1.0, QUAD_POINTS)[:, None]


def _grid(h: float) -> np.ndarray:
    return _UNIT_GRID * h


def cross_holding_values(standalone: np.ndarray, stakes: np.ndarray) -> np.ndarray:
    """Total values V with V = standalone + stakes · V (stakes[i, j] = share of j held by i)."""
    n = len(standalone)
    return np.linalg.solve(np.eye(n) - stakes, standalone)


def debtrank(exposure: np.ndarray, capital: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """DebtRank (Battiston et al. 2012, Sci. Rep. 2:541): final distress h ∈ [0, 1] per node after
    initial distress `h0`. exposure[i, j] = $ node i loses if j is fully distressed (loans × loss
    given default, stakes); W = min(1, exposure / capital_i). Distress spreads j → i as
    Δh_i = Σ_j W[i, j]·Δh_j, and each node passes its distress on only once."""
    cap = np.where(capital > 0, capital, np.inf)
    W = np.minimum(exposure / cap[:, None], 1.0)
    h = np.clip(np.asarray(h0, dtype=float), 0.0, 1.0).copy()
    distressed = h > 0                  # propagates in the next round
    inactive = np.zeros_like(distressed)
    for _ in range(len(h) + 1):
        if not distressed.any():
            break
        h_new = np.minimum(1.0, h + W[:, distressed] @ h[distressed])
        inactive |= distressed
        distressed = (h_new > 0) & ~inactive
        h = h_new
    return h
