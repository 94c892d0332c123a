"""The command line's cost (issues #15, #16): `interlock run vol_shock` and `interlock run baseline`
end to end — CPU seconds of the whole process (user + system, from the children's rusage), quiet
and printing its summary — and where it goes: importing, simulating, writing the tables, drawing
the dashboard, writing report.html. Two comparisons in
one process, interleaved: start-up with Mesa's unused spaces deferred (interlock/__init__.py) against
Mesa imported first (which loads them all, as before issue #16) — and as `interlock run` makes those
imports (commands/_startup.py) — and the dashboard as drawn (once)
against the same figure with a `tight_layout` pass first (as before issue #16). Issue #15's target:
`interlock run vol_shock` ≤ 3 s of CPU.

    python benchmarks/bench_cli.py [--repeat 5]     # writes its section of RESULTS.md
    python benchmarks/bench_cli.py --quick          # 1 repeat, prints only
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import results  # benchmarks/results.py

ROOT = Path(__file__).resolve().parents[1]
TARGET_VOL_SHOCK_S = 3.0
IMPORTS = "import interlock.experiments.runner, interlock.reports.run"
# the same imports as `interlock run` makes them (commands/_startup.py): no collection meanwhile, work at
# import that a command never reads skipped, and what they made frozen before the process ends
LEAN_IMPORTS = ("import gc\nfrom interlock.commands._startup import lean_imports\nwith lean_imports():\n"
                f"    {IMPORTS}\n    gc.freeze()")


# An arm whose command is given as (BYTECODE, cmd) runs with Python's bytecode cache on, as an
# installed package runs (pip compiles it at install; a plain `python` caches it on first import):
# in a folder of its own (PYTHONPYCACHEPREFIX, filled by a warm-up run), so the other arms — which
# inherit this process's environment — never read it. If that environment forbids the cache
# (PYTHONDONTWRITEBYTECODE) and the checkout has no __pycache__, they compile interlock's ~150
# modules from source on every run.
BYTECODE = "bytecode"
PYCACHE = tempfile.mkdtemp(prefix="bench_cli-pycache-")


def child_cpu(cmd, cwd: str) -> float:
    """CPU seconds (user + system) of running `cmd` to completion in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if isinstance(cmd, tuple) and cmd[0] == BYTECODE:
        cmd = cmd[1]
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = PYCACHE
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "interlock.cli", *args]


def dashboard_costs(repeat: int) -> tuple[list[float], list[float]]:
    """CPU seconds of drawing vol_shock's dashboard now (one draw) and with a tight_layout pass first."""
    from interlock.experiments.runner import run
    from interlock.viz import dashboard as dash
    result = run("vol_shock", progress=False)
    real_save = dash.save

    def save_after_tight_layout(fig, path, dpi=100):
        with warnings.catch_warnings():                      # twin axes: matplotlib warns, lays out anyway
            warnings.simplefilter("ignore", UserWarning)
            fig.tight_layout(rect=(0, 0, 1, 0.985), w_pad=5)    # the layout pass the dashboard made before #16
        return real_save(fig, path, dpi=dpi)

    once, tight = [], []
    with tempfile.TemporaryDirectory() as tmp:
        dash.dashboard(result, Path(tmp) / "warm.png")
        for _ in range(repeat):
            c = time.process_time()
            dash.dashboard(result, Path(tmp) / "once.png")
            once.append(time.process_time() - c)
            dash.save = save_after_tight_layout
            try:
                c = time.process_time()
                dash.dashboard(result, Path(tmp) / "tight.png")
                tight.append(time.process_time() - c)
            finally:
                dash.save = real_save
    return once, tight


def run_split() -> dict[str, float]:
    """CPU seconds of vol_shock's stages in this process (imports are measured apart, in children),
    as `interlock run` makes them: no all-classes-off rerun (only with --attribution: measured
    apart), with what the imports made frozen (gc.freeze) while simulating and the objects alive
    after the simulation frozen too while the files are written."""
    import gc
    from interlock.experiments.runner import run, write_run
    from interlock.reports.run import write_report
    from interlock.viz.dashboard import dashboard, dashboard_data
    out = {}
    gc.freeze()
    with tempfile.TemporaryDirectory() as tmp:
        c = time.process_time()
        result = run("vol_shock", progress=False, amplification=False)
        out[f"simulate (build + {result.days} days + summary)"] = time.process_time() - c
        c = time.process_time()
        run("vol_shock", progress=False, amplification=True)
        out["(with --attribution only) simulate with the all-classes-off rerun, for the amplification ratio"] = \
            time.process_time() - c
        gc.freeze()
        c = time.process_time()
        write_run(result, Path(tmp) / "run")
        out["write the tables and summary"] = time.process_time() - c
        c = time.process_time()
        data = dashboard_data(result)
        dashboard(result, Path(tmp) / "dashboard.png", data=data)
        out["draw the dashboard"] = time.process_time() - c
        c = time.process_time()
        write_report(result, Path(tmp) / "report.html", data=data)
        out["write report.html (the dashboard's numbers; the page's scripts read once)"] = time.process_time() - c
        gc.unfreeze()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="1 repeat; print, write nothing")
    a = ap.parse_args()
    if a.quick:
        a.repeat = 1
    load0 = results.load()
    from interlock.experiments.scenarios import load_scenario
    days = {name: load_scenario(name).run.days for name in ("vol_shock", "baseline")}
    vol_arm = f"`interlock run vol_shock --quiet` ({days['vol_shock']} days)"
    printing_arm = f"`interlock run vol_shock` ({days['vol_shock']} days), printing its summary"
    cached_arm = (f"`interlock run vol_shock --quiet` ({days['vol_shock']} days), bytecode cached "
                  "(as a pip-installed package runs)")
    arms = {
        vol_arm: lambda d: cli("run", "vol_shock", "--quiet", "--out", f"{d}/v"),
        printing_arm: lambda d: cli("run", "vol_shock", "--out", f"{d}/p"),
        cached_arm: lambda d: (BYTECODE, cli("run", "vol_shock", "--quiet", "--out", f"{d}/c")),
        f"`interlock run baseline --quiet` ({days['baseline']} days)":
            lambda d: cli("run", "baseline", "--quiet", "--out", f"{d}/b"),
        "imports of `interlock run` (Mesa's spaces deferred)": lambda d: [sys.executable, "-c", IMPORTS],
        "the same imports, Mesa first (every space loaded, as before #16)":
            lambda d: [sys.executable, "-c", "import mesa; " + IMPORTS],
        "the same imports as `interlock run` makes them (no collection meanwhile, numpy's f2py/testing "
        "and matplotlib's property docstrings skipped; commands/_startup.py)":
            lambda d: [sys.executable, "-c", LEAN_IMPORTS],
        "`interlock -h`": lambda d: cli("-h"),
    }
    cpu = {k: [] for k in arms}
    with tempfile.TemporaryDirectory() as tmp:
        child_cpu(arms[vol_arm](tmp), tmp)                                      # warm-up (disk caches)
        child_cpu(arms[cached_arm](tmp), tmp)                                   # fills the bytecode cache
        for _ in range(a.repeat):                                               # interleaved
            for k, cmd in arms.items():
                cpu[k].append(child_cpu(cmd(tmp), tmp))
    once, tight = dashboard_costs(a.repeat)
    split = run_split()

    med = statistics.median
    imp = [x / y for x, y in zip(cpu["imports of `interlock run` (Mesa's spaces deferred)"],
                                 cpu["the same imports, Mesa first (every space loaded, as before #16)"])]
    dash = [x / y for x, y in zip(once, tight)]
    vol = med(cpu[vol_arm])
    lines = ["## The command line: `interlock run` end to end (bench_cli.py)", "",
             results.context(__file__, load0), "",
             f"CPU seconds of the whole process (user + system), {a.repeat} runs each, the commands interleaved; "
             "median and range (on a shared machine other work inflates CPU time too — through the caches — so "
             "the minimum is the least disturbed figure).", "", "| command | CPU s (median) | min–max |",
             "|---|---:|---:|"]
    for k, xs in cpu.items():
        lines.append(f"| {k} | **{med(xs):.2f}** | {min(xs):.2f}–{max(xs):.2f} |")
    printed = med(cpu[printing_arm])
    lines += ["", f"`interlock run vol_shock` ≤ {TARGET_VOL_SHOCK_S:.0f} s (issue #15), median: "
              f"**{'met' if vol <= TARGET_VOL_SHOCK_S else 'not met'}** with --quiet ({vol:.2f} s), "
              f"**{'met' if printed <= TARGET_VOL_SHOCK_S else 'not met'}** printing its summary ({printed:.2f} s); "
              f"least disturbed (min): {min(cpu[vol_arm]):.2f} s and {min(cpu[printing_arm]):.2f} s. "
              f"With the bytecode cached, as installed: {med(cpu[cached_arm]):.2f} s "
              f"(min {min(cpu[cached_arm]):.2f} s) — "
              f"({'PYTHONDONTWRITEBYTECODE is set here' if os.environ.get('PYTHONDONTWRITEBYTECODE') else 'the bytecode cache is allowed here'}; "
              f"the checkout {'has' if any(ROOT.joinpath('interlock').rglob('__pycache__')) else 'has no'} "
              "__pycache__ for the other arms).", "",
              f"- start-up: imports with Mesa's spaces deferred ÷ with them loaded: **{med(imp):.2f}** "
              f"(range {min(imp):.2f}–{max(imp):.2f}; child processes, interleaved)",
              f"- the dashboard drawn once: **{med(once):.2f} s**, with a tight_layout pass first (before #16): "
              f"{med(tight):.2f} s; ratio **{med(dash):.2f}** (range {min(dash):.2f}–{max(dash):.2f}; one process, "
              "interleaved)", "",
              "vol_shock's stages in one process (after the imports; CPU s):", ""]
    lines += [f"- {k}: {v:.2f}" for k, v in split.items()]
    shutil.rmtree(PYCACHE, ignore_errors=True)
    results.publish(__file__, lines, write=not a.quick)


if __name__ == "__main__":
    main()
