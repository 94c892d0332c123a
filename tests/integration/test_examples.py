"""The example specs under examples/ load and run (at a small size here), and every examples/ path
the README and docs mention exists (issue #15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interlock.experiments.stress.narratives import load_narrative
from interlock.experiments.sweeps.engine import read_summary, run_sweep
from interlock.experiments.sweeps.spec import parse_spec
from interlock.io import read_toml
from interlock.reports.stress import stress

ROOT = Path(__file__).resolve().parents[2]
SWEEPS = sorted((ROOT / "examples" / "sweeps").glob("*.toml"))
NARRATIVES = sorted((ROOT / "examples" / "narratives").glob("*.toml"))


def test_examples_ship_and_every_examples_path_the_docs_mention_exists():
    assert SWEEPS and NARRATIVES
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    mentioned = {m for d in docs for m in re.findall(r"examples/[\w/.-]+\.toml", d.read_text(encoding="utf-8"))}
    assert mentioned, "no doc mentions an example"
    for m in mentioned:
        assert (ROOT / m).is_file(), f"{m} is mentioned in the docs but does not exist"


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_an_example_sweep_validates_and_runs_at_a_small_size(tmp_path, path):
    raw = read_toml(path, "spec file")
    full = parse_spec(dict(raw), str(path), base_dir=path.parent)       # the file as shipped is valid
    assert full.n_points() >= 2
    small = {**raw, "days": 3, "seeds": 1,
             "design": {**raw["design"], **({"n": 2} if "n" in raw["design"] else {"levels": 2})}}
    spec = parse_spec(small, str(path), base_dir=path.parent)
    rep = run_sweep(spec, tmp_path / "out", workers=1, progress=False)
    assert rep.status == "complete" and rep.failed == 0 and rep.ok == spec.n_points()
    assert len(read_summary(tmp_path / "out")) == spec.n_points()


@pytest.mark.parametrize("path", NARRATIVES, ids=lambda p: p.name)
def test_an_example_narrative_validates_and_runs_at_a_small_size(tmp_path, path):
    load_narrative(path)                                                 # as shipped
    narr = load_narrative(path, samples=2, seeds=1, days=42)
    res = stress(narr, tmp_path / "out", workers=1, progress=False)
    assert res.failed_runs == 0 and all(c.estimate.n > 0 for c in res.claims)
    assert (tmp_path / "out" / "report.md").is_file()
