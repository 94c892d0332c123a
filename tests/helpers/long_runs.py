"""The session's long runs: `checks.cached_run` memoised for the whole test session (see
tests/conftest.py, fixture `long_runs`)."""

from __future__ import annotations

import contextlib
from typing import Any, Iterable

import pytest

from interlock.experiments.validation import checks as V

# The validation report's sizes (`interlock.reports.validation.QUICK`; test_validate.py checks they
# agree): issue #12's 10 seeds × 3,000 baseline days with a small crypto population, every trading
# class on and every trading class off. Tests that measure the same facts read the same runs.
FACTS_DAYS = V.FACTS_DAYS
FACTS_SEEDS = V.FACTS_SEEDS
FACTS_OVERRIDES = V.FACTS_OVERRIDES
EXOGENOUS_DAYS = V.FACTS_DAYS


class SessionRuns:
    """`checks.cached_run` without its size bound, kept for the whole session.

    Call it like `checks.cached_run` (same arguments, same RunResult). `installed()` puts it in
    place of `checks.cached_run` for a block of code, so the validation's own measurements
    (`simulated_returns`, `loop_sign`, `ablation`, the report) read the session's runs too.
    `made` counts the runs actually simulated; `requested` lists the keys asked for, in order (a
    test can check that a caller read the session's runs rather than making its own)."""

    def __init__(self) -> None:
        self._runs: dict[tuple, Any] = {}
        self._original = None          # checks.cached_run itself (captured before it is replaced)
        self.made = 0
        self.requested: list[tuple] = []

    def _capture(self) -> None:
        from interlock.experiments.validation import checks
        if self._original is None and not isinstance(checks.cached_run, SessionRuns):
            self._original = checks.cached_run

    @staticmethod
    def key(scenario: str, days: int | None, seed: int, disabled: Iterable[str],
            overrides: dict[str, Any] | None, without_shocks: bool) -> tuple:
        return (scenario, days, int(seed), tuple(sorted(disabled)), V.freeze(overrides), bool(without_shocks))

    def __call__(self, scenario: str, *, days: int | None = None, seed: int = 1, disabled: Iterable[str] = (),
                 overrides: dict[str, Any] | None = None, without_shocks: bool = False):
        key = self.key(scenario, days, seed, disabled, overrides, without_shocks)
        self.requested.append(key)
        if key not in self._runs:
            self._capture()
            self._runs[key] = self._original(scenario, days=days, seed=seed, disabled=tuple(disabled),
                                             overrides=overrides, without_shocks=without_shocks)
            self.made += 1
        return self._runs[key]

    @contextlib.contextmanager
    def installed(self):
        """Within the block, `checks.cached_run` is this memo (restored after)."""
        from interlock.experiments.validation import checks
        self._capture()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(checks, "cached_run", self)
            yield self
