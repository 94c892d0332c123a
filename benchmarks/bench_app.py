"""The app's cost per step (issue #15: ≤ 0.3 s of CPU per step here): what the server does for one
trading day, with the app's own functions (interlock.viz.app), figures rendered to PNG bytes at the
app's resolution as the page does (`figure_png`, the panels' `png`).

- Play: the model steps every day and the charts (prices, flows, VOL with the ghost run) are drawn
  every RENDER_EVERY days and on the last: CPU per day, amortised.
- Step (paused): one day, then every panel: the charts (one figure per session, its data, y axes
  and legends drawn over a cached background of titles and x axes),
  the cascade of the default day round by round (drawn when that day changes: a finished day's
  cascade is cached, as in the app), and the network (updated in place, its static parts blitted).

    python benchmarks/bench_app.py [--days 60]   # writes its section of RESULTS.md
    python benchmarks/bench_app.py --quick       # 20 days, prints only
"""

from __future__ import annotations

import argparse
import statistics
import time

import results  # benchmarks/results.py

TARGET_S = 0.3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--scenario", default="vol_shock")
    ap.add_argument("--quick", action="store_true", help="20 days; print, write nothing")
    a = ap.parse_args()
    if a.quick:
        a.days = 20
    load0 = results.load()
    from interlock.viz import app
    from interlock.viz.cascade import default_day

    # warm-up (imports, caches), and the ghost run the charts carry
    warm = app.AppModel(scenario=a.scenario, seed=2)
    for _ in range(5):
        warm.step()
    ghost = app.ghost_of(warm)
    app.OverviewPanelState().png(warm.result(), ghost, warm.end_day)

    play, paused = [], []
    m_play = app.AppModel(scenario=a.scenario, seed=1)
    m_step = app.AppModel(scenario=a.scenario, seed=1)
    over_play, over_step = app.OverviewPanelState(), app.OverviewPanelState()   # one per session
    net = app.NetworkPanelState(m_step)
    cascade_day = None
    for day in range(1, a.days + 1):                 # the two modes interleaved, day by day
        c = time.process_time()
        m_play.step()
        if day % app.RENDER_EVERY == 0 or not m_play.running:
            over_play.png(m_play.result(), ghost, m_play.end_day)
        play.append(time.process_time() - c)
        c = time.process_time()
        m_step.step()
        res = m_step.result()
        over_step.png(res, ghost, m_step.end_day)
        d = default_day(res)
        if d != cascade_day:                         # the app draws a day's cascade once (cached)
            cascade_day = d
            fig, _ = app.cascade_figure(res, d)
            app.figure_png(fig)
        net.png(m_step)
        paused.append(time.process_time() - c)
    for m in (warm, m_play, m_step):
        m.sim.release()

    per_play = sum(play) / len(play)
    med = statistics.median
    lines = ["## The app: CPU per step (bench_app.py)", "", results.context(__file__, load0), "",
             f"{a.scenario}, days 1–{a.days}, the two modes interleaved day by day (CPU seconds).", "",
             "| mode | CPU s per day | median | max |", "|---|---:|---:|---:|",
             f"| Play (charts every {app.RENDER_EVERY} days) | **{per_play:.3f}** | {med(play):.3f} | {max(play):.3f} |",
             f"| Step while paused (charts + cascade + network) | **{sum(paused) / len(paused):.3f}** | "
             f"{med(paused):.3f} | {max(paused):.3f} |", "",
             f"Target ≤ {TARGET_S} s per step (issue #15), Play: **{'met' if per_play <= TARGET_S else 'not met'}**; "
             f"a Step while paused: **{'met' if med(paused) <= TARGET_S else 'not met'}** (median)."]
    results.publish(__file__, lines, write=not a.quick)


if __name__ == "__main__":
    main()
