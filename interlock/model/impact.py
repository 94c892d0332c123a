"""Price impact of executed flows: permanent (Gabaix–Koijen) + concave transient with a decaying
propagator (issue #12). Vectorised over an ensemble axis E and over N primitive assets.

For asset a with market cap C (USD bn), a round's net signed flow F (USD bn) moves the log price by

    Δp = M·F/C                                                    permanent, linear (GK 2021)
       + g_t · R·M/C · [ψ(Q + F) − ψ(Q)]                          transient, concave
    ψ(Q) = sign(Q) · Q_c · (sqrt(1 + 2|Q|/Q_c) − 1),   Q_c = q_c·C   (ψ'(0) = 1, ψ ≈ sqrt(2 Q_c |Q|))

Q is the asset's *liquidity memory*: the signed flow executed today plus the past days' flows
decayed with time scale τ_L (the latent order book refills; Benzaquen & Bouchaud 2018). A day's
flows therefore meet an impact that is linear for small amounts and square-root for large ones
(Bucci et al. 2019: crossover from linear to square-root), and a cascade within a day meets a
*falling* marginal impact  (M + g R M ψ'(Q))/C ≤ (M + g_max R M)/C.

The transient displacement is kept in J exponential components (a sum of exponentials standing in
for the slowly, power-law decaying propagator of Bouchaud et al. 2004 / Bucci et al. 2019); it
relaxes overnight, so the price keeps only the permanent part M·F/C of a one-off flow.

g_t = clip((σ_t/σ_ref)^γ, g_min, g_max) thins depth when volatility is high (square-root law:
impact ∝ daily σ, Tóth et al. 2011); σ_t is the news process's conditional volatility (exogenous, so
depth does not create a second feedback loop).

State per asset: Q (E, N), T (E, N, J), g (E, N). Cost per round: ~10 elementwise ops on (E, N).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..agents import jit


def psi(Q: np.ndarray, Qc: np.ndarray) -> np.ndarray:
    """Concave impact shape: linear (slope 1) for |Q| ≪ Q_c, ≈ sqrt(2 Q_c |Q|) for |Q| ≫ Q_c."""
    return np.sign(Q) * Qc * (np.sqrt(1.0 + 2.0 * np.abs(Q) / Qc) - 1.0)


def dpsi(Q: np.ndarray, Qc: np.ndarray) -> np.ndarray:
    """ψ'(Q) = 1/sqrt(1 + 2|Q|/Q_c) ∈ (0, 1]."""
    return 1.0 / np.sqrt(1.0 + 2.0 * np.abs(Q) / Qc)


def _transient(g, R, M, qc, Q, F, cap):
    """The concave transient part of a round's log-price change: g·R·M/C·[ψ(Q+F) − ψ(Q)], Q_c = qc·C
    (`preview`, `preview_asset` and `clear` share it, so they cannot drift apart)."""
    Qc = qc * cap
    return g * R * M / cap * (psi(Q + F, Qc) - psi(Q, Qc))


@dataclass
class ImpactParams:
    """Per-asset impact parameters (arrays of shape (N,)) and the shared propagator."""

    M: np.ndarray          # permanent multiplier (GK): Δp = M·F/C
    R: np.ndarray          # transient/permanent ratio at the close, for small flows
    qc: np.ndarray         # crossover flow as a share of cap (Q_c = qc·C)
    tau_liq: float         # liquidity-memory time scale of Q, days
    tau_prop: np.ndarray   # (J,) decay time scales of the transient displacement, days
    w_prop: np.ndarray     # (J,) weights (sum 1)
    gamma: float           # depth exponent on σ_t/σ_ref
    g_min: float
    g_max: float

    def max_marginal(self, cap: np.ndarray) -> np.ndarray:
        """Largest marginal log-price impact per USD bn, (M + g_max R M)/C (at Q = 0)."""
        return self.M * (1.0 + self.g_max * self.R) / cap


class ImpactKernel:
    def __init__(self, p: ImpactParams, ensemble: int, n_assets: int):
        self.p = p
        self.Q = np.zeros((ensemble, n_assets))
        self.T = np.zeros((ensemble, n_assets, len(p.tau_prop)))
        self.g = np.ones((ensemble, n_assets))
        self.dec_prop = np.exp(-1.0 / np.asarray(p.tau_prop, float))
        self.dec_liq = np.exp(-1.0 / p.tau_liq)
        self.w = np.asarray(p.w_prop, float)
        # the fused kernels (agents/_kernels.py, bit-identical; agents/jit.py says when a process runs them)
        self._k = jit.if_on(jit.kernels)

    def begin_day(self, rel_vol: np.ndarray) -> np.ndarray:
        """Overnight relaxation; set today's depth from σ_t/σ_ref (E, N). Returns the log-price
        change from the decay of the transient displacement (E, N) — part of round 0."""
        p = self.p
        if self._k is not None:
            d = np.empty(self.Q.shape)
            self._k.impact_decay(self.T, self.dec_prop, self.Q, float(self.dec_liq), d)
        else:
            new_T = self.T * self.dec_prop
            d = (new_T - self.T).sum(-1)
            self.T = new_T
            self.Q *= self.dec_liq
        self.g = np.clip(rel_vol ** p.gamma, p.g_min, p.g_max)
        return d

    def preview(self, F: np.ndarray, cap: np.ndarray) -> np.ndarray:
        """The log-price change `clear(F, cap)` would give, without changing the state."""
        p = self.p
        return p.M * F / cap + _transient(self.g, p.R, p.M, p.qc, self.Q, F, cap)

    def preview_asset(self, i: int, F: np.ndarray, cap_i: float) -> np.ndarray:
        """`preview` for asset i (member 0 of the ensemble) at each of the candidate flows F (1-D,
        USD bn): the log-price change each would give in one round, without changing the state. A
        book that solves its own cascade's fixed point walks its candidates with it."""
        p = self.p
        return p.M[i] * F / cap_i + _transient(self.g[0, i], p.R[i], p.M[i], p.qc[i], self.Q[0, i], F, cap_i)

    def clear(self, F: np.ndarray, cap: np.ndarray) -> np.ndarray:
        """Apply one clearing round's net flows F (E, N) in USD bn; return Δ log price (E, N)."""
        p = self.p
        if self._k is not None and F.ndim == 2 and cap.ndim == 2 and self.g.ndim == 2:
            out = np.empty(self.Q.shape)
            self._k.impact_clear(self.g, p.R, p.M, p.qc, self.Q, F, cap, self.w, self.T, out)
            return out
        tr = _transient(self.g, p.R, p.M, p.qc, self.Q, F, cap)
        self.Q += F
        self.T += tr[..., None] * self.w
        return p.M * F / cap + tr

    def start_at_steady_flow(self, F: np.ndarray, cap: np.ndarray) -> None:
        """Set the state a flow F (E, N) cleared once every day for ever leaves after a day's
        clearing (depth g = 1): the liquidity memory Q = F/(1 − d_Q) and each transient component
        T_k = w_k·tr/(1 − d_k), tr being the day's transient at the memory the day opens with. From
        here the same daily flow keeps the state, and so the price, where it is."""
        p = self.p
        q_open = self.dec_liq * F / (1.0 - self.dec_liq)
        tr = _transient(1.0, p.R, p.M, p.qc, q_open, F, cap)
        self.Q = q_open + F
        self.T = tr[..., None] * self.w / (1.0 - self.dec_prop)

    def marginal(self, cap: np.ndarray) -> np.ndarray:
        """Current marginal log impact per USD bn (E, N) — falls as the day's flow accumulates."""
        p = self.p
        return (p.M + self.g * p.R * p.M * dpsi(self.Q, p.qc * cap)) / cap

    @property
    def transient(self) -> np.ndarray:
        """Transient displacement still in prices (E, N)."""
        return self.T.sum(-1)


# ----- stability -----------------------------------------------------------------------------------
def round_gain(M: float, R: float, g_max: float, cap: float, S: float) -> float:
    """Worst-case round-to-round gain of the intraday cascade for one asset:

        G = (M + g_max·R·M)/C · S

    S (USD bn per unit log move) bounds how much *proportional* forced flow a price move of one
    round triggers in the next (Σ of the classes' Lipschitz constants, DESIGN.md §3.4). If G < 1 the
    proportional part of the cascade contracts geometrically from the first round; bounded one-shot
    flows (stop-outs, risk exits: at most once per agent per day) add a finite move on top."""
    return (M + g_max * R * M) / cap * S


def cascade_bound(M: float, R: float, g_max: float, cap: float, S: float, kicks: float, qc: float,
                  dp0: float = 0.0) -> float:
    """Upper bound on the total forced intraday move p (log) for one asset, valid even where the
    round gain at Q = 0 is ≥ 1, as long as the permanent gain b = M·S/C < 1. Forced flows are at
    most S·(|dp0| + p) + K (proportional responders to the cumulative move, plus one-shot kicks
    K), and concavity gives ψ(x) ≤ sqrt(2 Q_c x), sqrt(u+v) ≤ sqrt(u) + sqrt(v), so

        p ≤ a + b·p + c·sqrt(p),   a = M(S|dp0| + K)/C + k·sqrt(2 Q_c (S|dp0| + K)),
        b = M S / C,  c = k·sqrt(2 Q_c S),  k = g_max R M / C,

    whose largest root bounds p (+inf if b ≥ 1). When the round gain G < 1 the linear bound
    ψ(x) ≤ x gives p ≤ Λ_max (S|dp0| + K)/(1 − G), Λ_max = (M + g_max R M)/C; the smaller of the two
    is returned. Q_c = qc·C; the liquidity memory Q only lowers the transient further (Q = 0 is the
    worst case)."""
    b = M * S / cap
    if b >= 1.0:
        return float("inf")
    Qc = qc * cap
    k = g_max * R * M / cap
    base = S * abs(dp0) + kicks
    a = M * base / cap + k * np.sqrt(2 * Qc * base)
    c = k * np.sqrt(2 * Qc * S)
    y = (c + np.sqrt(c * c + 4 * (1 - b) * a)) / (2 * (1 - b))
    p_sqrt = float(y * y)
    # linear bound ψ(x) ≤ x: geometric series when the round gain G < 1
    G = (M + g_max * R * M) / cap * S
    p_lin = (M + g_max * R * M) / cap * base / (1 - G) if G < 1 else float("inf")
    return min(p_sqrt, p_lin)
