"""News process: prices that move without trade (issue #12; docs/validation.md).

Every "news factor" f (the equity market factor, one idiosyncratic factor per stock, BTC, the 10-year
yield) has a log-volatility made of K exponentially-decaying components driven by its own past
shocks (a multi-component EGARCH, Nelson 1991; component/cascade structure as in Engle & Lee 1999
and Corsi 2009), with

* leverage: a fall raises the components (θ_k < 0), a rise lowers them (Black 1976; Nelson 1991);
* volatility feedback: the news that raises future variance also lowers today's price, so large
  bad news is amplified and large good news damped (Campbell & Hentschel 1992);
* a conditional mean that falls while volatility is high (Brandt & Kang 2004: innovations to the
  conditional mean and to volatility are strongly negatively correlated);
* an optional "parent": idiosyncratic volatility co-moves with the market's (Herskovic et al. 2016)
  and a shock-loading slot (e.g. BTC on the equity factor, default 0).

Seams for later issues: `NewsProcess.uncertainty` (F,) multiplies each factor's σ (a macro or policy
channel raises the news variance of a factor; 1 = as calibrated), and `NewsParams.lam` loads a
factor's shock on its parent's (a common-factor slot, e.g. BTC on the equity factor; default 0).

Exactly one N(0,1) draw per factor per day (`n_draws == F`), whatever the state: common random
numbers for on/off comparisons. Everything is vectorised over an optional leading ensemble axis
(E independent runs) and over factors; the state is one array x of shape (E, F, K).

    rel_t   = clip(exp(Σ_k x_k,t − c), floor, cap) · rel_parent,t^ψ          relative volatility
    σ_t     = σ̄ · rel_t
    z*_t    = λ z_parent,t + sqrt(1 − λ²) z_t                                   (λ = 0 by default)
              or, with a downside asymmetry a ≠ 0 (correlations rise in sell-offs; Longin & Solnik
              2001, Ang & Chen 2002): λ(z_p) = λ + a if z_p < 0 else λ − a, and
              z*_t = λ(z_p) z_p + a√(2/π) + sqrt(1 − λ² − a²(1 − 2/π)) z_t    (mean 0, variance 1,
              correlation λ with the parent's shock)
    ε_t     = (z* e^{h z*²/2} / s_h − b (|z*| − √(2/π))) / n_b                  unit variance
    r_t     = κ_μ σ̄ (E[rel] − rel_t) + σ_t ε_t − δ ℓ_t,  ℓ_t+1 = ℓ_t + r_t          news log return
                                         (δ = 0 by default: a random walk; δ > 0: the factor's level ℓ is
                                         stationary, e.g. the 10-year's term-premium news)
    x_k,t+1 = φ_k x_k,t + a_k (|z*_t| − √(2/π)) + θ_k z*_t,   φ_k = e^{−1/τ_k}

a_k, θ_k follow from the stationary s.d. s_k of component k and its leverage share ρ_k:
per-day shock s.d. s_k √(1 − φ_k²), of which a share ρ_k is signed (θ_k) and the rest magnitude
(a_k). c is set (exactly, by the product formula for Gaussian z) so that E[exp(2(X − c))] = 1, i.e.
E[σ_t²] = σ̄² before the clip.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.special import log_ndtr

from ..agents import jit
from ..agents.base import clip


SQ2PI = math.sqrt(2.0 / math.pi)         # E|z|
VAR_ABS = 1.0 - 2.0 / math.pi            # Var|z|


def _log_mgf_abs_lin(alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """log E[exp(α(|z| − √(2/π)) + β z)] for z ~ N(0,1), elementwise (exact)."""
    p, m = alpha + beta, alpha - beta
    return np.logaddexp(0.5 * p * p + log_ndtr(p), 0.5 * m * m + log_ndtr(m)) - alpha * SQ2PI


@lru_cache(maxsize=8)
def _normalisation(phi_b: bytes, a_b: bytes, theta_b: bytes, shape: tuple[int, int], tau_max: float):
    """c, E[rel], the (F, L) log-mgf table and the (F, L, K) powers of φ for components (φ, a, θ)
    (as bytes, shape (F, K)). ~10 ms of log_ndtr on (F, ~3,000) arrays, the same for every run of
    a sweep: cached per process (issue #16); the shared tables are read-only."""
    phi, a, theta = (np.frombuffer(b, dtype=float).reshape(shape) for b in (phi_b, a_b, theta_b))
    # exact normalisation: X = Σ_j G_j(z_{t-j}), G_j = Σ_k φ_k^j (a_k(|z|−C) + θ_k z)
    L = int(12 * tau_max) + 10
    pw = phi[:, None, :] ** np.arange(L)[None, :, None]                   # (F, L, K)
    A = (pw * a[:, None, :]).sum(-1)                                        # (F, L)
    B = (pw * theta[:, None, :]).sum(-1)
    log_mgf2 = _log_mgf_abs_lin(2 * A, 2 * B)                               # (F, L), also for forecasts
    c = 0.5 * log_mgf2.sum(-1)                                              # E[e^{2X}] = e^{2c}
    mean_rel = np.exp(_log_mgf_abs_lin(A, B).sum(-1) - c)                   # E[e^{X-c}] (unclipped)
    for arr in (c, mean_rel, log_mgf2, pw):
        arr.flags.writeable = False
    return c, mean_rel, log_mgf2, pw


@dataclass
class NewsParams:
    """Parameters of F news factors with K log-volatility components each (arrays, SI-free units:
    days and daily log returns). Build with `NewsParams.make` for broadcasting and defaults."""

    names: tuple[str, ...]
    sigma: np.ndarray          # (F,) nominal daily volatility σ̄
    tau: np.ndarray            # (F, K) component time scales, trading days
    s: np.ndarray              # (F, K) stationary s.d. of each log-vol component (0 = off)
    rho: np.ndarray            # (F, K) leverage share in [−1, 1]; < 0: vol rises after falls
    b: np.ndarray              # (F,) volatility-feedback asymmetry (0 = symmetric news)
    h: np.ndarray              # (F,) Tukey-h tail weight of the daily news (0 = Gaussian)
    kmu: np.ndarray            # (F,) conditional mean falls by kmu·σ̄ per unit of rel above E[rel]
    cap: np.ndarray            # (F,) max relative volatility
    floor: np.ndarray          # (F,) min relative volatility
    parent: np.ndarray         # (F,) index of the parent factor, −1 = none (parents first)
    psi: np.ndarray            # (F,) exponent on the parent's relative volatility
    lam: np.ndarray            # (F,) loading of the shock on the parent's shock (risk-appetite slot)
    lam_asym: np.ndarray       # (F,) downside asymmetry of that loading: λ + a on the parent's down days, λ − a on up days
    revert: np.ndarray         # (F,) daily rate at which the factor's cumulative news reverts to 0 (0 = a random walk)

    # derived (filled by __post_init__)
    phi: np.ndarray = field(init=False)
    a: np.ndarray = field(init=False)
    theta: np.ndarray = field(init=False)
    c: np.ndarray = field(init=False)
    mean_rel: np.ndarray = field(init=False)
    s_h: np.ndarray = field(init=False)
    n_b: np.ndarray = field(init=False)

    @classmethod
    def make(cls, names, sigma, tau, s, rho, b=0.0, h=0.0, kmu=0.0, cap=np.inf, floor=0.0,
             parent=-1, psi=0.0, lam=0.0, revert=0.0, lam_asym=0.0) -> "NewsParams":
        F = len(names)
        tau = np.atleast_2d(np.asarray(tau, float))
        K = tau.shape[-1]
        f1 = lambda v: np.broadcast_to(np.asarray(v, float), (F,)).copy()        # noqa: E731
        fk = lambda v: np.broadcast_to(np.asarray(v, float), (F, K)).copy()      # noqa: E731
        return cls(tuple(names), f1(sigma), fk(tau), fk(s), fk(rho), f1(b), f1(h), f1(kmu), f1(cap),
                   f1(floor), np.broadcast_to(np.asarray(parent, int), (F,)).copy(), f1(psi), f1(lam),
                   f1(lam_asym), f1(revert))

    def __post_init__(self):
        if np.any(self.h >= 0.25):
            raise ValueError("Tukey h must be < 0.25 (finite kurtosis)")
        if np.any(np.abs(self.rho) > 1) or np.any(np.abs(self.lam) >= 1):
            raise ValueError("|rho| ≤ 1 and |lam| < 1 required")
        if np.any(np.abs(self.lam) + np.abs(self.lam_asym) >= 1):
            raise ValueError("|lam| + |lam_asym| < 1 required (both loadings inside (−1, 1))")
        if np.any(self.revert < 0) or np.any(self.revert >= 1):
            raise ValueError("a reversion rate must be in [0, 1) a day")
        for f, p in enumerate(self.parent):
            if p >= f:
                raise ValueError("a parent factor must come before its children")
        self.phi = np.exp(-1.0 / self.tau)
        sh = self.s * np.sqrt(1.0 - self.phi ** 2)
        self.theta = self.rho * sh
        self.a = np.sqrt(1.0 - self.rho ** 2) * sh / math.sqrt(VAR_ABS)
        c, mean_rel, self._L_logmgf, self._pw = _normalisation(
            self.phi.tobytes(), self.a.tobytes(), self.theta.tobytes(), self.tau.shape, float(self.tau.max()))
        self.c, self.mean_rel = c.copy(), mean_rel.copy()
        self.s_h = (1.0 - 2.0 * self.h) ** -0.75                            # sqrt(E[z² e^{h z²}])
        self.n_b = np.sqrt(1.0 + self.b ** 2 * VAR_ABS)

    @property
    def F(self) -> int:
        return len(self.names)

    @property
    def K(self) -> int:
        return self.tau.shape[1]


class NewsProcess:
    """State and daily step of the news factors, vectorised over an ensemble axis of size E."""

    def __init__(self, p: NewsParams, ensemble: int = 1, horizons: tuple[int, ...] = (21, 63)):
        self.p = p
        self.E = ensemble
        self.x = np.zeros((ensemble, p.F, p.K))      # log-vol components (start at their mean)
        self.rel = np.ones((ensemble, p.F))          # today's relative volatility (set by `rel_today`)
        self._rel_of = b""                           # the bytes of the x `rel` was computed from
        self.uncertainty = np.ones(p.F)              # σ multiplier per factor (policy / macro channels)
        self.horizons = tuple(horizons)
        self._prep_forecast(max(horizons))
        self._h_last = np.array(self.horizons) - 1                  # each horizon's last day (forecast_weighted)
        self._h_div = np.array(self.horizons, dtype=float)[:, None]
        self._has_parent = bool(np.any(p.parent >= 0))
        self._par = np.where(p.parent >= 0, p.parent, 0)
        # per-run constants of the daily step, hoisted out of it (the arrays are ~14 long, so each
        # numpy call is mostly overhead). A factor without a parent gets exponent 0: rel**0 == 1.0
        # exactly, the same factor as the `np.where(..., 1.0)` it replaces
        self._psi_eff = np.where(p.parent >= 0, p.psi, 0.0)
        self._psi2_eff = np.where(p.parent >= 0, 2 * p.psi, 0.0)
        self._has_lam = bool(np.any(p.lam != 0.0))
        self._lam_c = np.sqrt(1.0 - p.lam ** 2)
        # an asymmetric loading (λ + a on the parent's down days, λ − a on its up days): the loaded
        # part u = λ(z_p)·z_p has mean −a·√(2/π) and variance λ² + a² − (a√(2/π))²; it is centred and
        # the factor's own shock fills the variance to 1, so the shock stays mean 0, variance 1
        self._has_asym = bool(np.any(p.lam_asym != 0.0))
        self._lam_up, self._lam_dn = p.lam - p.lam_asym, p.lam + p.lam_asym
        self._asym_mean = -p.lam_asym * SQ2PI
        self._asym_c = np.sqrt(1.0 - (p.lam ** 2 + p.lam_asym ** 2 - self._asym_mean ** 2))
        self._half_h = 0.5 * p.h
        self._kmu_sigma = p.kmu * p.sigma
        self._floor2 = p.floor[:, None] ** 2
        self._cap2 = p.cap[:, None] ** 2
        self.exo_variance_impact = 0.0               # g of `exogenous_draw` (0: exogenous news leaves it alone)
        # a factor with a reversion rate is a stationary level, not a random walk (the 10-year's term-premium
        # news): its cumulative news `level` is pulled back by `revert` a day
        self._has_revert = bool(np.any(p.revert > 0.0))
        self.level = np.zeros((ensemble, p.F))       # cumulative news of each factor (kept where it reverts)
        D = (p.a - p.theta).sum(-1)                  # log-vol rise per unit of a negative draw, (F,)
        self._exo_D = np.where(D > 0, D, np.inf)     # a factor without volatility dynamics: no response
        # the fused kernels of `step` (`_fast.py`; agents/jit.py says when): the constants packed once
        self._k = jit.if_on(_fast_kernels)
        if self._k is not None:
            k = self._k
            c = np.zeros((k.N_CONST, p.F))
            if self._has_asym:
                self._mode = 2
                c[k.LAM_DN], c[k.LAM_UP], c[k.ASYM_MEAN], c[k.LAM_C] = (self._lam_dn, self._lam_up,
                                                                        self._asym_mean, self._asym_c)
            elif self._has_lam:
                self._mode = 1
                c[k.LAM_DN], c[k.LAM_C] = p.lam, self._lam_c
            else:
                self._mode = 0
            c[k.HALF_H], c[k.S_H], c[k.B], c[k.N_B] = self._half_h, p.s_h, p.b, p.n_b
            c[k.KMU_SIGMA], c[k.MEAN_REL], c[k.SIGMA], c[k.REVERT] = self._kmu_sigma, p.mean_rel, p.sigma, p.revert
            self._kc = c
            self._kpat = np.ascontiguousarray(np.stack([p.phi, p.a, p.theta]))
            self._kpar = np.ascontiguousarray(self._par, dtype=np.intp)
        # the forecast's kernel sums the days in order up to each horizon: horizons ascending
        self._k_fc = self._k is not None and bool(np.all(np.diff(self._h_last) > 0))

    def start_at(self, f: int, rel0: float) -> None:
        """Start factor `f` at relative volatility `rel0` (e.g. a calm start): every component is
        displaced in proportion to its variance, so the slow ones carry most of it."""
        p = self.p
        w = p.s[f] ** 2
        if w.sum() <= 0 or rel0 <= 0:
            return
        self.x[:, f, :] = (math.log(rel0) + p.c[f]) * w / w.sum()

    @property
    def n_draws(self) -> int:
        """Fixed number of N(0,1) draws per day and ensemble member."""
        return self.p.F

    # ----- the day ---------------------------------------------------------------------------
    def rel_today(self) -> np.ndarray:
        """Relative volatility σ_t/σ̄ per factor for today (known at the open), shape (E, F)."""
        p = self.p
        rel = clip(np.exp(self.x.sum(-1) - p.c), p.floor, p.cap)
        if self._has_parent:
            # parents come first, so one pass over the (few) generations is enough for depth ≤ 2
            rel = rel * rel[:, self._par] ** self._psi_eff
        self.rel = rel
        self._rel_of = self.x.tobytes()              # the state `rel` was computed from (see `step`)
        return rel

    def sigma_today(self) -> np.ndarray:
        return self.p.sigma * self.rel * self.uncertainty

    def step(self, z: np.ndarray, z_exo: np.ndarray | None = None) -> np.ndarray:
        """Advance one day with standard normals z of shape (E, F); return the news log returns
        (E, F). Call `rel_today()` first if depth/forecasts need today's volatility (step calls it).

        z_exo (E, F), optional: the day's exogenous news (a scenario shock's news return — priced
        by the market, not returned here) in units of today's σ per factor (`exogenous_shocks`). It
        moves the log-volatility state through GJR's quadratic news impact (`exogenous_draw`), added
        to the day's own draw: leverage and clustering do not ask where the news came from (Nelson
        1991), but EGARCH's exponential response, calibrated on N(0, 1) draws, is far too steep for
        a −4…−8σ scenario day (Engle & Ng 1993)."""
        p = self.p
        # the market asks for today's rel at the open (`rel_today`) and steps later the same day: if
        # the state is bit for bit the one it was computed from, it is today's rel (~8 µs a day)
        rel = self.rel if self.x.tobytes() == self._rel_of else self.rel_today()
        if self._k is not None and z_exo is None:
            return self._step_kernels(z, rel)
        if self._has_asym:
            zp = z[:, self._par]
            z = (np.where(zp < 0.0, self._lam_dn, self._lam_up) * zp - self._asym_mean) + self._asym_c * z
        elif self._has_lam:
            z = p.lam * z[:, self._par] + self._lam_c * z
        az = np.abs(z)
        eps = (z * np.exp(self._half_h * z * z) / p.s_h - p.b * (az - SQ2PI)) / p.n_b
        r = (self._kmu_sigma * (p.mean_rel - rel) + p.sigma * rel * eps) * self.uncertainty
        if self._has_revert:
            r = r - p.revert * self.level
            self.level = self.level + r
        if z_exo is not None:
            z = z + self.exogenous_draw(z_exo)
            az = np.abs(z)
        self.x = p.phi * self.x + p.a * (az - SQ2PI)[..., None] + p.theta * z[..., None]
        return r

    def _step_kernels(self, z: np.ndarray, rel: np.ndarray) -> np.ndarray:
        """`step` without exogenous news on the fused kernels: the same operations in the same order,
        numpy's exp between them."""
        k = self._k
        z = np.ascontiguousarray(z, dtype=float)
        zo = np.empty_like(z)
        arg = np.empty_like(z)
        k.news_shock(z, self._kpar, self._mode, self._kc, zo, arg)
        r = np.empty_like(z)
        level = np.empty_like(self.level) if self._has_revert else self.level
        x = np.empty_like(self.x)
        k.news_advance(zo, np.exp(arg), rel, self.uncertainty, self._kc, self._has_revert, self.level,
                       self._kpat, self.x, r, level, x)
        self.level, self.x = level, x
        return r

    def exogenous_draw(self, z_exo: np.ndarray) -> np.ndarray:
        """The draw that moves the log-volatility state as GJR's news impact says exogenous news of
        z_exo σ should: spot variance × (1 + g z_exo²), i.e. σ² + g r² (Glosten, Jagannathan & Runkle
        1993; Engle & Ng 1993 find this quadratic shape, not EGARCH's exponential one, fits large
        news). A draw of size m raises log-vol by D·m on a down day, D = Σ_k (a_k − θ_k), so
        m = ln(1 + g z²) / (2D), signed as the news; the components share it as they share a draw."""
        m = np.log1p(self.exo_variance_impact * z_exo * z_exo) / (2.0 * self._exo_D)
        return np.sign(z_exo) * m

    def exogenous_shocks(self, news: np.ndarray, L: np.ndarray) -> np.ndarray:
        """Today's exogenous news per asset (log returns, (E, N)) as standardised factor shocks
        (E, F): the factor moves that most likely produced it given today's factor variances Σ
        (the conditional mean r = Σ Lᵀ (L Σ Lᵀ)⁺ news for Gaussian factors), each divided by its
        factor's σ today. A drop shared by every equity is mostly the market factor's; one firm's
        repricing mostly its own factor's."""
        sd = self.sigma_today()                                     # (E, F)
        out = np.zeros_like(sd)
        for e in range(news.shape[0]):
            S = sd[e] ** 2
            A = (L * S) @ L.T
            r = S * (L.T @ (np.linalg.pinv(A, hermitian=True) @ news[e]))
            out[e] = np.divide(r, sd[e], out=np.zeros_like(r), where=sd[e] > 0)
        return out

    # ----- variance forecasts -------------------------------------------------------------------
    def _prep_forecast(self, H: int) -> None:
        p = self.p
        j = np.arange(1, H + 1)
        # E_t[exp(2 X_{t+j})] = exp(2 Σ_k φ_k^{j-1} x_k,t+1) · Π_{i=0}^{j-2} m_i
        self._phi_pow = p.phi[:, None, :] ** (j - 1)[None, :, None]             # (F, H, K)
        cum = np.concatenate([np.zeros((p.F, 1)), np.cumsum(p._L_logmgf[:, :H - 1], axis=1)], axis=1)
        self._logP = cum - 2.0 * p.c[:, None]                                    # (F, H)

    def forecast_mean_variance(self) -> dict[int, np.ndarray]:
        """Expected average daily variance over the next H days, per factor, for each horizon H in
        `self.horizons`, given the state after today's step: {H: array (E, F)}. Exact for the
        unclipped factor; the clip is applied to each day's expectation; the parent's relative
        volatility is held at today's level. Cost: one (E,F,K)×(F,H,K) contraction + H exps."""
        cm, s2 = self._cumulative_variance()
        return {H: s2 * cm[..., H - 1] / H for H in self.horizons}

    def forecast_weighted(self, w: np.ndarray) -> dict[int, float]:
        """Σ_f w_f · `forecast_mean_variance()[H][0, f]` for each horizon H (ensemble member 0): the
        same products and the same sum over factors, for all horizons in one pass (the index's
        forecast, read daily)."""
        if self._k_fc:
            v = self._forecast_rows_kernel()
        else:
            cm, s2 = self._cumulative_variance()
            v = s2[0] * cm[0].T[self._h_last] / self._h_div                       # (horizons, F)
        return dict(zip(self.horizons, (w * v).sum(axis=1).tolist()))         # each row summed as a 1-D sum

    def _forecast_rows_kernel(self) -> np.ndarray:
        """`forecast_weighted`'s (horizons, F) rows on the fused kernel: numpy's einsum, exp and power
        as in `_cumulative_variance`, the clip, the parent's factor, the cumulative sum and the scaling
        of member 0 in one pass."""
        lv = np.einsum("efk,fhk->efh", self.x, self._phi_pow)
        np.multiply(2.0, lv, out=lv)
        np.add(lv, self._logP, out=lv)
        np.exp(lv, out=lv)
        parf = self.rel[:, self._par] ** self._psi2_eff if self._has_parent else self.rel
        v = np.empty((len(self.horizons), self.p.F))
        self._k.forecast_rows(lv, self._floor2, self._cap2, parf, self._has_parent, self.p.sigma,
                              self.uncertainty, self._h_last, self._h_div, v)
        return v

    def _cumulative_variance(self) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative sums over j = 1…H_max of each day's expected variance in units of σ̄² (E, F,
        H_max), and (σ̄ · uncertainty)² (1, F)."""
        p = self.p
        lv = 2.0 * np.einsum("efk,fhk->efh", self.x, self._phi_pow) + self._logP    # (E, F, H)
        ev = clip(np.exp(lv), self._floor2, self._cap2)
        if self._has_parent:
            ev = ev * (self.rel[:, self._par] ** self._psi2_eff)[..., None]
        return np.add.accumulate(ev, axis=-1), ((p.sigma * self.uncertainty) ** 2)[None, :]     # = np.cumsum


def _fast_kernels():
    """The compiled kernels module (imports numba on first use)."""
    from . import _fast  # lazy: only a process that runs the kernels pays numba's import
    return _fast


def loading_matrix(n_assets: int, rows: list[tuple[int, int, float]], F: int) -> np.ndarray:
    """Asset × factor loading matrix from (asset, factor, loading) triples."""
    L = np.zeros((n_assets, F))
    for i, f, v in rows:
        L[i, f] += v
    return L
