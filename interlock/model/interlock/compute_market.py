"""The AI compute market (MODEL.md §3.4, seeds/003 and 001/004 for energy): capacity built from
lagged capex, demand with a baseline growth and an agentic-adoption regime switch, utilisation,
the efficiency (DeepSeek) shock with a Jevons elasticity, and a power cap.

Units: capacity and demand are indices (starting capacity = 1, starting demand = the starting
utilisation), so only ratios matter.

    gross additions/day = c · capex_total(t − lag) / 252        c sets net supply growth to the
                                                                 observed ≈50%/yr at today's capex
    energised ≤ K · power_growth_cap / 252 + depreciation       the rest waits in `stranded`
    K += energised − K / (depreciation_years · 252)
    demand  = D0 · exp(∫ g_d) · agentic(t) · k^(φ·ε − 1)        efficiency k: compute per use ÷ k;
                                                                 AI prices fall by k^−φ, use rises
                                                                 by price^−ε (Jevons)
    utilisation = min(1, demand / K);  planning utilisation = demand / (K + stranded)

What capex responds to (`utilisation_gap`): the level of utilisation a year ahead against the
operators' target, ln(u₊₁ / u*), where u₊₁ is the utilisation the capacity already paid for (the
capex of the last four quarters, which comes online over the next year) will meet when demand
grows as firms expect now:

    u₊₁ = D · e^{g_expected} / (K₊₁ + stranded₊₁)      K₊₁ = K + additions from the lagged capex − depreciation

So a glut (demand short of what is being built) cuts capex even if it was planned, and a shortage
raises it — utilisation evolves from supply and demand (issue #14; seeds/003's 27% → 10–15% glut
is the `compute_glut` scenario). The planned path (`project`: the same dynamics fed with the firms'
capex plans at the start) is what neoclouds' GPU-hour prices are judged against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...config import ParamView, Params, RunParams

LOG_FLOOR = 1e-12             # floor of a utilisation before its log (no demand at all)
MIN_CAPACITY = 1e-9           # capacity index stays positive (it divides demand)
MIN_CAPEX_BN = 1e-9           # USD bn/yr: capacity added per $ of capex needs a positive starting capex
MIN_RAMP_YEARS = 1e-6         # a regime switch reached "at once" still ramps over a positive time


@dataclass(frozen=True)
class ComputeParams(ParamView, section="interlock.compute"):
    """What the compute market reads (interlock/data/params/interlock.toml, [interlock.compute])."""

    utilisation: float                 # starting utilisation of AI compute capacity
    target_utilisation: float          # u*: the utilisation operators build toward
    supply_growth: float               # net capacity growth at the starting capex, per year
    demand_growth: float               # compute-demand growth before adoption, annual log
    expected_demand_growth: float      # the demand growth firms and the market plan for
    lag_quarters: int                  # quarters from capex to capacity
    depreciation_years: float          # useful life of capacity
    jevons_elasticity: float           # ε: price elasticity of AI use
    price_passthrough: float           # φ: share of an efficiency gain passed to AI prices
    agentic_multiplier: float          # default demand multiplier of agentic adoption
    agentic_ramp_years: float          # default years to full adoption
    gpu_price_elasticity: float        # log GPU-hour price per log utilisation (neocloud revenue; the block)
    agentic_revenue_elasticity: float  # log AI revenue per log adoption demand (the block)
    power_growth_cap: float            # max annual growth of energised capacity
    plan_step_days: int                # time step of the planned path


class ComputeMarket:
    """Capacity, demand and utilisation of AI compute (module docstring). `capex_total0`: the AI
    capex run-rate at the start (USD bn/yr); growth rates fade to `long_run_growth` over
    `fade_years`."""

    def __init__(self, p: Params, capex_total0: float, fade_years: float, long_run_growth: float):
        self.q = q = ComputeParams.from_params(p)
        rp = RunParams.from_params(p)
        self.ann = float(rp.trading_days_per_year)
        self.u0 = q.utilisation
        self.target = q.target_utilisation
        self.depr = 1.0 / q.depreciation_years
        self.lag_days = int(q.lag_quarters * rp.days_per_quarter)
        self.capex0 = max(capex_total0, MIN_CAPEX_BN)
        self.add_per_bn = (q.supply_growth + self.depr) / self.capex0   # capacity per $bn/yr of capex
        self.g_demand = q.demand_growth
        self.g_demand_expected = q.expected_demand_growth
        self.long_run = long_run_growth
        self.fade_years = fade_years
        self.jevons = q.jevons_elasticity
        self.passthrough = q.price_passthrough
        self.power_cap = q.power_growth_cap
        self.agentic_default = q.agentic_multiplier
        self.agentic_ramp_default = q.agentic_ramp_years
        self.capacity = 1.0
        self.stranded = 0.0
        self.log_trend = 0.0                     # ∫ demand growth
        self.log_expected_demand = math.log(self.u0)  # the demand path firms expected
        self.efficiency = 1.0                    # k: compute per unit of AI use ÷ k
        self.regimes: list[tuple[float, float, float]] = []   # demand regime switches: (start, log multiplier, ramp) in years
        # capex history before day 0 is taken flat at the starting run-rate
        self._lag = [self.capex0] * max(self.lag_days, 1)
        self._slot = 0                           # the lag buffer's slot written last
        self._current = self.capex0              # today's capex run-rate
        self.demand = self.u0
        self.utilisation = self.u0
        self.planning_utilisation = self.u0
        self.plan_t = [0.0]
        self.plan_log_u = [math.log(self.u0)]

    # ----- the planned path -------------------------------------------------------------------
    def project(self, planned_capex, years: float) -> None:
        """Project the utilisation path firms plan for over `years`: the same capacity dynamics
        fed with `planned_capex(t)` (USD bn/yr at t years) and demand growing at the expected rate,
        in steps of `plan_step_days`."""
        dt = self.q.plan_step_days / self.ann
        lag = self.lag_days / self.ann
        K, stranded, log_d = 1.0, 0.0, math.log(self.u0)
        ts, us = [0.0], [log_d]
        t = 0.0
        while t < years:
            lagged = planned_capex(t - lag) if t - lag > 0 else self.capex0
            gross = self.add_per_bn * lagged * dt
            dep = self.depr * K * dt
            want = gross + stranded
            energised = min(want, K * self.power_cap * dt + dep)
            stranded = want - energised
            K = max(K + energised - dep, MIN_CAPACITY)
            log_d += self.expected_path_growth(t) * dt
            t += dt
            ts.append(t)
            us.append(log_d - math.log(K + stranded))
        self.plan_t, self.plan_log_u = ts, us

    def planned_log_utilisation(self, t: float) -> float:
        """log of the planned (expected at the start) utilisation at t."""
        ts, us = self.plan_t, self.plan_log_u
        if t >= ts[-1]:
            return us[-1]
        k = min(int(t / (ts[1] - ts[0])), len(ts) - 2) if len(ts) > 1 else 0
        w = (t - ts[k]) / (ts[k + 1] - ts[k])
        return us[k] + w * (us[k + 1] - us[k])

    def capacity_ahead(self) -> tuple[float, float]:
        """(energised capacity, stranded capacity) one year from now from the capex already spent
        (the lag pipeline; today's capex for the part of the year beyond the lag), before any new
        decision."""
        n = len(self._lag)
        days = int(self.ann)
        if self.lag_days > 0:
            s = self._slot + 1
            order = (self._lag[s:] + self._lag[:s])[:days]       # oldest first (the ring from slot + 1)
            arriving = sum(order) + max(days - n, 0) * self._lag[self._slot]
        else:
            arriving = days * self._current
        gross = self.add_per_bn * arriving / self.ann
        dep = self.depr * self.capacity
        want = gross + self.stranded
        energised = min(want, self.capacity * self.power_cap + dep)
        return max(self.capacity + energised - dep, MIN_CAPACITY), want - energised

    def utilisation_ahead(self, t: float) -> float:
        """log utilisation a year ahead: today's demand grown at the growth expected now, over the
        capacity the capex already spent will have built (`capacity_ahead`)."""
        K1, stranded1 = self.capacity_ahead()
        return math.log(max(self.demand, LOG_FLOOR)) + self.expected_demand_growth(t) - math.log(K1 + stranded1)

    def utilisation_gap(self, t: float) -> float:
        """ln(u₊₁ / u*): utilisation a year ahead against the target level (module docstring)."""
        return self.utilisation_ahead(t) - math.log(self.target)

    def expected_path_growth(self, t: float) -> float:
        """Compute-demand growth at t on the path firms planned for (fading to the long run)."""
        w = self.fade(t)
        return w * self.g_demand_expected + (1.0 - w) * self.long_run

    # ----- growth paths -----------------------------------------------------------------------
    def fade(self, t: float) -> float:
        """Weight of the high-growth regime at t (1 → 0 linearly over the horizon)."""
        return max(0.0, 1.0 - t / self.fade_years) if self.fade_years > 0 else 0.0

    def demand_growth(self, t: float) -> float:
        """Baseline compute-demand growth at t (fades to the long-run rate with the horizon)."""
        w = self.fade(t)
        return w * self.g_demand + (1.0 - w) * self.long_run

    def add_regime(self, start: float, multiplier: float, ramp_years: float) -> None:
        """A demand regime switch from `start` (years): demand per user × `multiplier`, reached
        log-linearly over `ramp_years` (agentic adoption > 1; a demand shortfall < 1)."""
        self.regimes.append((start, math.log(multiplier), max(ramp_years, MIN_RAMP_YEARS)))

    def agentic_level(self, t: float) -> float:
        """log demand multiplier of the regime switches at t (each ramps linearly in logs)."""
        return sum(lm * min(1.0, (t - s) / r) for s, lm, r in self.regimes if t >= s)

    def agentic_growth(self, t: float) -> float:
        """Current growth of demand from regime switches still ramping (0 outside them)."""
        return sum(lm / r for s, lm, r in self.regimes if s <= t < s + r)

    def efficiency_log_factor(self) -> float:
        """log of compute demand's change from the efficiency factor: (φ·ε − 1)·ln k."""
        return (self.passthrough * self.jevons - 1.0) * math.log(self.efficiency)

    def ai_revenue_log_factor(self) -> float:
        """log of AI revenue's change (use × price) from efficiency: φ·(ε − 1)·ln k."""
        return self.passthrough * (self.jevons - 1.0) * math.log(self.efficiency)

    # ----- the day ----------------------------------------------------------------------------
    def step(self, day: int, capex_total: float) -> None:
        """Advance one trading day with today's AI capex run-rate (USD bn/yr)."""
        t = day / self.ann
        slot = day % len(self._lag)
        lagged = self._lag[slot] if self.lag_days > 0 else capex_total
        self._lag[slot] = capex_total
        self._slot, self._current = slot, capex_total
        gross = self.add_per_bn * lagged / self.ann
        dep = self.depr * self.capacity / self.ann
        want = gross + self.stranded
        energised = min(want, self.capacity * self.power_cap / self.ann + dep)
        self.stranded = want - energised
        self.capacity = max(self.capacity + energised - dep, MIN_CAPACITY)
        self.log_trend += self.demand_growth(t) / self.ann
        self.log_expected_demand += self.expected_path_growth(t) / self.ann
        level = self.agentic_level(t) if self.regimes else 0.0
        eff = self.efficiency_log_factor() if self.efficiency != 1.0 else 0.0
        self.demand = self.u0 * math.exp(self.log_trend + level + eff)
        self.utilisation = min(1.0, self.demand / self.capacity)
        self.planning_utilisation = self.demand / (self.capacity + self.stranded)

    def expected_demand_growth(self, t: float) -> float:
        """What firms expect compute demand to grow at now: the expected path plus the adoption
        ramp once it has started."""
        return self.expected_path_growth(t) + self.agentic_growth(t)
