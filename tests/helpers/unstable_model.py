"""A sweep model whose runs are unstable on purpose: the Ishigami test function
(`interlock.experiments.sweeps.ishigami:run`), with every run whose `ishigami.x1` is above
`UNSTABLE_ABOVE` reporting a bound guard the way the model's runs do (`summary["stability"]` and
the flat metrics `stability.stable` / `stability.guard_events`). The tests of stability
visibility use it so they do not depend on which market core makes a real run unstable."""

from __future__ import annotations

from interlock.experiments.sweeps.ishigami import run as ishigami_run

UNSTABLE_ABOVE = 2.0
MODEL = "unstable_model:run"


def run(scenario=None, **kw):
    res = ishigami_run(scenario, **kw)
    x1 = res.params["ishigami.x1"]
    stable = x1 <= UNSTABLE_ABOVE
    events = 0 if stable else 3
    res.summary["stability"] = {"stable": stable, "reasons": [] if stable else [f"x1 = {x1:.2f} past the test guard"],
                                "guard_events": events}
    res.summary["metrics"]["stability"] = {"stable": float(stable), "guard_events": float(events)}
    return res
