"""The Federal Reserve (issue #13; MODEL.md §3.7). Sources: docs/validation.md, "Policy transmission".

The reaction function is the Fed's balanced-approach rule (Fed Board, "Policy rules and how
policymakers use them"), read on a year-ahead gap and on core inflation net of the part of the
tariff price-level rise the committee looks through:

    π̃      = core PCE − λ_LT · (tariff part of core PCE)
    gap^e  = output gap + h · (growth outlook − potential)     (h = `growth_outlook_years`)
    i*     = r* + π̃ + a_π (π̃ − π*) + a_y · gap^e − political pressure − stance

The growth outlook is the macro block's exogenous growth anchor (tariffs, fiscal, data, AI capex
and the equity wealth effect; not the IS term of the Fed's own rate), so the rule reacts at once to
growth news and, through the wealth effect, to equity sell-offs (Cieslak & Vissing-Jorgensen 2021:
most of the "Fed put" is the Fed revising its growth outlook). `stance` is the discretionary tilt,
in two parts: guidance (pinned odds, path guidance), which decays with half-life
`stance_half_life_days`, and the target shift a surprise move reveals (`action`), which decays like
any other gap between the target and the longer-run rate, with τ_p = `target_convergence_years`
(Kuttner 2001: a surprise target change moves the 1-year yield 0.72 for 1 — 0.73 here, 0.54 at the
guidance half-life — and has little effect on expectations of future actions; Gürkaynak, Sack &
Swanson 2005: actions and statements are different factors).

Partial adjustment on a continuous shadow rate s that is never reset to the rounded rate, so
small gaps accumulate meeting after meeting; at a meeting

    s ← ρ s + (1 − ρ) i* + ε                      (ρ = `inertia`, per meeting)
    i ← i + step · k(s − i),   never below the lower bound

k(x) rounds to the nearest step for one step (|x| ≥ half a step) and moves k ≥ 2 steps only when
|x| ≥ k steps, at most `max_steps_per_meeting` (gradualism: a 50bp move needs a 50bp gap); a move
against the direction of the last one needs |x| ≥ `reversal_threshold_steps` (1: a whole step) —
the FOMC does not reverse a move at the next meeting (none since 1994; Rudebusch 1995, Hamilton &
Jordà 2002: target changes continue far more often than they reverse), where rounding a shadow rate
that hovers near a half step would;
ε ~ N(0, σ_d) is the committee's judgment (it stays in s and fades with ρ, so a bold move is not
undone at the next meeting).

The market prices the same rule: its expected shadow rate for the next meeting is
μ = ρ s + (1 − ρ) i* + d, where d is its misreading of Fed communication (an AR(1) "speech" term:
persistent, small shocks; Swanson 2023, Chicago Fed WP 2025-23: non-Chair speeches move little on
average), and its uncertainty σ² = σ_d² + σ_x² · (days to the meeting)/(interval). The cut / hike
probabilities and the expected rate after the meeting m follow in closed form.

Guidance is a change of the stance, which the Fed then follows: a `fed_guidance` pin sets the
stance so that the market's cut odds equal the pinned value (Williams, 21 Nov 2025: odds 39% → 71%,
then held and rose until the cut on 10 Dec), path guidance moves it by a given amount; it fades
with `stance_half_life_days` (no published day-scale decay; Swanson 2021: forward-guidance effects
die out within a few quarters).

The expected path of the short rate (years h after the next meeting):

    E[i(h)] = i_LR + (i*_rule − action − i_LR) e^{−h/τ_p} − guidance · e^{−h/τ_st} + (m − i*) e^{−h/τ_s}

i_LR = r* + π* (the longer-run rate), τ_p = `target_convergence_years` (the SEP path closes most of
the gap in two years; a surprise move's target shift closes with it), τ_st from the stance
half-life, τ_s = −interval / ln ρ (the rule's own adjustment). `path_average(H)` is its mean over
H years (the 10-year's expectations part).

The balance sheet follows the schedule as of the start date: the starting pace (QT runoff < 0)
until QT ends (`qt_end_date`), then reserve-management bill purchases from `rmp_start_date` at
`rmp_pace`, reduced to `rmp_pace_reduced` from `rmp_reduced_date`; a `balance_sheet` shock
replaces the schedule from its day on. Reserves move with the pace; the 3-month change in reserves
is the liquidity signal. Runoff removes duration from the Fed's holdings, bill purchases do not
(the term premium reads the duration, not the reserves). Optional 'Fed put' (off by default): past
a drawdown and VOL threshold the Fed signals a cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np
from scipy.special import ndtr, ndtri

from ..config import Params, ParamView, RunParams
from ..errors import InputError
from ..inputs import fomc
from .base import add_reduce


@dataclass(frozen=True)
class FedParams(ParamView, section="fed"):
    """What the FOMC reads (interlock/data/params/fed.toml, [fed])."""

    policy_rate: float                 # decimal: the fed funds rate at day 0
    neutral_real_rate: float           # decimal: r* of the rule
    inflation_target: float            # decimal: π*
    taylor_inflation: float            # a_π: weight on the inflation gap
    taylor_gap: float                  # a_y: weight on the (year-ahead) output gap
    growth_outlook_years: float        # years: h, how far ahead the gap is read
    tariff_look_through: float         # λ_LT: share of the tariff part of inflation looked through
    inertia: float                     # ρ: weight on the shadow rate per meeting
    stance_half_life_days: float       # days: decay of guidance (pinned odds, path guidance)
    target_convergence_years: float    # years: τ_p, how fast i* (and a surprise move's shift) returns to the long run
    meeting_schedule: str              # "fomc": the FOMC's calendar (inputs/fomc.py); "interval": every n days
    meeting_interval_days: int         # trading days between meetings ("interval", and after the calendar)
    first_meeting_day: int             # trading day of the first meeting ("interval" only)
    step: float                        # decimal: one move (25 bp)
    max_steps_per_meeting: int         # steps: a meeting moves the rate by at most this many
    reversal_threshold_steps: float    # steps: the gap a move against the last move's direction needs
    last_move_direction: int           # the direction of the last move before day 0 (−1 cut, +1 hike, 0 none)
    effective_lower_bound: float       # decimal: the policy rate never goes below it
    judgment_sd: float                 # decimal: σ_d, the committee's judgment at a meeting
    data_news_sd: float                # decimal: σ_x, data still to come over one inter-meeting period
    cut_prob: float                    # the market's cut odds for the next meeting at day 0 (data)
    hike_prob: float                   # the market's hike odds for the next meeting at day 0 (data)
    start_stance: str                  # "market": the Committee's day-0 stance is what the market priced; "rule"
    odds_clip: float                   # probability: odds are solved within [clip, 1 − clip]
    speech_noise: float                # decimal per day: s.d. of the market's misreading shocks
    speech_half_life_days: float       # days: the misreading's persistence
    political_pressure: float          # decimal subtracted from the rule's target
    reserves: float                    # USD bn at day 0
    balance_sheet_pace: float          # USD bn / month at day 0 (QT < 0, purchases > 0)
    qt_end_date: str                   # date: QT runoff stops
    rmp_start_date: str                # date: reserve-management purchases of bills start
    rmp_pace: float                    # USD bn / month of bills, from rmp_start_date
    rmp_reduced_date: str              # date: the purchase pace is reduced
    rmp_pace_reduced: float            # USD bn / month from rmp_reduced_date
    liquidity_window_days: int         # trading days of reserves the liquidity signal spans
    put_enabled: bool                  # the optional 'Fed put'
    put_drawdown: float                # S&P drawdown that arms the put
    put_vol: float                     # VOL_1M that arms the put
    put_cut_prob: float                # cut odds the put signals at least


def trading_day_of(start_date: str, date: str) -> int:
    """Trading day (weekdays, as the runner's calendar: `pandas.bdate_range`) of a calendar date
    for a run starting on `start_date` (day 0); negative for dates before the start."""
    return int(np.busday_count(np.datetime64(start_date, "D"), np.datetime64(date, "D")))


def path_weight(horizon: float, tau: float) -> float:
    """Mean of e^{−h/τ} over h ∈ [0, H]: the share of a deviation decaying with time scale τ (years)
    that an average over H years keeps."""
    if tau <= 0.0:
        return 0.0
    if horizon <= 0.0:
        return 1.0
    return tau / horizon * (1.0 - math.exp(-horizon / tau))


class Fed(mesa.Agent):
    """The FOMC: its rule, the shadow rate, the market's odds and path, and the balance sheet."""

    def __init__(self, model, p: Params, rng: np.random.Generator, active: bool = True):
        super().__init__(model)
        q = self.q = FedParams.from_params(p)
        run = RunParams.from_params(p)
        self.active = active
        self.stream_rng = rng
        self.ann = run.trading_days_per_year
        self.days_per_month = run.days_per_month
        self.policy_rate = q.policy_rate
        self.shadow = q.policy_rate                  # s: continuous, never reset to the rounded rate
        self.neutral = q.neutral_real_rate
        self.pi_star = q.inflation_target
        self.long_run = q.neutral_real_rate + q.inflation_target
        self.interval = q.meeting_interval_days
        self._calendar, self._last_listed = self._meeting_calendar(q, run.start_date)
        self.next_meeting = self._following_meeting()
        self.step_size = q.step
        self.political_pressure = q.political_pressure
        self.guidance = 0.0                          # tilt from guidance, subtracted from i* (decays τ_st)
        self.action = 0.0                            # target shift a surprise move reveals (decays τ_p)
        self.misreading = 0.0                        # d: the market's misreading of Fed speak
        self.pins: dict[int, float] = {}             # day -> cut odds a fed_guidance shock pins
        self.drawdown = 0.0                          # S&P drawdown the outlook reads (averaged, last close)
        self.decay_stance = 0.5 ** (1.0 / q.stance_half_life_days)
        self.decay_action = math.exp(-1.0 / (q.target_convergence_years * self.ann))
        self.decay_speech = 0.5 ** (1.0 / q.speech_half_life_days)
        # time scales of the expected path (years)
        self.tau_p = q.target_convergence_years
        self.tau_st = q.stance_half_life_days / self.ann / math.log(2.0)
        self.tau_s = (self.interval / self.ann / -math.log(q.inertia)) if 0.0 < q.inertia < 1.0 else (
            0.0 if q.inertia <= 0.0 else math.inf)
        self._path_weights: dict[float, tuple[float, float, float]] = {}   # horizon -> (w_p, w_st, w_s)
        # the meeting's outcomes in steps, fixed for the run: where the decision turns to k steps, the
        # bin edges of the market's odds (× the step) and the moves k·step, k = −K..K (issue #16)
        K = q.max_steps_per_meeting
        self._edge_steps = np.array([0.5] + [float(k) for k in range(2, K + 1)])
        # a reversal's first edge is the reversal threshold (never below the half step, never past 2)
        self._reversal_edge_steps = self._edge_steps.copy()
        self._reversal_edge_steps[0] = min(max(0.5, q.reversal_threshold_steps), 2.0 if K >= 2 else math.inf)
        self._moves = np.arange(-K, K + 1) * self.step_size
        self.last_direction = int(np.sign(q.last_move_direction))
        self._set_edges()
        self._rates_at = math.nan                    # the policy rate `_rates` was computed at
        # the balance sheet: the schedule as of the start date
        start = run.start_date
        events = [(0, q.balance_sheet_pace)]
        for date, pace in ((q.qt_end_date, 0.0), (q.rmp_start_date, q.rmp_pace),
                           (q.rmp_reduced_date, q.rmp_pace_reduced)):
            d = trading_day_of(start, date)
            if d > 0:
                events.append((d, pace))
        self.schedule = sorted(events)
        self.scheduled = True                        # False once a balance_sheet shock takes over
        self.pace = self._scheduled_pace(0)          # USD bn / month
        self.duration_share = 0.0                    # share of purchases in duration (bills: 0)
        self.reserves = q.reserves
        self.duration_change = 0.0                   # USD bn of duration the Fed's holdings gained since day 0
        self.program_end: int | None = None          # the day an announced program's pace stops (balance_sheet months)
        self._reserve_hist = [self.reserves] * q.liquidity_window_days
        # day 0: the odds of the next decision equal the observed ones. "market": the Committee's stance
        # is what the market priced (it reads the Fed right: markets rarely misprice a meeting a few days
        # ahead), so the Fed decides as priced; "rule": the rule alone decides and the market's
        # misreading carries the difference (a surprise at the first meeting when they disagree)
        self.judgment_sd = q.judgment_sd             # σ_d (until the first meeting: what its pricing implies)
        self._refresh()
        if q.start_stance == "market":
            self._adopt_priced_stance(q.cut_prob, q.hike_prob)
        else:
            self.misreading = self._solve_shift(q.cut_prob)
        self._refresh()

    @staticmethod
    def _meeting_calendar(q: FedParams, start_date: str) -> tuple[list[int], int]:
        """The meeting days the run knows in advance and the day after which they follow every
        `interval` days: the FOMC's calendar from the start date, or `first_meeting_day` on."""
        if q.meeting_schedule == "interval":
            return [q.first_meeting_day], q.first_meeting_day
        if start_date < fomc.FIRST[:4] + "-01-01":
            raise InputError(f"the FOMC calendar starts in {fomc.FIRST[:4]}; the run starts on {start_date}",
                             file="params", key="fed.meeting_schedule",
                             allowed='"interval" (with fed.first_meeting_day) for a start before '
                                     f"{fomc.FIRST[:4]}, or a start date from {fomc.FIRST[:4]} on")
        return fomc.calendar_days(start_date)

    def _following_meeting(self) -> int:
        """The next meeting day: the calendar's next one, then every `interval` days from the last."""
        if self._calendar:
            return self._calendar.pop(0)
        nxt = self._last_listed + self.interval
        while nxt < 1:
            nxt += self.interval
        self._last_listed = nxt
        return nxt

    # ----- the rule --------------------------------------------------------------------------
    @property
    def stance(self) -> float:
        """The discretionary tilt subtracted from the rule's target: guidance + a surprise move's
        target shift. Setting it moves the guidance part."""
        return self.guidance + self.action

    @stance.setter
    def stance(self, value: float) -> None:
        self.guidance = value - self.action

    def rule_inflation(self) -> float:
        """π̃: core inflation net of the looked-through part of the tariff price-level rise."""
        mac = self.model.macro
        return mac.inflation - self.q.tariff_look_through * mac.tariff_inflation

    def outlook_gap(self) -> float:
        """gap^e: the output gap h years ahead if growth runs at the outlook (read with the S&P
        drawdown at the last close)."""
        mac = self.model.macro
        outlook = mac.growth_outlook(self.drawdown)
        return mac.output_gap + self.q.growth_outlook_years * (outlook - mac.potential)

    def rule_rate(self) -> float:
        """The rule's target before the discretionary stance (includes political pressure)."""
        pi = self.rule_inflation()
        return (self.neutral + pi + self.q.taylor_inflation * (pi - self.pi_star)
                + self.q.taylor_gap * self.outlook_gap() - self.political_pressure)

    def target_rate(self) -> float:
        """i*: the rule's target with the stance."""
        return self.rule_rate() - self.stance

    # ----- the market's reading --------------------------------------------------------------
    def _sigma(self) -> float:
        q = self.q
        days = max(0, self.next_meeting - self.model.day)
        return math.sqrt(self.judgment_sd ** 2 + q.data_news_sd ** 2 * days / self.interval)

    def _mu_rule(self, target: float | None = None) -> float:
        """The market's expected shadow rate at the next meeting from the rule alone (`target`:
        i* when the caller has it)."""
        rho = self.q.inertia
        return rho * self.shadow + (1.0 - rho) * (self.target_rate() if target is None else target)

    def _set_edges(self) -> None:
        """Where the decision turns to k = 1, 2, … steps, in steps of (s + g − i), on each side: the
        first step at half a step (rounding), the k-th (k ≥ 2) only once the gap is k whole steps
        (gradualism: a 50bp move needs a 50bp gap, so a bold move does not overshoot and get
        reversed); on the side against the last move the first step needs the reversal threshold.
        The market's odds use the same edges (`_cut_moves`, × the step)."""
        e, rev = self._edge_steps, self._reversal_edge_steps
        self._cut_edges = rev if self.last_direction > 0 else e
        self._hike_edges = rev if self.last_direction < 0 else e
        self._cut_moves = np.concatenate([[-np.inf], -self._cut_edges[::-1], self._hike_edges, [np.inf]]) * self.step_size

    def _decide(self, x: float) -> int:
        """Steps the meeting moves for a gap of x steps (the same edges as the market prices)."""
        k = int(np.searchsorted(self._hike_edges if x >= 0 else self._cut_edges, abs(x), side="right"))
        return k if x >= 0 else -k

    def _step_probs(self, mu: float, sigma: float) -> np.ndarray:
        """P(the meeting moves k steps), k = −K..K, when s + g ~ N(mu, sigma)."""
        cdf = ndtr((self.policy_rate + self._cut_moves - mu) / sigma)   # at the bin edges (± the edges, ±∞)
        return cdf[1:] - cdf[:-1]

    def _refresh(self) -> None:
        """The rule's target, the odds and the expected rate after the next meeting, from the
        current state (kept until the next refresh: a Fed switched off keeps its day-0 reading)."""
        self.i_rule = self.rule_rate()
        self.i_star = self.i_rule - self.stance
        mu = self._mu_rule(self.i_star) + self.misreading
        probs = self._step_probs(mu, self._sigma())
        K = self.q.max_steps_per_meeting
        if self.policy_rate != self._rates_at:        # the rates after each move: only a move changes them
            self._rates_at = self.policy_rate
            self._rates = np.maximum(self.q.effective_lower_bound, self.policy_rate + self._moves)
        self.cut_prob = float(add_reduce(probs[:K]))
        self.hike_prob = float(add_reduce(probs[K + 1:]))
        self.expected_next = float(probs @ self._rates)

    def _solve_shift(self, prob: float) -> float:
        """The shift of the market's expected shadow rate for the next meeting that puts the cut
        odds at `prob`: P(μ + shift + ε < i − e·step) = prob, e the cut side's first edge (half a
        step, or the reversal threshold after a hike), σ as today."""
        clip = self.q.odds_clip
        p = min(max(prob, clip), 1.0 - clip)
        mu = self._mu_rule() + self.misreading
        return self.policy_rate - self._cut_edges[0] * self.step_size - float(ndtri(p)) * self._sigma() - mu

    def _adopt_priced_stance(self, cut: float, hike: float) -> None:
        """Day 0: the Committee's stance and its judgment's s.d. for the next meeting as the market
        priced them. With s + g ~ N(μ, σ) at the meeting, P(a cut) = cut and P(a hike) = hike give
        σ = (U − L)/(z_h − z_c) and μ (L, U: the first cut and hike edges; z = the odds' normal
        quantiles), σ at most the usual σ (judgment and data news: a meeting priced at 71% is not
        made more uncertain than the model's Committee, and two far-apart edges would otherwise
        spread the odds onto 50bp moves the market did not price); μ then meets the likelier side's
        odds. The stance moves the next decision with weight 1 − ρ, as guidance does (`pin_odds`)."""
        if cut + hike > 1.0 + 1e-12:
            raise InputError(f"cut odds {cut:g} and hike odds {hike:g} add up to more than 1", file="params",
                             key="fed.cut_prob", allowed="fed.cut_prob + fed.hike_prob ≤ 1")
        q = self.q
        c, h = (min(max(x, q.odds_clip), 1.0 - q.odds_clip) for x in (cut, hike))
        lo = self.policy_rate - self._cut_edges[0] * self.step_size
        hi = self.policy_rate + self._hike_edges[0] * self.step_size
        z_c, z_h = float(ndtri(c)), float(ndtri(1.0 - h))
        sd = self._sigma()
        if z_h > z_c:
            sd = min(sd, (hi - lo) / (z_h - z_c))
        mu = lo - z_c * sd if c >= h else hi - z_h * sd
        news = q.data_news_sd ** 2 * max(0, self.next_meeting - self.model.day) / self.interval
        self.judgment_sd = math.sqrt(sd * sd - news) if sd * sd > news else 1e-6
        shift = mu - self._mu_rule(self.i_star)
        self.guidance -= shift / max(1.0 - q.inertia, 1e-12)

    def pin_odds(self, prob: float) -> None:
        """Guidance: the Fed moves its stance so that the market's cut odds are `prob` (the stance
        enters the next decision with weight 1 − ρ, so it moves by shift / (1 − ρ))."""
        w = 1.0 - self.q.inertia
        self.guidance -= self._solve_shift(prob) / w
        self._refresh()

    # ----- the expected path -------------------------------------------------------------------
    def path_average(self, years: float) -> float:
        """The market's expected average short rate over the next `years` (from the next meeting)."""
        w_p, w_st, w_s = self._weights(years)
        return (self.long_run + (self.i_rule - self.long_run) * w_p - self.action * w_p
                - self.guidance * w_st + (self.expected_next - self.i_star) * w_s)

    def _weights(self, years: float) -> tuple[float, float, float]:
        w = self._path_weights.get(years)
        if w is None:                                # the weights depend on the horizon alone
            w = self._path_weights[years] = (path_weight(years, self.tau_p), path_weight(years, self.tau_st),
                                             path_weight(years, self.tau_s))
        return w

    def path_coefficients(self) -> tuple[tuple[float, float, float, float], int]:
        """The expected path as of now, E[i(h)] = i_LR + c_p e^{−h/τ_p} + c_st e^{−h/τ_st} + c_s e^{−h/τ_s}
        (h in years from the next meeting): (i_LR, c_p, c_st, c_s) and the next meeting's day."""
        return (self.long_run, self.i_rule - self.long_run - self.action, -self.guidance,
                self.expected_next - self.i_star), self.next_meeting

    def path_window_average(self, coefficients, years: float, ahead: float) -> float:
        """The mean of the path `coefficients` (from `path_coefficients`) over h ∈ [ahead, ahead + years]:
        what that day's market expected of the average short rate over a window starting `ahead` years
        after its next meeting. At ahead = 0 with today's coefficients it is `path_average(years)`."""
        (i_lr, c_p, c_st, c_s), _ = coefficients
        w_p, w_st, w_s = (w * (math.exp(-ahead / t) if t > 0.0 else 0.0)
                          for w, t in zip(self._weights(years), (self.tau_p, self.tau_st, self.tau_s)))
        return i_lr + c_p * w_p + c_st * w_st + c_s * w_s

    def expected_rate(self, weight: float = 1.0) -> float:
        """The policy rate plus `weight` × the expected move at the next meeting (what crypto
        allocators discount)."""
        return self.policy_rate + weight * (self.expected_next - self.policy_rate)

    @property
    def liquidity(self) -> float:
        """Liquidity signal: change in reserves over the window (3 months), USD trillions."""
        return (self.reserves - self._reserve_hist[0]) / 1000.0

    # ----- the balance sheet -------------------------------------------------------------------
    def _scheduled_pace(self, day: int) -> float:
        pace = self.schedule[0][1]
        for d, v in self.schedule:
            if d <= day:
                pace = v
        return pace

    def expected_duration_change(self, months: float) -> float:
        """USD bn of duration the Fed's holdings gained since day 0 plus what an announced pace (a
        `balance_sheet` shock) will add over the next `months`: the market prices a program's expected
        stock when it is announced, not as the purchases settle (Gagnon, Raskin, Remache & Sack 2011).
        Under the start-date schedule only the realised part counts (its remaining duration change is
        a week of runoff, ≈ 0.3bp of term premium)."""
        if self.scheduled:
            return self.duration_change
        if self.program_end is not None:              # an announced length: all of what is left of it
            months = max(0, self.program_end - self.model.day - 1) / self.days_per_month
        monthly = self.pace if self.pace < 0 else self.pace * self.duration_share
        return self.duration_change + months * monthly

    def set_pace(self, pace: float, duration_share: float, months: float | None = None) -> None:
        """A `balance_sheet` shock: this pace from today on, the schedule no longer applies; with
        `months`, for that long (then the pace is zero), else open-ended."""
        self.scheduled = False
        self.pace = pace
        self.duration_share = duration_share
        self.program_end = None if months is None else self.model.day + round(months * self.days_per_month)

    def _balance_sheet(self, day: int) -> None:
        if self.scheduled:
            self.pace = self._scheduled_pace(day)
        elif self.program_end is not None and day >= self.program_end:
            self.pace, self.program_end = 0.0, None     # an announced program has run its length
        flow = self.pace / self.days_per_month
        self.reserves = max(0.0, self.reserves + flow)
        # runoff lets coupon securities and MBS mature (duration leaves); purchases add duration
        # only for their duration share (reserve-management purchases are bills: none)
        self.duration_change += flow if flow < 0 else flow * self.duration_share
        self._reserve_hist.pop(0)
        self._reserve_hist.append(self.reserves)

    # ----- moves -----------------------------------------------------------------------------
    def surprise_move(self, change: float, reason: str) -> None:
        """An unscheduled (or surprise) move: the rate and the shadow rate move by `change`, and the
        target by the same amount (`action`), so the market reads it as a persistent shift of policy
        (Bernanke & Kuttner 2005: permanent surprises move stocks). The shift closes like any gap of
        the target to the longer-run rate (τ_p), not at the guidance half-life: a surprise target
        change moves the 1-year yield 0.72 for 1 and barely changes the expected next actions
        (Kuttner 2001); path_weight(1 y, τ_p = 1.5 y) = 0.73."""
        self.set_rate(self.policy_rate + change, reason=reason)
        self.shadow += change
        self.action -= change
        self._refresh()

    def add_path_guidance(self, change: float) -> None:
        """Guidance about the path beyond the next meeting: a stance shift that decays with the
        stance half-life (Swanson 2021: forward-guidance effects die out within a few quarters)."""
        self.guidance -= change
        self._refresh()

    def set_rate(self, new_rate: float, reason: str) -> None:
        old = self.policy_rate
        self.policy_rate = max(self.q.effective_lower_bound, new_rate)
        if self.policy_rate != old:
            self.last_direction = 1 if self.policy_rate > old else -1
            self._set_edges()
        self.model.log_event("fed", "Fed", "policy_rate", reason, float("nan"),
                             f"{old * 100:.2f}% -> {self.policy_rate * 100:.2f}%")

    # ----- the day ---------------------------------------------------------------------------
    def step(self) -> None:
        day = self.model.day
        q = self.q
        self._balance_sheet(day)
        z = self.stream_rng.standard_normal(2)           # drawn every day: common random numbers
        if not self.active:
            return
        self.drawdown = self.model.macro.equity_drawdown   # averaged over weeks (macro.drawdown_half_life_days)
        self.guidance *= self.decay_stance
        self.action *= self.decay_action
        self.misreading = self.decay_speech * self.misreading + q.speech_noise * z[0]
        if day in self.pins:
            self.pin_odds(self.pins[day])
        if q.put_enabled:
            m = self.model
            self._refresh()
            if (m.spx_drawdown() > q.put_drawdown and m.vol.vol_1m > q.put_vol
                    and self.cut_prob < q.put_cut_prob):
                self.pin_odds(q.put_cut_prob)
        if day >= self.next_meeting:
            self._meeting(z[1])
        self._refresh()

    def _meeting(self, z: float) -> None:
        q = self.q
        self.next_meeting = self._following_meeting()
        # the committee's judgment enters the shadow rate: it persists and fades like the rest of s
        self.shadow = q.inertia * self.shadow + (1.0 - q.inertia) * self.target_rate() + self.judgment_sd * z
        self.judgment_sd = q.judgment_sd             # a priced first meeting's own uncertainty is used up
        steps = self._decide((self.shadow - self.policy_rate) / self.step_size)
        if steps != 0:
            self.set_rate(self.policy_rate + steps * self.step_size, reason="FOMC")
