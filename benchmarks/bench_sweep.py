"""Sweep benchmark (run by hand): our sweep engine vs `mesa.batch_run`, and parallel efficiency.

    .venv/bin/python benchmarks/bench_sweep.py                     # the full benchmark
    .venv/bin/python benchmarks/bench_sweep.py --sizes 200 --big-runs 200 --dry-run   # a quick look

1. Side by side, the same model and the same runs (the baseline scenario, seeds 1..N, `--days`
   days each, 2 processes each): runs per second and peak memory (the sum over the process and
   all its workers of the proportional set size — shared pages counted once — sampled every
   0.2 s) at N = 200 and 2,000 runs.
   `mesa.batch_run` gets a thin wrapper (`BatchModel`) whose DataCollector reports the same
   per-run summary metrics as our sweep keeps (so both do the same work per run); each run's seed is a parameter, since batch_run's iterations all reuse one seed;
   `max_steps = days - 1` because batch_run steps while `steps <= max_steps` (one step more than
   asked) and reports the collected row `steps - 1`. batch_run keeps every finished model alive (Mesa 3.3's `Agent._ids`), so its memory
   grows with N: a run is stopped when the tree passes `--mem-cap-gib` to protect the machine,
   and reported as such. Both engines' results are checked to be the same numbers.
2. Our sweep of `--big-runs` runs of `--big-days` days on 1 and on 2 workers: runs/s and the
   parallel efficiency (rate with 2 workers / (2 × rate with 1)).

Each measurement runs in a fresh interpreter; imports are not timed, pool start-up is.
Appends a dated Markdown section to benchmarks/RESULTS.md, as every benchmark here does
(`--dry-run` only prints it).
"""

from __future__ import annotations

import results  # benchmarks/results.py
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mesa

from interlock.experiments import metrics
from interlock.experiments.scenarios import load_scenario
from interlock.model import hooks
from interlock.model.model import CapitalFlowModel

HERE = Path(__file__).resolve().parent


class BatchModel(CapitalFlowModel):
    """CapitalFlowModel with keyword parameters and a DataCollector, as `mesa.batch_run` needs.

    Its one model reporter is the run's summary — the same metrics our sweep keeps per run
    (`metrics.summarize` and the components' declared metrics, named by `metrics.flat_metrics`) —
    computed on the last day only (None before), so both engines do the same work per run and
    report the same numbers."""

    def __init__(self, seed: int = 1, days: int = 20, scenario: str = "baseline"):
        sc = load_scenario(scenario)
        super().__init__(sc.params(), seed=seed, shocks=sc.shocks)
        self.days = days
        self.datacollector = mesa.DataCollector(model_reporters={"summary": BatchModel.summary})
        # no collection at step 0: batch_run reports the row at index steps - 1, so row i must be
        # the state after step i + 1 for the last row to be the end of the run

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)
        if self.day >= self.days:
            # the peer at its best: the same `Agent._ids` fix our engine applies (CapitalFlowModel.
            # release; without it Mesa 3.3 keeps every finished model alive and batch_run's memory
            # grows with the number of runs). batch_run reads only the DataCollector afterwards.
            self.release()

    def summary(self) -> dict | None:
        if self.day < self.days:
            return None
        ts, flows, events = self.series.frame(), self.flows.frame(), self.events.frame()
        m = metrics.summarize(ts, flows, self.market.names + ["SPX"], self.params["run.trading_days_per_year"])
        m.update(hooks.summary_metrics(self, ts, flows, events))
        return metrics.flat_metrics(m)


# ----- one measurement, in its own interpreter ----------------------------------------------------
def one(kind: str, runs: int, days: int, workers: int, out: str) -> dict:
    if kind == "ours":
        from interlock.experiments.sweeps.engine import Job, execute, read_summary
        sc = load_scenario("baseline")
        jobs = [Job(run_id=i, point_id=i, scenario=sc, overrides={}, seed=i + 1, days=days) for i in range(runs)]
        t0 = time.perf_counter()
        execute(jobs, out, workers=workers, progress=False)
        elapsed = time.perf_counter() - t0
        s = read_summary(out)
        values = dict(zip((s["seed"]).astype(int), s["SPX.max_drawdown"]))
    else:
        t0 = time.perf_counter()
        rows = mesa.batch_run(BatchModel, parameters={"seed": list(range(1, runs + 1)), "days": days},
                              number_processes=workers, iterations=1, data_collection_period=-1,
                              max_steps=days - 1, display_progress=False)
        elapsed = time.perf_counter() - t0
        values = {int(r["seed"]): r["summary"]["SPX.max_drawdown"] for r in rows}
        assert all(r["Step"] == days - 1 for r in rows), "batch_run did not run `days` steps"
    import resource
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime     # pool workers are reaped children
    return {"elapsed_s": elapsed, "runs_per_s": runs / elapsed, "cpu_s_per_run": cpu / runs,
            "values": {str(k): v for k, v in values.items()}}


def measure(kind: str, runs: int, days: int, workers: int, cap_gib: float) -> dict:
    """Run `one` in a fresh interpreter, sampling the process tree's memory; stop it past the cap."""
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        result = Path(tmp) / "result.json"
        cmd = [sys.executable, __file__, "_one", kind, str(runs), str(days), str(workers), str(Path(tmp) / "out"),
               str(result)]
        proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak, capped = sample_tree(proc, cap_gib)
        err = proc.stderr.read().decode()[-2000:]
        proc.wait()
        if capped:
            return {"kind": kind, "runs": runs, "days": days, "workers": workers, "capped": True,
                    "peak_gib": peak, "elapsed_s": None, "runs_per_s": None}
        if proc.returncode != 0:
            raise RuntimeError(f"{kind} failed:\n{err}")
        out = json.loads(result.read_text())
    return {"kind": kind, "runs": runs, "days": days, "workers": workers, "capped": False, "peak_gib": peak, **out}


PSS = sys.platform.startswith("linux")   # proportional set size: pages shared by forked workers count once


def sample_tree(proc: subprocess.Popen, cap_gib: float) -> tuple[float, bool]:
    import psutil
    peak = 0.0
    capped = False
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            procs = [root] + root.children(recursive=True)
            total = 0
            for p in procs:
                try:
                    total += p.memory_full_info().pss if PSS else p.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            break
        peak = max(peak, total / 2**30)
        if peak > cap_gib:
            capped = True
            os.killpg(proc.pid, signal.SIGKILL)          # the benchmark's own process group
            break
        time.sleep(0.2)
    return peak, capped


# ----- the report -----------------------------------------------------------------------------
def fmt_rate(r: dict) -> str:
    return "stopped" if r["capped"] else f"{r['runs_per_s']:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    ap.add_argument("--days", type=int, default=20, help="days per run in the side-by-side comparison")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--big-runs", type=int, default=300)
    ap.add_argument("--big-days", type=int, default=252)
    ap.add_argument("--mem-cap-gib", type=float, default=6.0)
    ap.add_argument("--dry-run", action="store_true", help="print the section, do not write it to RESULTS.md")
    ap.add_argument("--quick", action="store_true", help="20 runs × 5 days, 20 big runs × 20 days; print only")
    a = ap.parse_args()
    if a.quick:
        a.sizes, a.days, a.big_runs, a.big_days, a.dry_run = [20], 5, 20, 20, True

    load0 = os.getloadavg()
    print(f"load average {load0[0]:.1f}; {len(a.sizes)} size(s), then {a.big_runs} × {a.big_days} days", flush=True)
    rows = []
    for n in a.sizes:
        for kind in ("ours", "batch_run"):
            r = measure(kind, n, a.days, a.workers, a.mem_cap_gib)
            rows.append(r)
            print(f"{kind:<10} {n:>5} runs × {a.days} days: {fmt_rate(r)} runs/s, peak {r['peak_gib']:.2f} GiB",
                  flush=True)
        ours, theirs = rows[-2], rows[-1]
        if not theirs["capped"]:
            diff = max(abs(ours["values"][k] - theirs["values"][k]) for k in ours["values"])
            assert diff == 0.0, f"the two engines disagree by {diff}"
    big = []
    for w in (1, 2):
        r = measure("ours", a.big_runs, a.big_days, w, a.mem_cap_gib)
        big.append(r)
        print(f"ours       {a.big_runs} runs × {a.big_days} days on {w} worker(s): {r['runs_per_s']:.2f} runs/s, "
              f"{r['cpu_s_per_run']:.3f} CPU s/run, peak {r['peak_gib']:.2f} GiB", flush=True)
    eff = big[1]["runs_per_s"] / (2 * big[0]["runs_per_s"])
    lines = [
        "## Sweeps vs mesa.batch_run (bench_sweep.py)",
        "",
        results.context(__file__, load0[0]),
        "",
        "mesa.batch_run is given the same `Agent._ids` fix as our engine (each model releases itself after its "
        "last step), so its memory does not grow with the number of runs for that reason alone; its other "
        "overheads (its DataCollector, its result rows) are its own. CPU per run: all processes' user + system "
        "time ÷ runs.",
        "",
        f"Same model and runs (baseline scenario, seeds 1..N, {a.days} days each, {a.workers} processes each); "
        "peak memory is the whole process tree's proportional set size (PSS). The two engines' results were checked "
        "identical wherever batch_run finished.",
        "",
        "| runs | ours runs/s | batch_run runs/s | ours CPU s/run | batch_run CPU s/run | ours peak GiB | batch_run peak GiB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i in range(0, len(rows), 2):
        o, b = rows[i], rows[i + 1]
        bpeak = f"> {a.mem_cap_gib:.0f} (stopped)" if b["capped"] else f"{b['peak_gib']:.2f}"
        bcpu = "-" if b["capped"] else f"{b['cpu_s_per_run']:.3f}"
        lines.append(f"| {o['runs']} | {fmt_rate(o)} | {fmt_rate(b)} | {o['cpu_s_per_run']:.3f} | {bcpu} | "
                     f"{o['peak_gib']:.2f} | {bpeak} |")
    lines += [
        "",
        f"Our sweep, {a.big_runs} runs × {a.big_days} days: {big[0]['runs_per_s']:.2f} runs/s on 1 worker, "
        f"{big[1]['runs_per_s']:.2f} runs/s on 2 workers — parallel efficiency {eff:.0%} "
        f"(peak {big[1]['peak_gib']:.2f} GiB with 2 workers). CPU time per run (all processes): "
        f"{big[0]['cpu_s_per_run']:.3f} s with 1 worker, {big[1]['cpu_s_per_run']:.3f} s with 2 — the engine's "
        f"own cost of parallelism is the difference; the rest of any loss is the machine's other load.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not a.dry_run:
        results.write_section(__file__, text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_one":
        _, _, kind, runs, days, workers, out, result = sys.argv
        res = one(kind, int(runs), int(days), int(workers), out)
        Path(result).write_text(json.dumps(res))
    else:
        main()
