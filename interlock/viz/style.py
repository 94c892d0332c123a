"""One look across every figure (issue #15): one colour per agent class, colours for what is not a
class (claim outcomes, scenario vs base, news) chosen apart from the class palette, and one unit per
series — the same in the dashboard, the cascade view, fan charts, stress and compare reports, the
HTML reports and the app.

- `class_color(name)`: an agent class's colour (fixed for known classes, stable for new ones).
- `SERIES` / `series_info(column)`: how a time-series column is shown — label, unit, scale (the
  stored value × scale is what is drawn: VOL 0.35 → 35 vol points) and how two runs' values are
  differenced (`"ratio"`: % above the base, for prices; `"diff"`: in the series' own unit).
- `display(column, values)`: the values as drawn; `difference(column, scen, base)`: the paired
  difference as drawn in a compare report (unit `series_info(column).diff_unit`).
"""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass

import numpy as np

# ----- colours -----------------------------------------------------------------------------------
CLASS_COLORS = {"vol_target": "#d62728", "cta": "#1f77b4", "buyback": "#2ca02c", "discretionary": "#7f7f7f",
                "dealer": "#9467bd", "retail_crypto": "#ff7f0e", "crypto_etf": "#8c564b",
                "crypto_leveraged": "#e377c2", "miners": "#bcbd22", "treasury_companies": "#17becf",
                "external": "#000000", "fed": "#393b79"}
# Colours for classes a later block adds (stable per name, distinct from the fixed ones).
_SPARE = ["#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5"]
# Interlock channels / deal types: darker tab20b hues, none of them a class colour (the cascade view
# shows classes and channels side by side).
CHANNEL_COLORS = {"supply": "#637939", "equity": "#7b4173", "financing": "#8c6d31"}
DEAL_COLORS = CHANNEL_COLORS
# Not classes: kept off the class palette's hues so that red always means vol-target funds.
HOLDS_COLOR, FAILS_COLOR = "#08306b", "#e6ab02"        # a claim holds / fails (navy / gold)
SCENARIO_COLOR, BASE_COLOR = "#000000", "#9e9e9e"      # compare: the scenario / its base
DIFF_COLOR, DIFF_BAND = "#000000", "#bdbdbd"           # compare: median difference / its 5–95% band
NEWS_COLOR = "#c7c7c7"                                 # the cascade's "news & noise" node
GHOST_COLOR = "#b0b0b0"                                # the app: the previous run
ASSET_COLOR = "#4d4d4d"                                # Sankey asset nodes
NET_BUY_COLOR, NET_SELL_COLOR = "#4d4d4d", "#bdbdbd"   # net bought / net sold bars (not a class)
SPX_COLOR = "#000000"
# Price lines (rebased) of the assets the figures show, the same in every figure.
ASSET_COLORS = {"SPX": SPX_COLOR, "NVDA": "#76b900", "MSFT": "#00a4ef", "ORCL": "#c74634", "AVGO": "#cc092f",
                "CRWV": "#5b3cc4", "BTC": "#f7931a", "UST10": "#6b6ecf", "AMD": "#ed1c24", "GOOGL": "#34a853",
                "AMZN": "#ff9900", "META": "#0668e1", "NBIS": "#1d976c", "REST": "#8c8c8c"}


# Lines that are neither a class nor an asset (the same in every figure); greys, black and tab20b's
# dark hues, so that no series borrows a class's colour.
SERIES_COLORS = {"VOL_1M": "#000000", "VOL_3M": "#969696", "policy_rate": "#000000", "UST10_yield": "#6b6ecf",
                 "cut_prob": "#bd9e39", "btc_leverage": "#843c39", "crypto_trust": "#5254a3",
                 "utilisation": "#000000", "liquidations_bn": "#e7969c"}


def series_color(column: str) -> str:
    return SERIES_COLORS.get(column) or ASSET_COLORS.get(column) or _stable_spare("series:" + column)


def _stable_spare(name: str) -> str:
    h = int.from_bytes(hashlib.sha256(name.encode()).digest()[:2], "little")
    return _SPARE[h % len(_SPARE)]


def class_color(name: str) -> str:
    """An agent class's colour (fixed for known classes, stable by name for new ones)."""
    return CLASS_COLORS.get(name) or _stable_spare(name)


def channel_color(name: str) -> str:
    """The colour of an interlock channel / deal type (supply, equity, financing)."""
    return CHANNEL_COLORS.get(name, class_color(name))


def asset_color(name: str) -> str:
    return ASSET_COLORS.get(name) or _stable_spare("asset:" + name)


# ----- units -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeriesInfo:
    label: str
    unit: str                  # of the drawn value
    scale: float = 1.0         # drawn = stored × scale
    how: str = "level"         # "level" or "rebased" (100 at the first day)
    diff: str = "diff"         # "ratio": (scen / base − 1) in %; "diff": scen − base in `unit`

    @property
    def diff_unit(self) -> str:
        return "% vs base" if self.diff == "ratio" else self.unit


PRICE = SeriesInfo("price", "index (day 0 = 100)", how="rebased", diff="ratio")
SERIES: dict[str, SeriesInfo] = {
    "SPX": SeriesInfo("S&P 500", "index (day 0 = 100)", how="rebased", diff="ratio"),
    "VOL_1M": SeriesInfo("implied vol 1M", "vol points", 100.0),
    "VOL_3M": SeriesInfo("implied vol 3M", "vol points", 100.0),
    "spx_drawdown": SeriesInfo("S&P 500 drawdown from peak", "%", 100.0),
    "policy_rate": SeriesInfo("policy rate", "%", 100.0),
    "UST10_yield": SeriesInfo("10y yield", "%", 100.0),
    "fair_yield": SeriesInfo("fair 10y yield", "%", 100.0),
    "inflation": SeriesInfo("inflation", "%", 100.0),
    "growth": SeriesInfo("growth", "%", 100.0),
    "output_gap": SeriesInfo("output gap", "%", 100.0),
    "cut_prob": SeriesInfo("cut probability at the next FOMC", "%", 100.0),
    "utilisation": SeriesInfo("compute utilisation", "%", 100.0),
    "buyback_open_share": SeriesInfo("buyback budget with an open window", "%", 100.0),
    "crypto_trust": SeriesInfo("crypto trust", "0–1"),
    "political_pressure": SeriesInfo("political pressure on the Fed", "%", 100.0),
    "vol_target_exposure": SeriesInfo("vol-target equity exposure", "× NAV"),
    "btc_leverage": SeriesInfo("BTC leverage", "×"),
    "news_vol": SeriesInfo("news volatility of the S&P 500", "vol points", 100.0),
    "liquidity": SeriesInfo("liquidity (3-month reserve change)", "$T"),
    "hedging_demand": SeriesInfo("hedging demand", "vol points", 100.0),
    "etp_demand": SeriesInfo("volatility ETPs' demand", "vol points", 100.0),
    "vol_etp_aum_bn": SeriesInfo("volatility ETPs' AUM", "$bn", 1.0),
    "liquidations_bn": SeriesInfo("crypto liquidations", "$bn per day"),
    "etf_flow_bn": SeriesInfo("crypto ETF net flow", "$bn per day"),
    "buyback_spend_bn": SeriesInfo("buybacks executed", "$bn per day"),
    "ai_capex_bn": SeriesInfo("AI capex run-rate", "$bn per year"),
    "commitments_cut_bn": SeriesInfo("commitments cut so far", "$bn"),
}
# By pattern, after the exact names: (pattern, info with the label's {} filled by the wildcard).
PATTERNS = [("flow_*_bn", SeriesInfo("net flow into {}", "$bn per day")),
            ("capex_*_bn", SeriesInfo("capex run-rate of {}", "$bn per year")),
            ("revenue_*_bn", SeriesInfo("revenue run-rate of {}", "$bn per year")),
            ("trust_*", SeriesInfo("trust in {}", "0–1")),
            ("*_flow_bn", SeriesInfo("{} flow", "$bn per day")),
            ("*_bn", SeriesInfo("{}", "$bn"))]


def series_info(column: str, assets=()) -> SeriesInfo:
    """How `column` is drawn. `assets`: the run's asset names (prices, drawn rebased)."""
    if column in SERIES:
        return SERIES[column]
    if column in assets or column in ASSET_COLORS:
        return SeriesInfo(f"{column} ({'USD per coin' if column == 'BTC' else 'market value'})",
                          PRICE.unit, how="rebased", diff="ratio")
    for pat, info in PATTERNS:
        if fnmatch.fnmatchcase(column, pat):
            core = column
            head, _, tail = pat.partition("*")
            core = column[len(head):len(column) - len(tail) if tail else None]
            return SeriesInfo(info.label.format(core.replace("_", " ")), info.unit, info.scale, info.how, info.diff)
    return SeriesInfo(column.replace("_", " "), "level")


def display(column: str, values, assets=()) -> np.ndarray:
    """`values` (a run's column, in day order) as drawn: scaled, or rebased to 100 at the first."""
    info = series_info(column, assets)
    v = np.asarray(values, dtype=float)
    if info.how == "rebased":
        return 100.0 * v / v[0] if v.size and v[0] != 0 else v * np.nan
    return v * info.scale


def difference(column: str, scen, base, assets=()) -> np.ndarray:
    """The paired difference scenario − base as drawn (unit `series_info(column).diff_unit`):
    for prices 100 × (scen / base − 1), else scale × (scen − base)."""
    info = series_info(column, assets)
    s, b = np.asarray(scen, dtype=float), np.asarray(base, dtype=float)
    if info.diff == "ratio":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(b != 0, 100.0 * (s / b - 1.0), np.nan)
    return info.scale * (s - b)


def axis_label(column: str, assets=()) -> str:
    info = series_info(column, assets)
    return info.unit
