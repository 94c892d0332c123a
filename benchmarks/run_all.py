"""Run every benchmark in this folder (`make bench`): RESULTS.md is started afresh and every script
writes its section, so every figure in it comes from this run. Slow (tens of minutes on 2 cores).

    python benchmarks/run_all.py            # the full set: regenerates benchmarks/RESULTS.md
    python benchmarks/run_all.py --quick    # each script's quick mode: checks they run, writes nothing
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import results

here = Path(__file__).parent
ap = argparse.ArgumentParser(description="Run every benchmark script and regenerate RESULTS.md (one "
                             "script: run it directly, e.g. `python benchmarks/bench_cli.py`; it "
                             "rewrites only its own section).")
ap.add_argument("--quick", action="store_true", help="each script's quick mode: checks they run, writes nothing")
quick = ap.parse_args().quick         # --help and unknown arguments exit here, before RESULTS.md is touched
if not quick:
    results.reset()
failed = []
for script in sorted(here.glob("bench_*.py")):
    print(f"== {script.name}{' (quick)' if quick else ''}", flush=True)
    t = time.perf_counter()
    rc = subprocess.run([sys.executable, str(script), *(["--quick"] if quick else [])]).returncode
    print(f"   {script.name}: exit {rc}, {time.perf_counter() - t:.0f} s", flush=True)
    if rc != 0:
        failed.append(script.name)
if failed:
    sys.exit(f"benchmarks failed: {', '.join(failed)}")
