"""Episode replays, model beside history (MODEL.md §6.5).

Each episode is a shipped scenario (`interlock/data/scenarios/episode_*.toml`: the starting
conditions of that date, the exogenous triggers as shocks, the cited figures in `[source]`) plus
the comparison made here: which model quantities are set beside which historical figures, and the
range in which the replay counts as landing. Historical paths come from the data that ships with
`arch` where it covers the date (S&P 500 and VIX for February 2018); later episodes compare with
the figures cited in their scenario files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from arch.data import sp500, vix

from ..metrics import drawdown_stats
from ...model.model import trading_classes
from ...model.shocks.markets import VolSpike
from ..runner import build_model, run
from ..scenarios import load_scenario


@dataclass
class EpisodeRow:
    """One quantity: its historical value, the model's value per seed and the landing range."""

    quantity: str
    history: float
    model: list[float]
    lo: float
    hi: float
    unit: str = "%"              # '%' values are fractions shown ×100; 'pts' and '$bn' as they are
    note: str = ""

    @property
    def median(self) -> float:
        return float(np.median(self.model))

    @property
    def lands(self) -> bool:
        return bool(self.lo <= self.median <= self.hi)


@dataclass
class EpisodeResult:
    name: str
    title: str
    scenario: str
    rows: list[EpisodeRow] = field(default_factory=list)
    seeds: tuple[int, ...] = ()
    # path name -> (model array seeds × days, history array or None); day 0 = the scenario's start
    paths: dict[str, tuple[np.ndarray, np.ndarray | None]] = field(default_factory=dict)
    day0: str = ""
    notes: str = ""


@dataclass
class Episode:
    name: str
    title: str
    scenario: str
    replay: Callable[["Episode", tuple[int, ...]], EpisodeResult]


def replay(ep: Episode, seeds: Iterable[int]) -> EpisodeResult:
    return ep.replay(ep, tuple(seeds))


def _runs(scenario: str, seeds: tuple[int, ...]) -> list[pd.DataFrame]:
    return [run(scenario, seed=s, amplification=False).timeseries for s in seeds]


def _first_shock_day(scenario: str) -> int:
    return min(s.at for s in load_scenario(scenario).shocks)


# ----- February 2018 ---------------------------------------------------------------------------
FEB2018_START = "2018-01-26"         # day 0: the S&P's peak before the fall
FEB2018_TROUGH_DAY = 9               # 8 Feb 2018
FEB2018_VIX_DAY = 6                  # 5 Feb 2018


def feb2018_history(days: int) -> tuple[pd.Series, pd.Series]:
    """S&P 500 close and VIX close from 26 Jan 2018 for `days` + 1 trading days (arch data)."""
    spx = sp500.load()["Close"].loc[FEB2018_START:].iloc[: days + 1]
    v = vix.load()["vix"].reindex(spx.index)
    return spx, v


def _replay_feb2018(ep: Episode, seeds: tuple[int, ...]) -> EpisodeResult:
    runs = _runs(ep.scenario, seeds)
    days = len(runs[0]) - 1
    spx_h, vix_h = feb2018_history(days)
    sp = np.array([ts["SPX"].to_numpy() for ts in runs])
    vol = np.array([ts["VOL_1M"].to_numpy() * 100.0 for ts in runs])
    h_sp = spx_h.to_numpy()
    h_vix = vix_h.to_numpy()
    t, d = FEB2018_TROUGH_DAY, FEB2018_VIX_DAY
    dd_h = drawdown_stats(h_sp[: t + 1])["max_drawdown"]
    rows = [
        EpisodeRow("S&P peak-to-trough, 26 Jan → 8 Feb (9 days)", dd_h,
                   [drawdown_stats(p[: t + 1])["max_drawdown"] for p in sp], 0.5 * dd_h, 1.5 * dd_h, "%"),
        EpisodeRow("S&P return on 5 Feb", float(np.log(h_sp[d] / h_sp[d - 1])),
                   [float(np.log(p[d] / p[d - 1])) for p in sp], -0.08, -0.02, "%"),
        EpisodeRow("VIX close on 5 Feb (model: VOL_1M)", float(h_vix[d]), [float(v[d]) for v in vol],
                   25.0, 50.0, "pts", "10 of the model's points are the scenario's hedging-demand input (5 Feb)"),
        EpisodeRow("VIX one-day rise 2 Feb → 5 Feb", float(h_vix[d] - h_vix[d - 1]),
                   [float(v[d] - v[d - 1]) for v in vol], 10.0, 30.0, "pts",
                   "10 points of hedging demand are input on 5 Feb (the afternoon's option buying, before "
                   "the volatility ETPs' rebalancing, which the model adds itself)"),
    ]
    paths = {"S&P 500 (index level)": (sp, h_sp), "VIX / VOL_1M (points)": (vol, h_vix)}
    notes = ("The two exogenous triggers are inputs (the 2 Feb wage news, −2.1%; the 5 Feb afternoon's "
             "index-option buying, +10 vol points of hedging demand); the volatility ETPs' rebalancing at each "
             "close, the 5 Feb fall and the rest of the sell-off are the agents' response. History: "
             "arch.data.sp500 and arch.data.vix.")
    return EpisodeResult(ep.name, ep.title, ep.scenario, rows=rows, seeds=seeds, paths=paths,
                         day0="26 Jan 2018", notes=notes)


# ----- 27 January 2025 (DeepSeek) ------------------------------------------------------------------
def _replay_deepseek(ep: Episode, seeds: tuple[int, ...]) -> EpisodeResult:
    runs = _runs(ep.scenario, seeds)
    at = _first_shock_day(ep.scenario)

    def day_ret(ts: pd.DataFrame, col: str) -> float:
        p = ts[col].to_numpy()
        return float(p[at] / p[at - 1] - 1.0)

    hyperscalers = ["MSFT", "GOOGL", "AMZN", "META"]
    complex_ = ["NVDA", "MSFT", "GOOGL", "AMZN", "META", "ORCL", "AMD", "AVGO"]

    def basket(ts: pd.DataFrame, names: list[str]) -> float:
        a = ts[names].iloc[at - 1].to_numpy()
        b = ts[names].iloc[at].to_numpy()
        return float(b.sum() / a.sum() - 1.0)

    rows = [
        EpisodeRow("NVDA, day of the shock", -0.17, [day_ret(ts, "NVDA") for ts in runs], -0.25, -0.09, "%"),
        EpisodeRow("AVGO, day of the shock", -0.174, [day_ret(ts, "AVGO") for ts in runs], -0.25, -0.09, "%"),
        EpisodeRow("hyperscalers MSFT+GOOGL+AMZN+META (cap-weighted)", -0.013,
                   [basket(ts, hyperscalers) for ts in runs], -0.05, 0.02, "%",
                   "history: MSFT −2.1%, GOOGL −4.2%, AMZN +0.2%, META +1.9% (≈ −1.3% at late-January caps)"),
        EpisodeRow("Nasdaq (model: the AI complex, cap-weighted)", -0.0307,
                   [basket(ts, complex_) for ts in runs], -0.08, -0.015, "%",
                   "the model has no Nasdaq index; the listed AI firms stand in for its AI-heavy top"),
        EpisodeRow("S&P 500", -0.0146, [day_ret(ts, "SPX") for ts in runs], -0.04, -0.005, "%"),
    ]
    paths = {name: (np.array([ts[name].to_numpy() / ts[name].iloc[at - 1] for ts in runs]), None)
             for name in ("NVDA", "AVGO", "MSFT", "SPX")}
    return EpisodeResult(ep.name, ep.title, ep.scenario, rows=rows, seeds=seeds, paths=paths,
                         day0="the scenario's start",
                         notes="History: the figures cited in the scenario file (27 Jan 2025 closes, Reuters). The "
                               "shock is the interlock block's efficiency shock; the firms are the model's late-2025 "
                               "universe, so returns are compared, not levels.")


# ----- 10 October 2025 (crypto liquidations) -------------------------------------------------------
def _replay_oct2025(ep: Episode, seeds: tuple[int, ...]) -> EpisodeResult:
    runs = _runs(ep.scenario, seeds)
    at = _first_shock_day(ep.scenario)
    window = slice(at, at + 2)             # the day of the shock and the next (the 24 h of 10–11 Oct)
    rows = [
        EpisodeRow("liquidations, 10–11 Oct ($bn)", 19.0,
                   [float(ts["liquidations_bn"].iloc[window].sum()) for ts in runs], 9.5, 38.0, "$bn"),
        EpisodeRow("BTC, day of the shock", -0.07,
                   [float(ts["BTC"].iloc[at] / ts["BTC"].iloc[at - 1] - 1.0) for ts in runs], -0.20, -0.03, "%",
                   "history: ≈ −7% close to close, ≈ −14% intraday; input: −5% custody news on top of the common factor"),
    ]
    rows.append(EpisodeRow("accounts liquidated, 10–11 Oct (millions)", 1.6,
                           [float(ts["liquidated_accounts"].iloc[window].sum()) / 1e6 for ts in runs],
                           0.5, 5.0, "pts"))
    paths = {"BTC (USD)": (np.array([ts["BTC"].to_numpy() for ts in runs]), None),
             "liquidations ($bn/day)": (np.array([ts["liquidations_bn"].to_numpy() for ts in runs]), None)}
    return EpisodeResult(ep.name, ep.title, ep.scenario, rows=rows, seeds=seeds, paths=paths,
                         day0="the scenario's start",
                         notes="History: the figures cited in the scenario file.")


# The replayed episodes, in report order.
EPISODES: tuple[Episode, ...] = (
    Episode("feb2018", "February 2018: VIX 17→37 in a day, S&P −10% in 9 days",
            "episode_feb2018", _replay_feb2018),
    Episode("deepseek_jan2025",
            "27 January 2025: DeepSeek — NVDA and AVGO ≈ −17%, Nasdaq ≈ −3%, hyperscalers far less",
            "episode_deepseek_jan2025", _replay_deepseek),
    Episode("oct2025", "10 October 2025: ≈$19B of crypto liquidations in a day",
            "episode_oct2025_liquidations", _replay_oct2025),
)


# ----- attribution (issue #12 item 5) ---------------------------------------------------------------
SYSTEMATIC_CLASSES = ("vol_target", "cta", "dealer")


@dataclass
class Attribution:
    """The 9-day fall of the February 2018 replay with the systematic classes on and off (same seeds)."""

    seeds: tuple[int, ...]
    on: list[float]
    off: list[float]
    systematic_selling_bn: list[float]      # vol-target + CTA + dealer net selling, days 1–9 (on runs)

    @property
    def differences(self) -> list[float]:
        return [a - b for a, b in zip(self.on, self.off)]


def feb2018_attribution(seeds: Iterable[int] = tuple(range(1, 11)),
                        off: Iterable[str] = SYSTEMATIC_CLASSES) -> Attribution:
    """Median 9-day fall (26 Jan → 8 Feb) of `episode_feb2018` with every class on, and with the
    systematic classes off under the same random numbers."""
    seeds = tuple(seeds)
    t = FEB2018_TROUGH_DAY
    on, off_dd, sold = [], [], []
    for s in seeds:
        r_on = run("episode_feb2018", seed=s, amplification=False)
        r_off = run("episode_feb2018", seed=s, amplification=False, disabled=tuple(off))
        on.append(drawdown_stats(r_on.timeseries["SPX"].to_numpy()[: t + 1])["max_drawdown"])
        off_dd.append(drawdown_stats(r_off.timeseries["SPX"].to_numpy()[: t + 1])["max_drawdown"])
        f = r_on.flows
        f = f[f["agent_class"].isin(list(SYSTEMATIC_CLASSES)) & (f["day"] >= 1) & (f["day"] <= t)]
        sold.append(float(-f["usd_bn"].sum()))
    return Attribution(seeds, on, off_dd, sold)


@dataclass
class ETPEffect:
    """The February 2018 replay with the volatility ETPs on and off (`vol_etp.enabled`), same seeds:
    per seed the 9-day fall, the 5 Feb S&P return, the 5 Feb VOL_1M rise (points), and (on runs) the
    products' futures-index return before/after their own trading on 5 Feb and the vega they bought."""

    seeds: tuple[int, ...]
    fall: dict[bool, list[float]]
    ret_5feb: dict[bool, list[float]]
    vix_rise_5feb: dict[bool, list[float]]
    futures_before: list[float]
    futures_after: list[float]
    vega_bn: list[float]
    inverse_ended: list[bool]

    def table(self) -> str:
        rows = [("9-day fall", self.fall, 100.0, "%"), ("5 Feb S&P return", self.ret_5feb, 100.0, "%"),
                ("5 Feb VOL_1M rise", self.vix_rise_5feb, 1.0, " pts")]
        out = ["| quantity | ETPs on: median (min … max) | ETPs off: median (min … max) |", "|---|---|---|"]
        for name, d, k, u in rows:
            cell = {on: f"{np.median(d[on]) * k:.2f}{u} ({min(d[on]) * k:.2f} … {max(d[on]) * k:.2f})"
                    for on in (True, False)}
            out.append(f"| {name} | {cell[True]} | {cell[False]} |")
        out.append(f"\n5 Feb, ETPs on: futures index {np.median(self.futures_before) * 100:+.1f}% before "
                   f"their trading → {np.median(self.futures_after) * 100:+.1f}% after (medians); vega bought "
                   f"${np.median(self.vega_bn) * 1000:.0f}M per point (median; {min(self.vega_bn) * 1000:.0f}–"
                   f"{max(self.vega_bn) * 1000:.0f}M); inverse products ended on "
                   f"{sum(self.inverse_ended)} of {len(self.seeds)} seeds.")
        return "\n".join(out)


def feb2018_etp_effect(seeds: Iterable[int] = tuple(range(1, 11)), days: int = FEB2018_TROUGH_DAY) -> ETPEffect:
    """`episode_feb2018` for `days` days with the volatility ETPs on and off (same seeds)."""
    seeds = tuple(seeds)
    d, t = FEB2018_VIX_DAY, FEB2018_TROUGH_DAY
    fall, r5, dv = {True: [], False: []}, {True: [], False: []}, {True: [], False: []}
    before, after, vega, ended = [], [], [], []
    for s in seeds:
        for on in (True, False):
            m = build_model("episode_feb2018", seed=s, overrides={"vol_etp.enabled": on})
            try:
                spx, vol = [m.market.spx], [m.vol.vol_1m]
                for _ in range(days):
                    m.step()
                    spx.append(m.market.spx)
                    vol.append(m.vol.vol_1m)
                if on:
                    (h,) = [x for x in m.vol.etp.history if x.day == d]
                    before.append(h.r_before)
                    after.append(h.r_after)
                    vega.append(h.vega_bn)
                    ended.append(not m.vol.etp.alive[0])
            finally:
                m.release()
            fall[on].append(drawdown_stats(np.array(spx[: t + 1]))["max_drawdown"])
            r5[on].append(float(np.log(spx[d] / spx[d - 1])))
            dv[on].append(100.0 * (vol[d] - vol[d - 1]))
    return ETPEffect(seeds, fall, r5, dv, before, after, vega, ended)


@dataclass
class SellingResponse:
    amount_bn: float
    start: str                  # 'calm' or 'stress'
    agents: bool
    moves: list[float]          # index log move over the selling week, per seed (with − without)


START_VOL = {"calm": 0.12, "stress": 0.35}      # the news state's starting annual vol


def selling_response(amount_bn: float, start: str = "calm", agents: bool = True, days: int = 5,
                     seeds: Iterable[int] = tuple(range(1, 11)), at: int = 5,
                     overrides: dict | None = None) -> SellingResponse:
    """$amount_bn of external index selling spread over `days` days from day `at` of the baseline,
    against the same seed without it: the index's log move from the day before the selling to its
    last day. `start` sets the news state's starting vol (calm 12%, stress 35%); `agents=False`
    switches every trading class off (the kernel alone); `overrides` (e.g. another start date's
    snapshot: {"run.start_date": "2018-01-26"}) are applied on top."""
    over = {"vol.initial_annual_vol": START_VOL[start], "retail_crypto.n_holders": 10000, **(overrides or {})}
    disabled = () if agents else tuple(trading_classes())
    moves = []
    for s in seeds:
        lv = []
        for flow in (0.0, -amount_bn / days):
            m = build_model("baseline", seed=s, overrides=over, disabled=disabled)
            try:
                for d in range(1, at + days):
                    m.external_flow = {"SPX": flow} if at <= d < at + days else {}
                    m.step()
                    if d == at - 1:
                        p0 = m.market.spx
                lv.append(float(np.log(m.market.spx / p0)))
            finally:
                m.release()
        moves.append(lv[1] - lv[0])
    return SellingResponse(amount_bn, start, agents, moves)


# ----- implied vol's response to a day's news (issue #12 item 4; docs/validation.md, "Implied vol") ------
VIX_RESPONSE_BINS = ((-2.0, -1.5), (-3.0, -2.0), (-10.0, -3.0))     # the S&P's daily log return, %


def vix_response_k(first: str = "2014", last: str = "2017") -> dict[tuple[float, float], tuple[int, float, float, float]]:
    """The VIX's response to the S&P's down days in data: K = ΔVIX² / r² (VIX points, r in %) per
    return bin → (days, median, p25, p75). ΔVIX² ≈ K r² with K ≈ 25–34 in every bin of 2014–17:
    quadratic in the return, as GJR's news impact (arch.data.sp500, arch.data.vix)."""
    df = pd.DataFrame({"s": sp500.load()["Close"], "v": vix.load()["vix"]}).dropna().loc[first:last]
    r = 100.0 * np.log(df["s"]).diff()
    k = (df["v"] ** 2 - df["v"].shift() ** 2) / r ** 2
    out = {}
    for lo, hi in VIX_RESPONSE_BINS + ((-10.0, -1.5),):
        x = k[(r >= lo) & (r < hi)].dropna()
        out[(lo, hi)] = (len(x), float(x.median()), float(x.quantile(0.25)), float(x.quantile(0.75)))
    return out


@dataclass
class VolResponse:
    """VOL_1M's response on the day of a scenario's index drop, per drop and seed."""

    scenario: str
    drops: tuple[float, ...]
    vol_before: dict[float, list[float]]        # VOL_1M the day before (points)
    rise: dict[float, list[float]]              # VOL_1M change on the day (points)
    ret: dict[float, list[float]]               # the S&P's log return on the day (%)

    def k(self, drop: float) -> list[float]:
        """K = ΔVOL_1M² / r² per seed, the data's statistic."""
        return [((v + d) ** 2 - v * v) / (r * r) for v, d, r in zip(self.vol_before[drop], self.rise[drop], self.ret[drop])]

    def table(self) -> str:
        lines = [f"{self.scenario}: drop | VOL_1M before | rise on the day | S&P that day | K = ΔVOL²/r² (median, range)"]
        for d in self.drops:
            k = self.k(d)
            lines.append(f"  {100 * d:+.0f}% | {np.median(self.vol_before[d]):.1f} | {np.median(self.rise[d]):+.1f} | "
                         f"{np.median(self.ret[d]):+.2f}% | {np.median(k):.0f} ({min(k):.0f} … {max(k):.0f})")
        return "\n".join(lines)


def vol_response(scenario: str = "baseline", drops: Iterable[float] = (-0.02, -0.03, -0.04),
                 seeds: Iterable[int] = (1, 2, 3, 4, 5), at: int = 5) -> VolResponse:
    """A one-day index drop (a `vol_spike` shock with no hedging input) on day `at` of `scenario`,
    every class on, its own shocks removed: VOL_1M before, its rise and the S&P's return that day."""
    base = load_scenario(scenario)
    drops, seeds = tuple(drops), tuple(seeds)
    before, rise, ret = ({d: [] for d in drops} for _ in range(3))
    for d in drops:
        sc = base.model_copy(update={"shocks": [VolSpike(at=at, duration=1, noise_multiplier=1.0, vol_points=0.0, drop=d)]})
        for s in seeds:
            m = build_model(sc, seed=s)
            try:
                for _ in range(at - 1):          # row `at` of the time series is the shock's day
                    m.step()
                v0, p0 = 100.0 * m.vol.vol_1m, m.market.spx
                m.step()
                before[d].append(v0)
                rise[d].append(100.0 * m.vol.vol_1m - v0)
                ret[d].append(100.0 * float(np.log(m.market.spx / p0)))
            finally:
                m.release()
    return VolResponse(scenario, drops, before, rise, ret)
