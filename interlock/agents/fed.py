"""The Federal Reserve (MODEL.md §3.7; seeds/000, 001, 002).

Decision rule at each FOMC meeting (every ~32 trading days):
    i*      = r_neutral + π + a_π (π − π*) + a_y · gap                 Taylor (1993)
    target  = ρ · i + (1 − ρ) · (i* − political_pressure)                inertia, independence erosion
    move    = nearest multiple of the step (25 bp) toward the target, at most ±2 steps
              (`fed.max_steps_per_meeting`); never below the effective lower bound
Between meetings the market-implied probability of a cut at the next meeting drifts toward what
the reaction function implies, hit each day by i.i.d. 'speech' shocks in logit space (seeds/001:
80% → 30% → 80% on one official's remarks); fed_guidance shocks pin it to a path. The balance
sheet changes reserves by a monthly pace (QT runoff < 0, reserve-management purchases > 0); the
3-month change in reserves is the liquidity signal that risk-taking agents read. Optional 'Fed
put': when the S&P drawdown and VOL pass thresholds, cut odds jump.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np

from ..config import Params, ParamView, RunParams


@dataclass(frozen=True)
class FedParams(ParamView, section="fed"):
    """What the FOMC reads (interlock/data/params/fed.toml, [fed])."""

    policy_rate: float                 # decimal: the fed funds rate at day 0
    neutral_real_rate: float           # decimal: r_neutral of the Taylor rule
    inflation_target: float            # decimal: π*
    taylor_inflation: float            # a_π: weight on the inflation gap
    taylor_gap: float                  # a_y: weight on the output gap
    inertia: float                     # ρ: weight on the current rate per meeting
    meeting_interval_days: int         # trading days between FOMC meetings
    first_meeting_day: int             # trading day of the first meeting
    step: float                        # decimal: one move (25 bp)
    max_steps_per_meeting: int         # steps: a meeting moves the rate by at most this many
    effective_lower_bound: float       # decimal: the policy rate never goes below it
    cut_prob: float                    # probability of a cut at the next meeting, day 0
    cut_prob_speed: float              # per day: pull of the odds toward the reaction function (logit)
    cut_prob_slope: float              # logit per step of (rate − target): steepness of the implied odds
    odds_clip: float                   # probability: odds are read within [clip, 1 − clip] in logit space
    speech_noise: float                # logit s.d. per day of speech shocks
    political_pressure: float          # decimal subtracted from the Taylor target
    reserves: float                    # USD bn at day 0
    balance_sheet_pace: float          # USD bn / month (QT < 0, purchases > 0)
    liquidity_window_days: int         # trading days of reserves the liquidity signal spans
    put_enabled: bool                  # the optional 'Fed put'
    put_drawdown: float                # S&P drawdown that arms the put
    put_vol: float                     # VOL_1M that arms the put
    put_cut_prob: float                # cut odds the put sets at least


def _logit(p: float, clip: float) -> float:
    p = min(max(p, clip), 1 - clip)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class Fed(mesa.Agent):
    """The FOMC, its reaction function, cut-odds state and balance sheet."""

    def __init__(self, model, p: Params, rng: np.random.Generator, active: bool = True):
        super().__init__(model)
        q = self.q = FedParams.from_params(p)
        self.active = active
        self.stream_rng = rng
        self.days_per_month = RunParams.from_params(p).days_per_month
        self.policy_rate = q.policy_rate
        self.neutral = q.neutral_real_rate
        self.pi_star = q.inflation_target
        self.a_pi = q.taylor_inflation
        self.a_y = q.taylor_gap
        self.inertia = q.inertia
        self.interval = q.meeting_interval_days
        self.next_meeting = q.first_meeting_day
        self.step_size = q.step
        self.cut_prob = q.cut_prob
        self.cut_speed = q.cut_prob_speed
        self.speech_noise = q.speech_noise
        self.political_pressure = q.political_pressure
        self.reserves = q.reserves
        self.pace = q.balance_sheet_pace             # USD bn / month
        self.guidance: dict[int, float] = {}         # day -> pinned cut probability
        self._reserve_hist = [self.reserves] * q.liquidity_window_days

    # ----- the reaction function -----------------------------------------------------------
    def taylor_rate(self) -> float:
        mac = self.model.macro
        return (self.neutral + mac.inflation + self.a_pi * (mac.inflation - self.pi_star)
                + self.a_y * mac.output_gap)

    def target_rate(self) -> float:
        return (self.inertia * self.policy_rate
                + (1.0 - self.inertia) * (self.taylor_rate() - self.political_pressure))

    def implied_cut_prob(self) -> float:
        """Probability of a cut at the next meeting implied by the reaction function: even odds
        when the target is half a step below the rate, where the meeting's rounding turns to a cut."""
        gap = (self.policy_rate - self.target_rate()) / self.step_size
        return _sigmoid(self.q.cut_prob_slope * (gap - 0.5))

    @property
    def liquidity(self) -> float:
        """Liquidity signal: change in reserves over the window (3 months), USD trillions."""
        return (self.reserves - self._reserve_hist[0]) / 1000.0

    # ----- the day ---------------------------------------------------------------------------
    def step(self) -> None:
        day = self.model.day
        q = self.q
        self.reserves = max(0.0, self.reserves + self.pace / self.days_per_month)
        self._reserve_hist.pop(0)
        self._reserve_hist.append(self.reserves)
        z = self.stream_rng.standard_normal()              # drawn every day: common random numbers
        if not self.active:
            return
        if day in self.guidance:
            self.cut_prob = self.guidance[day]
        else:
            x = _logit(self.cut_prob, q.odds_clip)
            x += (self.cut_speed * (_logit(self.implied_cut_prob(), q.odds_clip) - x)
                  + self.speech_noise * z)
            self.cut_prob = _sigmoid(x)
        if q.put_enabled:
            m = self.model
            if m.spx_drawdown() > q.put_drawdown and m.vol.vol_1m > q.put_vol:
                self.cut_prob = max(self.cut_prob, q.put_cut_prob)
        if day >= self.next_meeting:
            self.next_meeting += self.interval
            move = self.target_rate() - self.policy_rate
            steps = round(move / self.step_size)
            if steps != 0:
                steps = max(-q.max_steps_per_meeting, min(q.max_steps_per_meeting, steps))
                self.set_rate(self.policy_rate + steps * self.step_size, reason="FOMC")
            self.cut_prob = self.implied_cut_prob()

    def set_rate(self, new_rate: float, reason: str) -> None:
        old = self.policy_rate
        self.policy_rate = max(self.q.effective_lower_bound, new_rate)
        self.model.log_event("fed", "Fed", "policy_rate", reason, float("nan"),
                             f"{old * 100:.2f}% -> {self.policy_rate * 100:.2f}%")

    def expected_rate(self, weight: float) -> float:
        """Policy rate net of the expected next move (what markets discount)."""
        return self.policy_rate - self.step_size * self.cut_prob * weight
