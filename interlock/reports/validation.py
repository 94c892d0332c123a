"""The validation report: `interlock validate` runs every section, writes `report.md` with its
figures and `checks.json`, and says which checks "must hold" (MODEL.md §6).

Sections: 1 stylized facts vs the S&P 500 (and BTC's tails and clustering), 2 the flow
multiplier vs Gabaix & Koijen, 3 loop signs and the ablation table, 4 the leverage cycle,
5 episode replays beside history, 6 determinism and conservation.
"""

from __future__ import annotations

import logging
import math
import platform
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..config import param_specs
from ..experiments.validation import checks as V
from ..experiments.validation import episodes as E
from ..experiments.validation.checks import Check
from ..io import dumps_json
from ..viz import validation_figures as F


@dataclass(frozen=True)
class Sizes:
    """How much to simulate: `full` for the report, `quick` for `make test`."""

    facts_days: int
    facts_seeds: tuple[int, ...]
    exogenous_days: int
    multiplier_seeds: tuple[int, ...]
    leverage_variant: bool
    quick_loops: bool
    ablation_seeds: tuple[int, ...]
    ablation_days: int | None
    cycle_values: tuple[float, ...]
    cycle_days: int
    cycle_burn_in: int
    cycle_seeds: tuple[int, ...]
    episode_seeds: tuple[int, ...]
    conservation_days: int
    other_process: bool


FULL = Sizes(facts_days=5000, facts_seeds=(1, 2, 3), exogenous_days=5000, multiplier_seeds=(1, 2, 3, 4, 5, 6),
             leverage_variant=True,
             quick_loops=False, ablation_seeds=(1, 2), ablation_days=None,
             cycle_values=(200, 400, 600, 800, 1000, 1200, 1600, 2000, 3000),
             cycle_days=1500, cycle_burn_in=500, cycle_seeds=(1, 2), episode_seeds=tuple(range(1, 11)), conservation_days=60,
             other_process=True)
QUICK = Sizes(facts_days=5000, facts_seeds=(1, 2, 3), exogenous_days=3000, multiplier_seeds=(1, 2, 3),
              leverage_variant=False,
              quick_loops=True, ablation_seeds=(1,), ablation_days=126,
              cycle_values=(400, 800), cycle_days=1000, cycle_burn_in=300, cycle_seeds=(1,),
              episode_seeds=(1, 2, 3), conservation_days=40, other_process=True)

# Must-hold thresholds (MODEL.md §6.3 and the engine tests)
KURTOSIS_MIN = 3.0
EXOGENOUS_KURTOSIS_MAX = 0.5
ABS_AC50_MEAN_MIN = 0.03
EXOGENOUS_ABS_AC50_MAX = 0.05
AC1_MAX = 0.1
VOL_RATIO = (0.5, 1.6)
MULTIPLIER_KEY = "market.equity_multiplier"   # its plausible range is Gabaix & Koijen's 3–8
CYCLE_MAX_FACTOR = 10.0            # the sweep goes to 10× the default AUM and must stay finite
LEVERAGE_MUST_HOLD = False         # reported: the shipped FW switching has no leverage effect (docs/validation.md)
# The opt-in leverage mechanism (discretionary.alpha_r, fitted with it by MSM): shown beside the
# defaults in the full report, not shipped (it makes on/off comparisons under common random numbers noisy).
LEVERAGE_VARIANT = {"discretionary.alpha_r": 0.74, "discretionary.alpha_0": 0.043, "discretionary.alpha_n": 1.16,
                    "discretionary.nu": 0.061, "market.market_factor_sigma": 0.0023}


@dataclass
class Report:
    out: Path
    quick: bool
    checks: list[Check] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.must_hold and not c.ok]

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check


def _fmt(x: float, nd: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.{nd}f}"


def _mark(c: Check) -> str:
    return ("✅" if c.ok else "❌") + (" **must hold**" if c.must_hold else " reported")


def _check_line(c: Check) -> str:
    return f"| {c.name} | {_mark(c)} | {c.detail} |"


# ----- section 1 ---------------------------------------------------------------------------------
def section_facts(rep: Report, sz: Sizes) -> None:
    data_r = V.sp500_returns()
    data = V.stylized_facts(data_r)
    both = V.simulated_returns_by_asset(("SPX", "BTC"), days=sz.facts_days, seeds=sz.facts_seeds)
    spx, btc = both["SPX"], both["BTC"]
    exo = V.simulated_returns("SPX", days=sz.exogenous_days, seeds=(1,), disabled=V.endogenous_classes())[0]
    f_spx = [V.stylized_facts(r) for r in spx]
    f_btc = [V.stylized_facts(r) for r in btc]
    f_exo = V.stylized_facts(exo)
    rep.numbers["facts"] = {"sp500": data, "model_spx": f_spx, "model_btc": f_btc, "exogenous_only": f_exo}
    f_var = None
    if sz.leverage_variant:
        f_var = [V.stylized_facts(r) for r in V.simulated_returns("SPX", days=sz.facts_days, seeds=sz.facts_seeds,
                                                                   overrides=LEVERAGE_VARIANT)]
        rep.numbers["facts"]["model_spx_alpha_r"] = f_var

    def rng(fs, k):
        v = [f[k] for f in fs]
        return f"{np.mean(v):.3f} ({min(v):.3f} … {max(v):.3f})"

    lines = ["## 1. Stylized facts: model vs the S&P 500", "",
             f"Simulated SPX daily log returns from the baseline scenario, {len(sz.facts_seeds)} seeds × "
             f"{sz.facts_days} days (mean, and min … max over seeds), beside {V.SP500_LABEL}, "
             f"{len(data_r)} days. 'Agents off' = every trading class switched off: only the exogenous "
             "i.i.d. Gaussian noise is left, so whatever the model has beyond it comes from the agents.", "",
             f"| statistic | {V.SP500_LABEL} | model SPX | model, agents off | model BTC |"
             + (" model SPX, opt-in leverage mechanism |" if f_var else ""),
             "|---|---|---|---|---|" + ("---|" if f_var else "")]
    for k, label in V.FACT_LABELS.items():
        lines.append(f"| {label} | {data[k]:.3f} | {rng(f_spx, k)} | {f_exo[k]:.3f} | {rng(f_btc, k)} |"
                     + (f" {rng(f_var, k)} |" if f_var else ""))
    if f_var:
        lines += ["", "Last column: the opt-in leverage mechanism (`discretionary.alpha_r` > 0: a sell-off measured "
                  "against recent volatility pushes discretionary traders toward trend-following) with the "
                  f"parameters fitted together with it by MSM ({', '.join(f'`{k}` = {v:g}' for k, v in LEVERAGE_VARIANT.items())}). "
                  "It is not the default: see docs/validation.md."]
    # figures
    out = rep.out
    lev = lambda r: np.array([V.leverage_corr(r, k) for k in range(1, 51)])  # noqa: E731
    F.acf_figure([V.acf(r) for r in spx], [V.acf(np.abs(r)) for r in spx], V.acf(data_r), V.acf(np.abs(data_r)),
                 [lev(r) for r in spx], lev(data_r), out / "facts_acf.png", "S&P 500 1999–2018",
                 btc_acf_abs=[V.acf(np.abs(r)) for r in btc])
    F.qq_figure(spx, data_r, out / "facts_qq.png", "S&P 500 1999–2018", exogenous_r=exo)
    F.histogram_figure(spx, data_r, out / "facts_hist.png", "S&P 500 1999–2018", btc_r=btc)
    rep.figures += ["facts_acf.png", "facts_qq.png", "facts_hist.png"]
    lines += ["", "![ACF of r and |r|, leverage curve](facts_acf.png)", "",
              "![QQ plot](facts_qq.png) ![log-scale histogram](facts_hist.png)", ""]
    # checks
    kurt = [f["excess_kurtosis"] for f in f_spx]
    ac50 = [f["abs_ac50"] for f in f_spx]
    ac1 = [f["ac1"] for f in f_spx]
    vol = [f["annual_vol"] for f in f_spx]
    lev10 = [f["leverage_corr_10"] for f in f_spx]
    cs = [
        rep.add(Check("heavy tails emerge from i.i.d. noise",
                      min(kurt) > KURTOSIS_MIN and abs(f_exo["excess_kurtosis"]) < EXOGENOUS_KURTOSIS_MAX,
                      f"excess kurtosis {min(kurt):.2f}…{max(kurt):.2f} on every seed (> {KURTOSIS_MIN:g}); agents off "
                      f"{f_exo['excess_kurtosis']:.2f} (|·| < {EXOGENOUS_KURTOSIS_MAX:g}); S&P {data['excess_kurtosis']:.2f}")),
        rep.add(Check("volatility clusters: |r| autocorrelation still positive at lag 50",
                      min(ac50) > 0 and np.mean(ac50) > ABS_AC50_MEAN_MIN
                      and abs(f_exo["abs_ac50"]) < EXOGENOUS_ABS_AC50_MAX,
                      f"lag-50 |r| autocorrelation {min(ac50):.3f}…{max(ac50):.3f} (> 0, mean {np.mean(ac50):.3f} > "
                      f"{ABS_AC50_MEAN_MIN:g}); agents off {f_exo['abs_ac50']:.3f}; S&P {data['abs_ac50']:.3f}")),
        rep.add(Check("daily returns are nearly uncorrelated", max(abs(a) for a in ac1) < AC1_MAX,
                      f"lag-1 autocorrelation {min(ac1):.3f}…{max(ac1):.3f} (|·| < {AC1_MAX:g}); S&P {data['ac1']:.3f}")),
        rep.add(Check("simulated volatility is in the range of the S&P's",
                      all(VOL_RATIO[0] * data["annual_vol"] < v < VOL_RATIO[1] * data["annual_vol"] for v in vol),
                      f"annual vol {min(vol):.3f}…{max(vol):.3f} within {VOL_RATIO[0]:g}–{VOL_RATIO[1]:g}× the S&P's "
                      f"{data['annual_vol']:.3f}")),
        rep.add(Check("leverage effect is negative: falls raise later volatility more than rises",
                      max(lev10) < 0.5 * data["leverage_corr_10"],
                      f"mean corr(r_t, |r_t+k|), k = 1…10: {min(lev10):.3f}…{max(lev10):.3f} (every seed below half "
                      f"the S&P's {data['leverage_corr_10']:.3f}?)", must_hold=LEVERAGE_MUST_HOLD)),
    ]
    b_tail = [f["hill_abs"] for f in f_btc]
    b_ac = [f["abs_ac10"] for f in f_btc]
    cs.append(rep.add(Check("BTC: fat tails and clustering", min(f["excess_kurtosis"] for f in f_btc) > 0
                            and min(b_ac) > 0,
                            f"BTC excess kurtosis {min(f['excess_kurtosis'] for f in f_btc):.2f}…"
                            f"{max(f['excess_kurtosis'] for f in f_btc):.2f}, Hill α {min(b_tail):.2f}…{max(b_tail):.2f}, "
                            f"|r| autocorrelation at lag 10 {min(b_ac):.3f}…{max(b_ac):.3f}", must_hold=False)))
    lines += ["| check | status | measured |", "|---|---|---|"] + [_check_line(c) for c in cs]
    lines += ["", "**BTC.** No BTC price series ships offline, so the model's BTC returns are set beside "
              "published measurements: the tail index of daily BTC returns moved from α ≈ 2 (2010s) to α ≈ 3, "
              "the 'inverse cubic law' of stocks, and |r| autocorrelation decays as a power law (Takaishi & "
              "Adachi, *Recent scaling properties of Bitcoin price returns*, arXiv:2009.06874, 2020); daily BTC "
              "returns show no clear volatility asymmetry (Takaishi, *Physica A* 506, 2018). BTC in the model is "
              "driven by the discretionary population's BTC book, CTAs' BTC futures and, when present, the crypto "
              "block's holders and ETFs.", ""]
    rep.sections.append("\n".join(lines))


# ----- section 2 ---------------------------------------------------------------------------------
def section_multiplier(rep: Report, sz: Sizes) -> None:
    m = V.equity_multiplier(seeds=sz.multiplier_seeds)
    rep.numbers["multiplier"] = m
    perm, total = m["permanent"], m["total"]
    lines = ["## 2. The flow multiplier vs Gabaix & Koijen", "",
             "A steady external flow of $2bn a day into SPX for 20 days, against the same seed without it. "
             "The permanent part is the log-price response net of the transient (propagator) state, per "
             "unit of injected flow / equity cap: Gabaix & Koijen (2021, NBER WP 28967) estimate M ≈ 5, "
             "robust range 3–8. The total includes the transient impact still in prices after 20 days. The "
             "herding discretionary traders react to returns, so a seed's measurement also carries their "
             "(random) reaction to the injected flow: the check is on the median over seeds.", "",
             "| seed | permanent M | total (with transient) |", "|---|---|---|"]
    for s, p, t in zip(sz.multiplier_seeds, perm, total):
        lines.append(f"| {s} | {p:.2f} | {t:.2f} |")
    med = float(np.median(perm))
    lo, hi = param_specs()[MULTIPLIER_KEY].range
    cs = [rep.add(Check(f"aggregate equity multiplier is in Gabaix & Koijen's {lo:g}–{hi:g}",
                        lo <= med <= hi,
                        f"permanent M median {med:.2f} over {len(perm)} seeds (range {min(perm):.2f}…{max(perm):.2f})")),
          rep.add(Check("the short-run response exceeds the permanent one (propagator)",
                        float(np.mean(total)) > float(np.mean(perm)),
                        f"total {np.mean(total):.2f} vs permanent {np.mean(perm):.2f}"))]
    lines += ["", "| check | status | measured |", "|---|---|---|"] + [_check_line(c) for c in cs] + [""]
    rep.sections.append("\n".join(lines))


# ----- section 3 ---------------------------------------------------------------------------------
def section_loops(rep: Report, sz: Sizes) -> None:
    lines = ["## 3. Loop signs: each agent class switched off in turn", "",
             "Each documented loop (MODEL.md §6.1) is measured with the class on and off under the same "
             "seed (common random numbers: switching a class off leaves every other random stream "
             "unchanged), effect = on − off; the documented sign is positive.", "",
             "| class | claim | scenario | effect measured | per seed | status |", "|---|---|---|---|---|---|"]
    rep.numbers["loops"] = []
    for lp in V.LOOPS:
        res = V.loop_sign(lp, quick=sz.quick_loops)
        c = rep.add(Check(f"loop sign: {lp.claim}", res.ok,
                          f"{lp.effect_label}: mean {res.mean:+.4f} over seeds {list(res.seeds)}",
                          must_hold=lp.must_hold))
        rep.numbers["loops"].append({"class": lp.agent_class, "claim": lp.claim, "effects": res.effects,
                                     "ok": res.ok})
        lines.append(f"| {lp.agent_class} | {lp.claim} | {lp.scenario} | {lp.effect_label} | "
                     f"{', '.join(f'{e:+.4f}' for e in res.effects)} | {_mark(c)} |")
    # the ablation table
    df = V.ablation(seeds=sz.ablation_seeds, days=sz.ablation_days)
    rep.numbers["ablation"] = df.to_dict(orient="records")
    days_txt = "each scenario's own length" if sz.ablation_days is None else f"{sz.ablation_days} days"
    lines += ["", "### Ablation table", "",
              f"Every agent class off in turn on the scenarios that exercise it (seeds {list(sz.ablation_seeds)}, "
              f"{days_txt}): the value with all classes on, and Δ = on − off. Trend persistence is the "
              "variance ratio VR(5–20 days) of SPX (> 1: trending); forced flows are the $ traded in forced "
              "clearing rounds; liquidations are forced rows whose reason names a liquidation; cascade reach "
              "counts the distinct targets of cascade events.", "",
              "| class off | scenario | DD SPX (Δ) | DD BTC (Δ) | peak VOL_1M (Δ) | VR 5–20d (Δ) | forced $bn (Δ) "
              "| liquidations $bn (Δ) | cascade reach (Δ) |",
              "|---|---|---|---|---|---|---|---|---|"]
    for row in df.to_dict(orient="records"):
        cells = []
        for k, nd in (("dd_spx", 3), ("dd_btc", 3), ("peak_vol", 3), ("trend_vr", 3), ("forced_bn", 0),
                      ("liquidations_bn", 1), ("cascade_reach", 0)):
            cells.append(f"{row[k]:.{nd}f} ({row['d_' + k]:+.{nd}f})")
        lines.append(f"| {row['agent_class']} | {row['scenario']} | " + " | ".join(cells) + " |")
    lines.append("")
    rep.sections.append("\n".join(lines))


# ----- section 4 ---------------------------------------------------------------------------------
def section_leverage_cycle(rep: Report, sz: Sizes) -> None:
    key = "vol_target.aum"
    default = float(param_specs()[key].default)
    values = sorted(set(list(sz.cycle_values) + [CYCLE_MAX_FACTOR * default]))
    lc = V.leverage_cycle(values, key=key, days=sz.cycle_days, burn_in=sz.cycle_burn_in, seeds=sz.cycle_seeds)
    rep.numbers["leverage_cycle"] = {"values": lc.values, "exposure_sd": lc.exposure_sd,
                                     "largest_loss": lc.largest_loss, "kurtosis": lc.kurtosis,
                                     "spx_vol": lc.spx_vol, "threshold": lc.threshold}
    F.bifurcation_figure(lc, default, rep.out / "leverage_cycle.png")
    rep.figures.append("leverage_cycle.png")
    thr = ("not reached in the sweep" if lc.threshold is None
           else f"≈ ${lc.threshold:,.0f}bn of vol-target AUM ({lc.threshold / default:.1f}× the default ${default:,.0f}bn)")
    lines = ["## 4. Leverage-cycle instability (Aymanns & Farmer 2015)", "",
             f"Vol-target AUM swept over {', '.join(f'{v:g}' for v in lc.values)} $bn in the full model (every "
             f"class on, default noise), seeds {list(lc.seeds)}, {sz.cycle_days} days per run with the first "
             f"{sz.cycle_burn_in} dropped. Left: the local extrema of the funds' exposure (20-day average) — the "
             "bifurcation diagram. Right: the order parameters, the largest daily SPX loss and the excess kurtosis "
             "(seed means). Below the threshold the funds' feedback (prices → realised vol → target leverage → "
             "flows) only colours the noise around a fixed point; past it deleveraging, intraday risk exits and "
             "short-gamma hedging feed on one another and the market crashes endogenously. The threshold is the "
             f"first AUM whose largest daily loss exceeds {lc.threshold_factor:g}× its level at the smallest AUM.", "",
             f"**Threshold: {thr}.**", "", "![bifurcation diagram](leverage_cycle.png)", "",
             "| vol-target AUM $bn | exposure s.d. | largest daily loss | excess kurtosis | SPX annual vol |",
             "|---|---|---|---|---|"]
    for v, a, lo, k, s in zip(lc.values, lc.exposure_sd, lc.largest_loss, lc.kurtosis, lc.spx_vol):
        lines.append(f"| {v:,.0f} | {_fmt(a, 3)} | {_fmt(100 * lo, 1)}% | {_fmt(k, 1)} | {_fmt(s, 3)} |")
    finite = all(math.isfinite(a) for a in lc.largest_loss)
    c1 = rep.add(Check("the leverage cycle stays bounded (no NaN/overflow) up to 10× the default AUM", finite,
                       f"sweep up to ${max(lc.values):,.0f}bn: " + ("all runs finite" if finite else "a run overflowed")))
    calm_at_default = lc.threshold is None or lc.threshold > default
    c2 = rep.add(Check("the default AUM sits in the calm regime, below the threshold", calm_at_default,
                       f"default ${default:,.0f}bn; threshold {thr}", must_hold=False))
    lines += ["", "| check | status | measured |", "|---|---|---|", _check_line(c1), _check_line(c2), ""]
    rep.sections.append("\n".join(lines))


# ----- section 5 ---------------------------------------------------------------------------------
def section_episodes(rep: Report, sz: Sizes) -> None:
    lines = ["## 5. Episode replays beside history", "",
             f"Each episode is a shipped scenario (`interlock/data/scenarios/episode_*.toml`) with the starting "
             f"conditions of its date, the exogenous triggers as shocks and the figures it is compared with cited "
             f"in its `[source]`. Model: median and range over seeds {list(sz.episode_seeds)}. 'Lands' = the "
             "model's median is inside the stated range (reported, not must-hold: the replays are a test of the "
             "model's amplification, and their ranges are judgement).", ""]
    rep.numbers["episodes"] = {}
    for ep in E.EPISODES:
        res = E.replay(ep, sz.episode_seeds)
        lines += [f"### {res.title}", ""]
        lines += [f"Scenario `{res.scenario}`. {res.notes}", "",
                  "| quantity | history | model median | model range | landing range | lands? |",
                  "|---|---|---|---|---|---|"]

        def show(x, unit):
            return f"{100 * x:+.1f}%" if unit == "%" else (f"{x:,.1f}" + (" $bn" if unit == "$bn" else ""))

        for row in res.rows:
            lines.append(f"| {row.quantity} | {show(row.history, row.unit)} | {show(row.median, row.unit)} | "
                         f"{show(min(row.model), row.unit)} … {show(max(row.model), row.unit)} | "
                         f"{show(row.lo, row.unit)} … {show(row.hi, row.unit)} | {'✅' if row.lands else '❌'}"
                         + (f" ({row.note})" if row.note else "") + " |")
            rep.add(Check(f"episode {ep.name}: {row.quantity}", row.lands,
                          f"history {show(row.history, row.unit)}, model median {show(row.median, row.unit)}",
                          must_hold=False))
        fig = f"episode_{ep.name}.png"
        F.episode_figure(res.paths, res.title, res.day0, rep.out / fig)
        rep.figures.append(fig)
        lines += ["", f"![{ep.name}]({fig})", ""]
        rep.numbers["episodes"][ep.name] = {"rows": [
            {"quantity": r.quantity, "history": r.history, "model": r.model, "lands": r.lands} for r in res.rows]}
    rep.sections.append("\n".join(lines))


# ----- section 6 ---------------------------------------------------------------------------------
def section_books(rep: Report, sz: Sizes) -> None:
    cs = V.determinism(other_process=sz.other_process) + V.conservation(days=sz.conservation_days)
    for c in cs:
        rep.add(c)
    lines = ["## 6. Determinism and conservation", "",
             "The same configuration and seed give bit-identical outputs; the books balance: positions are "
             "rebuilt from the flow table (each row at its clearing round's price) and compared with the agents' "
             "own; money — every population's cash plus the accounts kept outside the books (the crypto venues' "
             "reserves, which take liquidation fees and cover bankrupt positions, and what hackers took) — "
             "changes only by the dollars traded; BTC units change only by BTC trades.", "",
             "| check | status | measured |", "|---|---|---|"] + [_check_line(c) for c in cs] + [""]
    rep.sections.append("\n".join(lines))


SECTIONS = (section_facts, section_multiplier, section_loops, section_leverage_cycle, section_episodes,
            section_books)


def build_report(out: str | Path, quick: bool = False, progress=None) -> Report:
    """Run every section, write DIR/report.md, its figures and DIR/checks.json; return the Report."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rep = Report(out, quick)
    sz = QUICK if quick else FULL
    t0 = time.time()
    quiet = logging.getLogger("interlock").level
    model_log = logging.getLogger("interlock.model")
    level_before = model_log.level
    model_log.setLevel(max(quiet, logging.ERROR))   # capped-flow chatter
    try:
        for fn in SECTIONS:
            t = time.time()
            try:
                fn(rep, sz)
            except Exception as e:        # a section that crashes is a failed must-hold check, not a lost report
                rep.add(Check(f"{fn.__name__} ran", False, f"{type(e).__name__}: {e}"))
                rep.sections.append(f"## {fn.__name__}\n\nThis section failed: `{type(e).__name__}: {e}`\n")
            if progress is not None:
                progress(fn.__name__, time.time() - t)
    finally:
        model_log.setLevel(level_before)
    V.clear_run_cache()
    rep.seconds = time.time() - t0
    (out / "report.md").write_text(render(rep), encoding="utf-8")
    (out / "checks.json").write_text(dumps_json(
        {"quick": quick, "seconds": rep.seconds, "checks": [asdict(c) for c in rep.checks],
         "numbers": rep.numbers}), encoding="utf-8")
    return rep


def render(rep: Report) -> str:
    must = [c for c in rep.checks if c.must_hold]
    head = ["# interlock validation report", "",
            f"Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `interlock validate"
            f"{' --quick' if rep.quick else ''}` · interlock {__version__} · Python {platform.python_version()} · "
            f"{rep.seconds:.0f} s.", "",
            "The model beside real data and published results (MODEL.md §6). Checks marked **must hold** make "
            "`interlock validate` exit non-zero when they fail; the others are reported for judgement.", "",
            f"**Must-hold checks: {sum(c.ok for c in must)}/{len(must)} pass"
            + (f" — FAILED: {', '.join(c.name for c in rep.failed)}" if rep.failed else "") + ".**", "",
            "| check | status | measured |", "|---|---|---|"] + [_check_line(c) for c in rep.checks] + [""]
    return "\n".join(head + rep.sections)
