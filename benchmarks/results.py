"""The one way a benchmark records its figures: append a dated section to benchmarks/RESULTS.md."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = "# Benchmark results\n\nEach section: what was measured, on which machine, when.\n"


def append_section(text: str) -> None:
    """Append `text` (a Markdown section) to RESULTS.md, creating the file with its header."""
    if not RESULTS.exists():
        RESULTS.write_text(HEADER, encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(text)
