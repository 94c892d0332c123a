"""The equity wealth effect moves the level of output, not its growth rate (`model/macro.py`;
Chodorow-Reich, Nenov & Simsek 2021: a dollar of stock wealth lost lowers spending by a few cents a
year). A drawdown held for years lowers the output gap to −wealth_effect × drawdown and leaves it
there; read as growth, as before, the gap fell every year the drawdown lasted (to −5 … −9% on average
for a decade on three of ten 3,000-day baselines, the policy rate at zero; docs/validation.md). The Fed's
outlook reads the part of the level effect the gap does not hold yet: all of it on the day, none
once output has fallen."""

from __future__ import annotations

import pytest

from interlock.config import Params
from interlock.model.macro import Macro


def _macro() -> Macro:
    mac = Macro(Params.defaults())
    mac.output_gap = 0.0
    return mac


def test_a_lasting_drawdown_lowers_the_level_of_output_once():
    mac, dd = _macro(), 0.30
    gaps = []
    for day in range(2520):                              # ten years with the S&P 30% below its high
        mac.step(rate_gap=0.0, equity_drawdown=dd)
        gaps.append(mac.output_gap)
    level = -mac.wealth_effect * dd                      # −2.1% of potential
    assert gaps[251] <= 0.9 * level                      # most of it within the first year
    assert gaps[-1] == pytest.approx(level, rel=1e-3)    # and it stays there: no decade-long slide
    assert mac.growth == pytest.approx(mac.potential, abs=1e-4)
    assert mac.wealth_gap == pytest.approx(mac.output_gap, rel=1e-9)   # the wealth term's own part is all of it


def test_the_outlook_reads_the_level_effect_not_yet_in_the_gap():
    mac, dd = _macro(), 0.20
    base = mac.growth_outlook(0.0)
    mac.step(rate_gap=0.0, equity_drawdown=dd)
    day1 = mac.growth_outlook(dd)
    for _ in range(1260):
        mac.step(rate_gap=0.0, equity_drawdown=dd)
    later = mac.growth_outlook(dd)
    # the day after: (almost) the whole level effect is still ahead; five years on, none of it
    assert base - day1 == pytest.approx(mac.wealth_effect * dd, rel=0.02)
    assert base - later == pytest.approx(0.0, abs=1e-4)
    # the year-ahead gap the rule reads, gap + h · (outlook − potential), tends to the realised gap
    assert mac.output_gap == pytest.approx(-mac.wealth_effect * dd, rel=1e-3)


def test_a_recovery_gives_the_output_back():
    mac = _macro()
    for _ in range(504):
        mac.step(rate_gap=0.0, equity_drawdown=0.25)
    for _ in range(756):
        mac.step(rate_gap=0.0, equity_drawdown=0.0)
    assert mac.output_gap == pytest.approx(0.0, abs=1e-4)
