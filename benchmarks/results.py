"""The one way a benchmark records its figures in benchmarks/RESULTS.md.

Each script owns one section, delimited by `<!-- bench:NAME -->` … `<!-- /bench:NAME -->` (NAME: the
script's file name). `write_section` replaces that section (or adds it), so running one script
refreshes its own figures and `make bench` (benchmarks/run_all.py, which starts from an empty file)
regenerates them all. `context()` is the header every section opens with: the script, the commit,
the machine and its load — figures are only comparable with that context. Timings are CPU time
(`time.process_time`, or the children's rusage for subprocesses); comparisons are ratios measured in
one process with interleaved runs."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
HEADER = ("# Benchmark results\n\n"
          "Every figure below is printed by the script its section names; `make bench` "
          "(benchmarks/run_all.py) regenerates the whole file, `make bench-quick` checks that every "
          "script runs (a few minutes, writes nothing). Never edit a figure by hand. Timings are CPU "
          "seconds; comparisons are ratios measured in one process, interleaved.\n")


def commit() -> str:
    """The checked-out commit (short hash), `+dirty` when the work tree has uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True).stdout.strip()
    h = git("rev-parse", "--short", "HEAD") or "unknown"
    # RESULTS.md itself changes as the sections are written: only other changes make the tree dirty
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ":/", ":(exclude,top)benchmarks/RESULTS.md")
    return h + ("+dirty" if changed else "")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    import numpy
    versions = f"Python {platform.python_version()}, numpy {numpy.__version__}"
    try:
        import mesa
        versions += f", Mesa {mesa.__version__}"
    except ImportError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.machine()}; {versions}"


def load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def machine_speed(repeat: int = 5) -> float:
    """CPU seconds of a fixed reference workload (the model's kind of work: many small numpy calls
    and a Python loop), the minimum of `repeat`. The same CPU model name can be a 2–3× slower
    machine from one session to the next (a shared host, its clock): sections measured on different
    days compare through this figure, not through the CPU's name."""
    import time

    import numpy as np
    rng = np.random.default_rng(0)
    a = rng.standard_normal(13)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        x = a.copy()
        acc = 0.0
        for i in range(20_000):
            x = np.tanh(x * 0.5 + a) + np.exp(-np.abs(x))
            acc += float(x.sum()) * 1e-9 + (i % 7) * 1e-12
        best = min(best, time.process_time() - t0)
    return best


def context(script: str, load_before: float) -> str:
    """The line under a section's title: script, date, commit, machine (with its measured speed),
    load before and now."""
    return (f"*{Path(script).name} · {date.today().isoformat()} · commit {commit()} · {machine()} · "
            f"reference workload {machine_speed():.3f} CPU s (results.machine_speed: compare sections through it) · "
            f"load average {load_before:.1f} before, {load():.1f} after ({os.cpu_count()} cores: a load above "
            f"that means other work shared the CPUs — CPU times hold, wall times do not).*")


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"


def write_section(script: str, text: str) -> None:
    """Put `text` (a Markdown section, title first) as `script`'s section of RESULTS.md."""
    name = Path(script).name
    start, end = _markers(name)
    block = f"{start}\n{text.strip()}\n{end}\n"
    body = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.S)
    body = pattern.sub(lambda _: block, body) if pattern.search(body) else body.rstrip("\n") + "\n\n" + block
    RESULTS.write_text(body, encoding="utf-8")


def append_section(text: str) -> None:
    """Older name: `text` becomes the running script's section (replacing its previous one)."""
    write_section(sys.argv[0], text)


def reset() -> None:
    """Start RESULTS.md afresh (run_all's full run: no figure survives from an older run)."""
    RESULTS.write_text(HEADER, encoding="utf-8")


def publish(script: str, lines: list[str], write: bool = True) -> str:
    """Join a section's lines, print it, and (unless `write` is false: a quick run) make it
    `script`'s section of RESULTS.md."""
    text = "\n".join(lines) + "\n"
    print(text)
    if write:
        write_section(script, text)
    return text
