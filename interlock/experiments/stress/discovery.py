"""Statistics of a stress test: how likely a claim is, what switches it off, and where in
parameter space it holds.

- `wilson`: the Wilson score interval for a probability estimated from k successes in n runs
  (Wilson 1927; recommended over the normal approximation by Brown, Cai & DasGupta 2001,
  "Interval Estimation for a Binomial Proportion", Statistical Science 16(2)).
- `paired_change`: the change in probability when an agent class is switched off. On/off runs
  share seeds and parameters (common random numbers), so the test is McNemar's exact test on
  the discordant pairs.
- `prim`: the Patient Rule Induction Method (Friedman & Fisher 1999, "Bump hunting in
  high-dimensional data", Statistics and Computing 9) as used for scenario discovery (Bryant &
  Lempert 2010, "Thinking inside the box", Technological Forecasting & Social Change 77): peel
  the parameter box a small share at a time, keep the peeling trajectory, pick a box by
  coverage and density, paste it back out where that helps, and report the restricted ranges
  with quasi-p-values (as in the EMA Workbench, Kwakkel 2017). No PRIM package is installed
  in this environment and none is a dependency, hence this small tested implementation.
- `feature_ranking`: regional sensitivity analysis (Monte Carlo filtering, Spear & Hornberger
  1980; Saltelli et al. 2008 ch. 5): for each parameter, the Kolmogorov–Smirnov distance between
  its values in runs where the claim holds and in runs where it does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95           # the report's intervals are 95% intervals (issue #6)
PEEL_ALPHA = 0.05           # share of the box peeled per step (Friedman & Fisher: 0.05–0.10)
PASTE_ALPHA = 0.05          # share of the box added back per pasting step
MASS_MIN = 0.05             # peel no further than 5% of the runs (Friedman & Fisher's β0)
MIN_COVERAGE = 0.5          # a reported box must keep at least half the runs where the claim holds
SIGNIFICANCE = 0.05         # restrictions with a quasi-p-value above this are dropped from a box


# ----- probabilities -------------------------------------------------------------------------
@dataclass(frozen=True)
class Estimate:
    """A probability estimated from `k` successes in `n` trials, with its Wilson interval."""

    k: int
    n: int
    p: float
    lo: float
    hi: float

    def __str__(self) -> str:
        if self.n == 0:
            return "n/a (no defined runs)"
        return f"{self.p:.0%} [{self.lo:.0%}, {self.hi:.0%}]"


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> Estimate:
    """Wilson score interval for k successes in n trials:
    centre (p̂ + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n)·√(p̂(1−p̂)/n + z²/4n²)."""
    k, n = int(k), int(n)
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 ≤ k ≤ n, got k={k}, n={n}")
    if n == 0:
        return Estimate(0, 0, math.nan, 0.0, 1.0)
    z = stats.norm.ppf(0.5 + confidence / 2.0)
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # at k = 0 or k = n the bound is exactly 0 or 1 (round-off would exclude the estimate itself)
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return Estimate(k, n, p, lo, hi)


def estimate(outcomes) -> Estimate:
    """Probability that a claim holds from per-run outcomes (True/False/None = undefined,
    left out)."""
    vals = [o for o in outcomes if o is not None and not (isinstance(o, float) and math.isnan(o))]
    return wilson(sum(bool(v) for v in vals), len(vals))


@dataclass(frozen=True)
class PairedChange:
    """Probability with a class on vs off over the same (seed, parameters) pairs."""

    on: Estimate
    off: Estimate
    lost: int        # pairs where the claim holds with the class on but not off
    gained: int      # pairs where it holds only with the class off
    p_value: float   # McNemar's exact test (two-sided) on the discordant pairs

    @property
    def delta(self) -> float:
        return self.off.p - self.on.p


def paired_change(on, off) -> PairedChange:
    """Compare paired outcomes (same seeds and parameters; None = undefined, pair dropped)."""
    pairs = [(bool(a), bool(b)) for a, b in zip(on, off) if a is not None and b is not None]
    a = np.array([p[0] for p in pairs], dtype=bool)
    b = np.array([p[1] for p in pairs], dtype=bool)
    lost = int((a & ~b).sum())
    gained = int((~a & b).sum())
    pv = 1.0 if lost + gained == 0 else float(stats.binomtest(min(lost, gained), lost + gained, 0.5).pvalue)
    return PairedChange(wilson(int(a.sum()), a.size), wilson(int(b.sum()), b.size), lost, gained, pv)


# ----- PRIM ----------------------------------------------------------------------------------
@dataclass
class Box:
    """A box in parameter space: lower/upper limits per parameter (inclusive)."""

    lower: dict[str, float]
    upper: dict[str, float]
    coverage: float = math.nan    # share of all runs where the claim holds that fall in the box
    density: float = math.nan     # share of runs in the box where the claim holds
    mass: float = math.nan        # share of all runs in the box
    n: int = 0
    hits: int = 0
    restricted: list[str] = field(default_factory=list)
    quasi_p: dict[str, float] = field(default_factory=dict)

    def contains(self, X: pd.DataFrame) -> np.ndarray:
        m = np.ones(len(X), dtype=bool)
        for c in X.columns:
            x = X[c].to_numpy(dtype=float)
            m &= (x >= self.lower[c]) & (x <= self.upper[c])
        return m

    def limits(self) -> dict[str, tuple[float, float]]:
        return {c: (self.lower[c], self.upper[c]) for c in self.restricted}


@dataclass
class PrimResult:
    boxes: list[Box]
    trajectory: pd.DataFrame        # first box's peeling: coverage, density, mass, n_restricted
    base_rate: float
    n: int


def _stats(box: Box, X: pd.DataFrame, y: np.ndarray, total_hits: int, lo: dict, hi: dict) -> Box:
    inside = box.contains(X)
    n_in = int(inside.sum())
    hits = int(y[inside].sum())
    box.n, box.hits = n_in, hits
    box.mass = n_in / len(X)
    box.density = hits / n_in if n_in else math.nan
    box.coverage = hits / total_hits if total_hits else math.nan
    box.restricted = [c for c in X.columns if box.lower[c] > lo[c] or box.upper[c] < hi[c]]
    return box


def _peel_candidates(X: np.ndarray, inbox: np.ndarray, alpha: float):
    """For each dimension and side: the mask of points kept and the new limit."""
    for j in range(X.shape[1]):
        xj = X[inbox, j]
        if xj.size == 0:
            continue
        vmin, vmax = xj.min(), xj.max()
        if vmin == vmax:
            continue
        q = np.quantile(xj, alpha)
        if q <= vmin:       # ties at the minimum: peel the tied block
            q = np.min(xj[xj > vmin])
        yield j, "lower", inbox & (X[:, j] >= q), q
        q = np.quantile(xj, 1 - alpha)
        if q >= vmax:
            q = np.max(xj[xj < vmax])
        yield j, "upper", inbox & (X[:, j] <= q), q


def _peel(X: pd.DataFrame, y: np.ndarray, alpha: float, mass_min: float, total_hits: int,
          lo: dict, hi: dict) -> list[Box]:
    A = X.to_numpy(dtype=float)
    cols = list(X.columns)
    box = Box(dict(lo), dict(hi))
    traj = [_stats(Box(dict(lo), dict(hi)), X, y, total_hits, lo, hi)]
    inbox = np.ones(len(X), dtype=bool)
    n = len(X)
    while inbox.sum() / n > mass_min:
        best = None
        for j, side, keep, q in _peel_candidates(A, inbox, alpha):
            m = keep.sum()
            if m == 0 or m == inbox.sum():
                continue
            mean = y[keep].mean()
            # highest mean after the peel; ties broken by keeping more runs
            if best is None or (mean, m) > (best[0], best[1]):
                best = (mean, m, j, side, keep, q)
        if best is None or best[1] / n < mass_min:
            break
        _, _, j, side, keep, q = best
        inbox = keep
        if side == "lower":
            box.lower[cols[j]] = float(q)
        else:
            box.upper[cols[j]] = float(q)
        traj.append(_stats(Box(dict(box.lower), dict(box.upper)), X, y, total_hits, lo, hi))
    return traj


def _paste(box: Box, X: pd.DataFrame, y: np.ndarray, alpha: float, total_hits: int,
           lo: dict, hi: dict) -> Box:
    """Friedman & Fisher's pasting: widen one side at a time while the density rises."""
    A = X.to_numpy(dtype=float)
    cols = list(X.columns)
    while True:
        inside = box.contains(X)
        cur = y[inside].mean() if inside.any() else 0.0
        k = max(1, int(math.ceil(alpha * inside.sum())))
        best = None
        for j, c in enumerate(cols):
            others = np.ones(len(X), dtype=bool)
            for i, c2 in enumerate(cols):
                if i != j:
                    others &= (A[:, i] >= box.lower[c2]) & (A[:, i] <= box.upper[c2])
            for side in ("lower", "upper"):
                if side == "lower":
                    cand = others & (A[:, j] < box.lower[c])
                    if not cand.any():
                        continue
                    vals = np.sort(A[cand, j])[::-1]
                    new = vals[min(k, vals.size) - 1]
                    add = cand & (A[:, j] >= new)
                else:
                    cand = others & (A[:, j] > box.upper[c])
                    if not cand.any():
                        continue
                    vals = np.sort(A[cand, j])
                    new = vals[min(k, vals.size) - 1]
                    add = cand & (A[:, j] <= new)
                merged = inside | add
                mean = y[merged].mean()
                if mean > cur + 1e-12 and (best is None or mean > best[0]):
                    best = (mean, c, side, float(new))
        if best is None:
            break
        _, c, side, new = best
        if side == "lower":
            box.lower[c] = lo[c] if new <= lo[c] else new
        else:
            box.upper[c] = hi[c] if new >= hi[c] else new
    return _stats(box, X, y, total_hits, lo, hi)


def _quasi_p(box: Box, X: pd.DataFrame, y: np.ndarray, lo: dict, hi: dict) -> dict[str, float]:
    """Per restricted parameter: one-sided binomial test of the box's hits against the density
    of the box with that restriction removed (EMA Workbench's quasi-p-values)."""
    out = {}
    for c in box.restricted:
        relaxed = Box(dict(box.lower), dict(box.upper))
        relaxed.lower[c], relaxed.upper[c] = lo[c], hi[c]
        m = relaxed.contains(X)
        p0 = y[m].mean() if m.any() else 0.0
        if box.n == 0 or p0 >= 1.0:
            out[c] = 1.0
        else:
            out[c] = float(stats.binomtest(box.hits, box.n, p0, alternative="greater").pvalue)
    return out


def _prune(box: Box, X: pd.DataFrame, y: np.ndarray, total_hits: int, lo: dict, hi: dict,
           significance: float) -> Box:
    """Drop restrictions that are not significant (largest quasi-p-value first): a box should
    name only the parameters that matter."""
    while True:
        box.quasi_p = _quasi_p(box, X, y, lo, hi)
        if not box.quasi_p:
            return box
        worst = max(box.quasi_p, key=box.quasi_p.get)
        if box.quasi_p[worst] <= significance:
            return box
        box.lower[worst], box.upper[worst] = lo[worst], hi[worst]
        _stats(box, X, y, total_hits, lo, hi)


def _select(traj: list[Box], min_coverage: float) -> Box:
    """The one-standard-error rule (as in Breiman et al.'s CART pruning): among boxes with
    coverage ≥ `min_coverage`, the largest whose density is within one standard error of the
    densest one — late peels raise density by chance as the box shrinks."""
    ok = [b for b in traj if b.coverage >= min_coverage] or traj[:1]
    best = max(ok, key=lambda b: (b.density, b.coverage))
    se = math.sqrt(best.density * (1 - best.density) / best.n) if best.n else 0.0
    near = [b for b in ok if b.density >= best.density - se]
    return max(near, key=lambda b: (b.coverage, b.density))


def prim(X: pd.DataFrame, y, *, alpha: float = PEEL_ALPHA, paste_alpha: float = PASTE_ALPHA,
         mass_min: float = MASS_MIN, min_coverage: float = MIN_COVERAGE, max_boxes: int = 2,
         significance: float = SIGNIFICANCE) -> PrimResult:
    """Scenario discovery: boxes of parameter space where `y` (claim holds) is concentrated.

    X: one row per run, one numeric column per uncertain parameter. y: bool per run.
    Each box: peel (keeping the trajectory), select the densest box with coverage ≥
    `min_coverage`, paste, drop non-significant restrictions. Further boxes are searched among
    the runs outside earlier boxes (the covering approach). A box is kept only if it has a
    significant restriction and holds the claim significantly more often than the runs overall.
    """
    y = np.asarray(y, dtype=float)
    if len(X) != y.size:
        raise ValueError("X and y differ in length")
    X = X.reset_index(drop=True).astype(float)
    lo = {c: float(X[c].min()) for c in X.columns}
    hi = {c: float(X[c].max()) for c in X.columns}
    total_hits = int(y.sum())
    base = float(y.mean()) if y.size else math.nan
    boxes: list[Box] = []
    trajectory = pd.DataFrame()
    remaining = np.ones(len(X), dtype=bool)
    if total_hits == 0 or total_hits == y.size:
        return PrimResult([], trajectory, base, len(X))
    for i in range(max_boxes):
        Xr, yr = X[remaining].reset_index(drop=True), y[remaining]
        if yr.sum() == 0 or len(Xr) < 20:
            break
        rem_hits = int(yr.sum())
        traj = _peel(Xr, yr, alpha, mass_min * len(X) / len(Xr), rem_hits, lo, hi)
        if i == 0:
            trajectory = pd.DataFrame({"coverage": [b.coverage for b in traj],
                                       "density": [b.density for b in traj],
                                       "mass": [b.mass for b in traj],
                                       "n_restricted": [len(b.restricted) for b in traj]})
        box = _select(traj, min_coverage)
        box = _paste(box, Xr, yr, paste_alpha, rem_hits, lo, hi)
        box = _prune(box, Xr, yr, rem_hits, lo, hi, significance)
        if not box.restricted or box.density <= base:
            break
        # a box must hold the claim significantly more often than the runs overall (one-sided
        # binomial test): later boxes of the covering search otherwise pick up a lucky point or two
        if stats.binomtest(box.hits, box.n, base, alternative="greater").pvalue > significance:
            break
        # report every box's statistics against all runs
        inside_all = box.contains(X) & remaining
        box.n = int(inside_all.sum())
        box.hits = int(y[inside_all].sum())
        box.mass = box.n / len(X)
        box.density = box.hits / box.n if box.n else math.nan
        box.coverage = box.hits / total_hits
        boxes.append(box)
        remaining &= ~box.contains(X)
    return PrimResult(boxes, trajectory, base, len(X))


# ----- feature ranking -----------------------------------------------------------------------
def feature_ranking(X: pd.DataFrame, y) -> pd.DataFrame:
    """Parameters ranked by how differently they are distributed in runs where the claim holds
    vs where it fails (two-sample Kolmogorov–Smirnov distance, 0 = no influence, 1 = perfect
    separation), with the p-value and the direction (median when it holds vs fails)."""
    y = np.asarray(y, dtype=bool)
    rows = []
    for c in X.columns:
        x = X[c].to_numpy(dtype=float)
        a, b = x[y], x[~y]
        if a.size == 0 or b.size == 0:
            rows.append((c, 0.0, 1.0, math.nan, math.nan))
            continue
        res = stats.ks_2samp(a, b)
        rows.append((c, float(res.statistic), float(res.pvalue), float(np.median(a)), float(np.median(b))))
    df = pd.DataFrame(rows, columns=["parameter", "ks", "p_value", "median_holds", "median_fails"])
    df["direction"] = np.where(df["median_holds"] > df["median_fails"], "higher",
                               np.where(df["median_holds"] < df["median_fails"], "lower", "—"))
    return df.sort_values(["ks", "parameter"], ascending=[False, True]).reset_index(drop=True)
