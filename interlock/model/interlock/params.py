"""What the interlock block itself reads (interlock/data/params/interlock.toml): its top-level
switches and the deals, firms and valuation sections. The firms' decision rules read their own
views, declared beside the rules: `agents.hyperscaler.CapexParams` ([interlock.capex]),
`agents.ai_lab.FundingParams` ([interlock.funding]); the compute market reads
`compute_market.ComputeParams` ([interlock.compute])."""

from __future__ import annotations

from dataclasses import dataclass

from ...config import ParamView


@dataclass(frozen=True)
class InterlockParams(ParamView, section="interlock",
                      nested=("deals", "firms", "capex", "compute", "valuation", "funding", "snapshot", "exposure")):
    """[interlock]: files, billing cadence, reporting threshold, momentum window."""

    deals_file: str                  # path; empty = the shipped deals.csv
    firms_file: str                  # path; empty = the shipped firms.csv
    billing_days: int                # trading days between billing (booking, decisions, new rates)
    cascade_min_bn: float            # USD bn: smallest propagation written as an event
    momentum_days: int               # trading days of the stock momentum firms and investors see


@dataclass(frozen=True)
class DealsParams(ParamView, section="interlock.deals"):
    """[interlock.deals]: how the deals file becomes payment schedules and stakes."""

    run_rate_max_years: float        # short supply deals of spenders and chip vendors roll forward
    ramped: str                      # deal ids paid on a linear ramp
    share_settled: str               # deal ids settled in shares (no cash)
    conversion: str                  # "id=p, …": conversion probabilities replacing the file's
    renewal_rate: float              # an expiring supply contract is renewed at this share
    renewal_max_years: float         # only contracts this short renew (one-off orders)
    renewal_horizon_years: float     # renewals are scheduled this far ahead
    recognition_ramp_years: float    # a contract starting in a run ramps up over this time
    residual_capex_min_share: float  # capex off the deals above this share goes to 'other suppliers'
    max_stake_share: float           # bound on any stake (I − S stays invertible)


@dataclass(frozen=True)
class SnapshotParams(ParamView, section="interlock.snapshot"):
    """[interlock.snapshot]: which snapshot a start date selects (`inputs.snapshots.select`)."""

    dir: str                         # folder of snapshot folders; empty = the shipped ones
    max_age_days: int                # calendar days a snapshot may be older than the start date


@dataclass(frozen=True)
class FirmsParams(ParamView, section="interlock.firms"):
    """[interlock.firms]: revenue growth, lab margins and data gaps of the firms table."""

    non_ai_revenue_growth: float     # annual log growth of non-AI revenue
    ai_revenue_growth: float         # hyperscalers' AI revenue growth (fades to the long run)
    lab_revenue_growth: float        # labs' revenue growth (fades to the long run)
    lab_cash_margin: float           # share of a lab's revenue left as operating cash
    exogenous_revenue_floor: float   # revenue from outside the graph ≥ this share of reported
    unknown_cash_share: float        # a private lab's unpublished cash, share of its valuation
    unknown_cash_revenue_share: float  # cash of a firm with no cash figure and no valuation


@dataclass(frozen=True)
class ValuationParams(ParamView, section="interlock.valuation"):
    """[interlock.valuation]: discounting, growth horizon and bounds of firm values."""

    equity_risk_premium: float       # over the fair 10-year yield
    long_run_growth: float           # g∞ after the high-growth horizon
    high_growth_years: float         # growth fades linearly to g∞ over this horizon
    min_spread: float                # floor of r − g∞ in the terminal multiple
    counterparty_horizon_years: float  # horizon of a lab's funded share of its commitments
    duration_rate_bump: float        # finite-difference bump for rate durations
    min_standalone_share: float      # floor of standalone value in the day-0 calibration
    growth_floor: float              # lower bound of expected growth rates
    run_rate_growth_cap: float       # upper bound of run-rate revenue growth
    ai_growth_cap: float             # upper bound of AI revenue growth


@dataclass(frozen=True)
class ExposureParams(ParamView, section="interlock.exposure"):
    """[interlock.exposure]: how a compute-efficiency shock re-prices firms by their exposure."""

    forward_years: float             # years over which expected compute volume is revised
    buyer_saving_kept: float         # share of a buyer's compute-cost saving kept as earnings
