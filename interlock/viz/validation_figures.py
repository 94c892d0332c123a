"""Figures of the validation report (`interlock validate`): model beside the S&P 500 and history.

Every function draws on its own `Figure` (no pyplot state) and returns the path it wrote.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from scipy import stats

from .common import new_figure, save

MODEL_COLOR = "#1f77b4"
DATA_COLOR = "#000000"
BTC_COLOR = "#ff7f0e"


def acf_figure(model_acf_r: Sequence[np.ndarray], model_acf_abs: Sequence[np.ndarray],
               data_acf_r: np.ndarray, data_acf_abs: np.ndarray, model_lev: Sequence[np.ndarray],
               data_lev: np.ndarray, path: str | Path, data_label: str, btc_acf_abs: Sequence[np.ndarray] = ()) -> Path:
    """ACF of r and of |r| at lags 1..100, and the leverage curve corr(r_t, |r_t+k|), model seeds
    (thin) beside the data (black)."""
    fig = new_figure(14, 4.2)
    axs = fig.subplots(1, 3)
    lags = np.arange(1, len(data_acf_r) + 1)
    band = 1.96 / np.sqrt(5000)
    for ax, model, data, title in ((axs[0], model_acf_r, data_acf_r, "autocorrelation of r"),
                                   (axs[1], model_acf_abs, data_acf_abs, "autocorrelation of |r|")):
        for i, a in enumerate(model):
            ax.plot(lags, a, color=MODEL_COLOR, lw=0.8, alpha=0.7, label="model SPX (seeds)" if i == 0 else None)
        ax.plot(lags, data, color=DATA_COLOR, lw=1.6, label=data_label)
        ax.axhspan(-band, band, color="0.85", zorder=0, label="±1.96/√5000")
        ax.axhline(0, color="0.5", lw=0.6)
        ax.set_title(title)
        ax.set_xlabel("lag (days)")
    for i, a in enumerate(btc_acf_abs):
        axs[1].plot(lags, a, color=BTC_COLOR, lw=0.8, alpha=0.7, label="model BTC (seeds)" if i == 0 else None)
    axs[1].legend(fontsize=8)
    klev = np.arange(1, len(data_lev) + 1)
    for i, a in enumerate(model_lev):
        axs[2].plot(klev, a, color=MODEL_COLOR, lw=0.8, alpha=0.7, label="model SPX (seeds)" if i == 0 else None)
    axs[2].plot(klev, data_lev, color=DATA_COLOR, lw=1.6, label=data_label)
    axs[2].axhline(0, color="0.5", lw=0.6)
    axs[2].set_title("leverage effect corr(r_t, |r_t+k|)")
    axs[2].set_xlabel("k (days)")
    axs[2].legend(fontsize=8)
    fig.tight_layout()
    return save(fig, path)


def qq_figure(model_r: Sequence[np.ndarray], data_r: np.ndarray, path: str | Path, data_label: str,
              exogenous_r: np.ndarray | None = None) -> Path:
    """Quantiles of standardised returns against the normal's."""
    fig = new_figure(6, 6)
    ax = fig.subplots()
    probs = (np.arange(1, 2001) - 0.5) / 2000

    def q(r):
        z = (r - r.mean()) / r.std()
        return np.quantile(z, probs)

    nq = stats.norm.ppf(probs)
    for i, r in enumerate(model_r):
        ax.plot(nq, q(r), ".", ms=2, color=MODEL_COLOR, alpha=0.6, label="model SPX (seeds)" if i == 0 else None)
    if exogenous_r is not None:
        ax.plot(nq, q(exogenous_r), ".", ms=2, color="0.6", label="model, agents off (i.i.d. noise)")
    ax.plot(nq, q(data_r), ".", ms=2.5, color=DATA_COLOR, label=data_label)
    lim = [-5, 5]
    ax.plot(lim, lim, color="0.5", lw=0.8)
    ax.set_xlim(-4.5, 4.5)
    ax.set_xlabel("normal quantile")
    ax.set_ylabel("quantile of standardised daily return")
    ax.set_title("QQ plot against the normal")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return save(fig, path)


def histogram_figure(model_r: Sequence[np.ndarray], data_r: np.ndarray, path: str | Path, data_label: str,
                     btc_r: Sequence[np.ndarray] = ()) -> Path:
    """Density of standardised returns on a log scale, with the normal density."""
    fig = new_figure(7, 4.5)
    ax = fig.subplots()
    bins = np.linspace(-10, 10, 81)
    mid = 0.5 * (bins[1:] + bins[:-1])

    def dens(r):
        z = (r - r.mean()) / r.std()
        h, _ = np.histogram(z, bins=bins, density=True)
        return np.where(h > 0, h, np.nan)

    pooled = np.concatenate(list(model_r))
    ax.semilogy(mid, dens(pooled), "o-", ms=3, lw=0.8, color=MODEL_COLOR, label="model SPX (seeds pooled)")
    if len(btc_r):
        ax.semilogy(mid, dens(np.concatenate(list(btc_r))), "s-", ms=2.5, lw=0.6, color=BTC_COLOR,
                    label="model BTC (seeds pooled)")
    ax.semilogy(mid, dens(data_r), "o-", ms=3, lw=0.8, color=DATA_COLOR, label=data_label)
    ax.semilogy(mid, stats.norm.pdf(mid), color="0.5", lw=1.0, ls="--", label="normal")
    ax.set_ylim(1e-5, 1.0)
    ax.set_xlabel("standardised daily return")
    ax.set_ylabel("density (log scale)")
    ax.set_title("return distribution")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, path)


def bifurcation_figure(lc, default: float, path: str | Path) -> Path:
    """Left: local extrema of the funds' smoothed exposure against the swept parameter (a noisy
    bifurcation diagram). Right: the order parameters (largest daily loss, excess kurtosis)."""
    fig = new_figure(12, 4.4)
    ax, ax2 = fig.subplots(1, 2)
    for v, e in zip(lc.values, lc.extrema):
        if len(e):
            ax.plot(np.full(len(e), v), e, ".", ms=2, color=MODEL_COLOR, alpha=0.35)
    loss = 100 * np.array(lc.largest_loss, dtype=float)
    ax2.plot(lc.values, np.where(np.isfinite(loss), loss, np.nan), "o-", color="#d62728", label="largest daily SPX loss (%)")
    ax3 = ax2.twinx()
    kurt = np.array(lc.kurtosis, dtype=float)
    ax3.semilogy(lc.values, np.where(np.isfinite(kurt) & (kurt > 0), kurt, np.nan), "s--", color=MODEL_COLOR,
                 label="excess kurtosis (log)")
    ax3.set_ylabel("excess kurtosis of SPX returns (log)")
    for a in (ax, ax2):
        a.axvline(default, color="0.5", ls=":", lw=1, label=f"default {default:g}")
        if lc.threshold is not None:
            a.axvline(lc.threshold, color="k", ls="--", lw=1, label=f"threshold ≈ {lc.threshold:g}")
        a.set_xlabel(lc.key + " ($bn)")
    ax.set_ylabel("vol-target exposure (× NAV, 20-day mean): local extrema")
    ax.set_title("bifurcation diagram")
    ax.legend(fontsize=8)
    ax2.set_ylabel("largest daily loss (%)")
    ax2.set_title("order parameters")
    h1, l1 = ax2.get_legend_handles_labels()
    h2, l2 = ax3.get_legend_handles_labels()
    ax2.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper left")
    fig.tight_layout()
    return save(fig, path)


def episode_figure(paths: dict[str, tuple[np.ndarray, np.ndarray | None]], title: str, day0: str,
                   path: str | Path) -> Path:
    """Model paths (seeds, thin; median, thick) beside the historical path (black) when there is one."""
    n = len(paths)
    fig = new_figure(5.5 * n, 4.0)
    axs = np.atleast_1d(fig.subplots(1, n))
    for ax, (name, (model, hist)) in zip(axs, paths.items()):
        days = np.arange(model.shape[1])
        for i, m in enumerate(model):
            ax.plot(days, m, color=MODEL_COLOR, lw=0.6, alpha=0.5, label="model (seeds)" if i == 0 else None)
        ax.plot(days, np.median(model, axis=0), color=MODEL_COLOR, lw=2.0, label="model median")
        if hist is not None:
            k = min(len(hist), len(days))
            ax.plot(days[:k], hist[:k], color=DATA_COLOR, lw=2.0, label="history")
        ax.set_title(name)
        ax.set_xlabel(f"trading day (0 = {day0})")
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)
