"""Every bad input gets the contract (issue #17): exit code 2, one line on stderr naming the file
or the key, no traceback, and nothing new, changed or removed on disk — run in-process.

Two parts: the corpus of the cases the issue's fuzz found (data loss, tracebacks, silently
accepted input, unbounded work), each an explicit regression example; and property-based tests
(hypothesis) that generate bad scenario files, sweep specs, `--set` values, deals and firms CSVs
and damaged run and sweep folders. Cases that need a change in files owned elsewhere are strict
xfails that name the change: when it lands they pass, and the strict xfail fails until the marker
is removed."""

from __future__ import annotations

import csv
import io
import math
import shutil
import string
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_contract import GOOD_SCENARIO, assert_contract, invoke, snapshot
from interlock.config import param_specs
from interlock.inputs.firms import NONNEGATIVE, NUMERIC as NUMERIC_COLUMNS, POSITIVE, SHARES, default_firms_path
from interlock.model.interlock.deals import default_deals_path
from interlock.model.shocks import SHOCK_TYPES

FUZZ = settings(max_examples=25, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

SWEEP_SPEC = {"scenario": "baseline", "days": 5, "seeds": 1, "design": {"kind": "lhs", "n": 2},
              "parameters": {"cta.aum": {}}}
ISHIGAMI_SOBOL = {"model": "ishigami", "seeds": 1, "design": {"kind": "sobol", "n": 4},
                  "parameters": {"ishigami.x1": {}, "ishigami.x2": {}, "ishigami.x3": {}}}
DEALS = default_deals_path()          # the default snapshot's files (interlock/data/snapshots/<date>/)
FIRMS = default_firms_path()


# ----- shared folders: one small run and one small sweep, written once ---------------------------
@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A run folder and a finished Sobol' sweep folder (Ishigami), to damage copies of."""
    from click.testing import CliRunner
    from interlock.cli import cli
    from interlock.experiments.run_folder import write_run
    from interlock.experiments.runner import run

    root = tmp_path_factory.mktemp("made")
    write_run(run("baseline", days=3, seed=1, amplification=False), root / "run")
    spec = root / "sobol.toml"
    spec.write_text(tomli_w.dumps(ISHIGAMI_SOBOL), encoding="utf-8")
    res = CliRunner().invoke(cli, ["sweep", str(spec), "--out", str(root / "sweep"), "--workers", "1", "--quiet"])
    assert res.exit_code == 0, res.output
    return root


@pytest.fixture
def work(tmp_path):
    """The working directory of a case (its files are made in it)."""
    d = tmp_path / "work"
    d.mkdir()
    return d


def scenario_text(**changes) -> str:
    sc = {k: (dict(v) if isinstance(v, dict) else v) for k, v in GOOD_SCENARIO.items()}
    sc.update(changes)
    return tomli_w.dumps(sc)


def spec_text(**changes) -> str:
    sp = {k: (dict(v) if isinstance(v, dict) else v) for k, v in SWEEP_SPEC.items()}
    sp.update(changes)
    return tomli_w.dumps(sp)


def csv_text(path: Path, change) -> str:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    fields = list(rows[0])
    out = change(rows)
    rows = out if isinstance(out, list) else rows
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields)
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _set(rows, i, key, value):
    rows[i][key] = value


def _set_all(rows, key, value):
    for r in rows:
        r[key] = value


def _notes(folder: str) -> dict:
    return {f"{folder}/notes.txt": "precious", f"{folder}/sub/keep.txt": "mine"}


# ----- the corpus: (id, files to make, args, what the line must name, xfail reason) -----------------
# `{made}` in an argument is the folder of the shared run and sweep; files are made in the case's
# working directory. The data-loss cases come first: a folder holding a user's files is refused.
RUN = ("run", "baseline", "--days", "3", "--quiet", "--no-figures")
CORPUS = [
    # never delete what is not ours (a test per command)
    ("run-out-user-folder", _notes("x"), (*RUN, "--out", "x"), ("x", "--out", "notes.txt"), None),
    ("run-out-working-dir", {"notes.txt": "precious"}, (*RUN, "--out", "."), ("--out",), None),
    ("run-out-working-dir-forced", {"notes.txt": "precious"}, (*RUN, "--out", ".", "--force"),
     ("working directory",), None),
    ("run-out-a-file", {"x": "a file"}, (*RUN, "--out", "x"), ("x", "is a file"), None),
    ("stress-out-user-folder", {"x/report.md": "mine"},
     ("stress", "vol_target_amplifies", "--samples", "2", "--seeds", "1", "--days", "130", "--workers", "1",
      "--out", "x"), ("x", "--out"), None),
    ("calibrate-out-user-folder", {"x/report.md": "mine"},
     ("calibrate", "--days", "200", "--max-evals", "1", "--seeds", "1", "--out", "x"), ("x", "--out"), None),
    ("validate-out-user-folder", {"x/report.md": "mine"}, ("validate", "--quick", "--out", "x"), ("x", "--out"), None),
    ("compare-out-user-folder", _notes("x"),
     ("compare", "vol_shock", "--seeds", "1..1", "--days", "3", "--no-attribution", "--out", "x"), ("x", "--out"), None),
    ("plot-out-user-folder", {"x/dashboard.png": "mine", "x/notes.txt": "mine"},
     ("plot", "{made}/run", "--what", "dashboard", "--out", "x"), ("x", "--out"), None),
    ("sweep-plot-out-user-folder", {"x/notes.txt": "mine"}, ("sweep-plot", "{made}/sweep", "--out", "x"),
     ("x", "--out"), None),
    ("sensitivity-out-user-folder", {"x/notes.txt": "mine"},
     ("sensitivity", "{made}/sweep", "--metric", "y", "--out", "x"), ("x", "--out"), None),
    ("graph-out-user-folder", {"x/notes.txt": "mine"}, ("graph", "--out", "x"), ("x", "--out"), None),
    ("sweep-out-user-folder", {"s.toml": spec_text(), "x/notes.txt": "mine"}, ("sweep", "s.toml", "--out", "x"),
     ("x", "not empty"), None),
    # tracebacks: unreadable files
    ("scenario-not-utf8", {"s.toml": b"name = \"\xff\xfe\""}, ("run", "s.toml"), ("s.toml", "UTF-8"), None),
    ("scenario-binary", {"s.toml": bytes(range(256))}, ("run", "s.toml"), ("s.toml",), None),
    ("config-binary", {"c.toml": b"\x00\x01\xff"}, ("run", "baseline", "--config", "c.toml"), ("c.toml",), None),
    ("spec-binary", {"s.toml": b"\x00\xff\xfe"}, ("sweep", "s.toml"), ("s.toml",), None),
    ("narrative-binary", {"n.toml": b"\xff\xfe\x00"}, ("stress", "n.toml", "--check"), ("n.toml",), None),
    ("scenario-folder", {"x/notes.txt": "mine"}, ("run", "x"), ("x", "folder"), None),
    ("scenarios-empty-name", {}, ("scenarios", ""), ("folder",), None),
    # tracebacks: wrong shapes
    ("overrides-a-number", {"s.toml": "overrides = 5\n" + scenario_text()}, ("run", "s.toml"),
     ("s.toml", "overrides"), None),
    ("overrides-a-list", {"s.toml": "overrides = [1]\n" + scenario_text()}, ("run", "s.toml"),
     ("s.toml", "overrides"), None),
    ("spec-parameters-a-number", {"s.toml": "parameters = 5\n" + tomli_w.dumps(
        {k: v for k, v in SWEEP_SPEC.items() if k != "parameters"})}, ("sweep", "s.toml"), ("s.toml", "parameters"), None),
    ("spec-design-a-number", {"s.toml": "design = 5\n" + tomli_w.dumps(
        {k: v for k, v in SWEEP_SPEC.items() if k != "design"})}, ("sweep", "s.toml"), ("s.toml", "design"), None),
    ("scenario-top-level-path", {"s.toml": 'path = "elsewhere.toml"\n' + scenario_text()}, ("run", "s.toml"),
     ("s.toml", "path"), None),
    # tracebacks: unwritable --out, refused before any work
    ("run-out-unwritable", {}, (*RUN, "--out", "/proc/self/x"), ("/proc/self/x", "cannot be written"), None),
    ("sweep-out-unwritable", {"s.toml": spec_text()}, ("sweep", "s.toml", "--out", "/proc/self/x"),
     ("/proc/self/x",), None),
    ("plot-out-unwritable", {}, ("plot", "{made}/run", "--out", "/proc/self/x"), ("/proc/self/x",), None),
    ("sensitivity-out-unwritable", {}, ("sensitivity", "{made}/sweep", "--metric", "y", "--out", "/proc/self/x"),
     ("/proc/self/x",), None),
    ("sweep-plot-out-unwritable", {}, ("sweep-plot", "{made}/sweep", "--out", "/proc/self/x"), ("/proc/self/x",), None),
    ("validate-out-unwritable", {}, ("validate", "--quick", "--out", "/proc/self/x"), ("/proc/self/x",), None),
    ("calibrate-out-unwritable", {}, ("calibrate", "--days", "200", "--max-evals", "1", "--out", "/proc/self/x"),
     ("/proc/self/x",), None),
    ("graph-out-unwritable", {}, ("graph", "--out", "/proc/self/x"), ("/proc/self/x",), None),
    ("stress-out-unwritable", {}, ("stress", "vol_target_amplifies", "--samples", "2", "--seeds", "1", "--days",
                                   "130", "--out", "/proc/self/x"), ("/proc/self/x",), None),
    # tracebacks: values
    ("set-start-date-not-a-date", {}, (*RUN, "--set", "run.start_date=notadate"), ("run.start_date", "date"), None),
    ("as-of-not-a-date", {}, (*RUN, "--as-of", "2025-13-01"), ("--as-of", "run.start_date"), None),
    ("dask-not-an-address", {"s.toml": spec_text()}, ("sweep", "s.toml", "--dask", "notanaddress"), ("--dask",), None),
    ("deal-duration-1e308", {"d.csv": csv_text(DEALS, lambda r: _set(r, 0, "duration_years", "1e308"))},
     ("graph", "--deals", "d.csv"), ("d.csv", "duration_years"), None),
    ("deals-all-zero", {"d.csv": csv_text(DEALS, lambda r: _set_all(r, "amount_bn", "0"))},
     ("graph", "--deals", "d.csv"), ("d.csv", "amount_bn"), None),
    ("deals-empty-file", {"d.csv": ""}, ("graph", "--deals", "d.csv"), ("d.csv",), None),
    ("firms-empty-file", {"f.csv": ""}, ("graph", "--firms", "f.csv"), ("f.csv",), None),
    # silently accepted
    ("scenario-duplicate-key-path", {"s.toml": scenario_text(overrides={"cta.aum": 100.0, "cta": {"aum": 200.0}})},
     ("run", "s.toml"), ("s.toml", "cta.aum", "twice"), None),
    ("set-duplicate-key", {}, (*RUN, "--set", "cta.aum=100", "--set", "cta.aum=200"), ("cta.aum", "twice"), None),
    ("set-text-for-a-number", {}, (*RUN, "--set", 'cta.aum="100"'), ("cta.aum", "number"), None),
    ("set-bool-from-a-word", {}, (*RUN, "--set", "cta.enabled=yes"), ("cta.enabled",), None),
    ("scenario-text-for-a-number", {"s.toml": scenario_text(overrides={"cta.aum": "100"})}, ("run", "s.toml"),
     ("s.toml", "cta.aum", "number"), None),
    ("scenario-run-days-text", {"s.toml": scenario_text(run={"days": "126"})}, ("run", "s.toml", "--days", "3"),
     ("s.toml", "run.days"), None),
    ("spec-days-text", {"s.toml": spec_text(days="126")}, ("sweep", "s.toml"), ("s.toml", "days"), None),
    ("calibrate-bounds-not-fitted", {}, ("calibrate", "--days", "200", "--bounds", "cta.aum=1:2"),
     ("--bounds", "cta.aum"), None),
    ("params-typo", {}, ("params", "typo"), ("typo",), None),
    ("graph-max-cycles-negative", {}, ("graph", "--max-cycles", "-3"), ("--max-cycles",), None),
    ("firms-negative", {"f.csv": csv_text(FIRMS, lambda r: _set(r, 0, "market_cap_bn", "-5"))},
     ("graph", "--firms", "f.csv"), ("f.csv", "market_cap_bn"), None),
    ("firms-not-a-number", {"f.csv": csv_text(FIRMS, lambda r: _set(r, 0, "revenue_bn", "abc"))},
     ("graph", "--firms", "f.csv"), ("f.csv", "revenue_bn"), None),
    ("firms-duplicated", {"f.csv": csv_text(FIRMS, lambda r: r + [dict(r[0])])}, ("graph", "--firms", "f.csv"),
     ("f.csv", "firm"), None),
    # the loaders, past the list
    ("firms-ticker-twice", {"f.csv": csv_text(FIRMS, lambda r: _set(r, 1, "ticker", r[0]["ticker"]))},
     ("graph", "--firms", "f.csv"), ("f.csv", "ticker", "twice"), None),
    ("firms-listed-maybe", {"f.csv": csv_text(FIRMS, lambda r: _set(r, 0, "listed", "maybe"))},
     ("graph", "--firms", "f.csv"), ("f.csv", "listed"), None),
    ("firms-share-above-one", {"f.csv": csv_text(FIRMS, lambda r: _set(r, 0, "ai_revenue_share", "1.5"))},
     ("graph", "--firms", "f.csv"), ("f.csv", "ai_revenue_share"), None),
    ("firms-na-for-a-number", {"f.csv": csv_text(FIRMS, lambda r: _set(r, 0, "cash_bn", "n/a"))},
     ("graph", "--firms", "f.csv"), ("f.csv", "cash_bn"), None),
    ("firms-header-only", {"f.csv": "firm,kind,listed,ticker,source\n"}, ("graph", "--firms", "f.csv"),
     ("f.csv", "no firms"), None),
    ("firms-not-utf8", {"f.csv": b"firm,kind,listed,ticker,source\nMSFT,hyperscaler,true,MSFT,\xff\xfe\n"},
     ("graph", "--firms", "f.csv"), ("f.csv", "UTF-8"), None),
    ("deals-duration-300-years", {"d.csv": csv_text(DEALS, lambda r: _set(r, 0, "duration_years", "300"))},
     ("graph", "--deals", "d.csv"), ("d.csv", "duration_years", "0 to 100"), None),
    ("deals-header-only", {"d.csv": DEALS.read_text(encoding="utf-8").splitlines()[0] + "\n"}, ("graph", "--deals", "d.csv"),
     ("d.csv", "no deals"), None),
    ("scenario-run-seed-text", {"s.toml": scenario_text(run={"days": 5, "seed": "1"})}, ("run", "s.toml"),
     ("s.toml", "run.seed", "integer"), None),
    ("scenario-run-days-float", {"s.toml": scenario_text(run={"days": 5.0})}, ("run", "s.toml"),
     ("s.toml", "run.days", "integer"), None),
    ("scenario-run-unknown-key", {"s.toml": scenario_text(run={"days": 5, "dyas": 3})}, ("run", "s.toml"),
     ("s.toml", "run.dyas", "days, seed"), None),
    ("spec-metrics-os-system", {"s.toml": spec_text(outputs={"metrics": "os:system"})}, ("sweep", "s.toml"),
     ("s.toml", "outputs.metrics"), None),
    ("spec-metrics-builtin-eval", {"s.toml": spec_text(outputs={"metrics": "builtins:eval"})}, ("sweep", "s.toml"),
     ("outputs.metrics",), None),
    ("spec-metrics-a-dependency", {"s.toml": spec_text(outputs={"metrics": "numpy:save"})}, ("sweep", "s.toml"),
     ("outputs.metrics",), None),
    ("spec-metrics-interlock-internals", {"s.toml": spec_text(outputs={"metrics": "interlock.cli:main"})},
     ("sweep", "s.toml"), ("outputs.metrics",), None),
    ("flush-seconds-nan", {"s.toml": spec_text()}, ("sweep", "s.toml", "--flush-seconds", "nan"),
     ("--flush-seconds",), None),
    ("timeout-zero", {"s.toml": spec_text()}, ("sweep", "s.toml", "--timeout", "0"), ("--timeout",), None),
    # unbounded work
    ("lhs-100-million-points", {"s.toml": spec_text(design={"kind": "lhs", "n": 100_000_000})}, ("sweep", "s.toml"),
     ("s.toml", "design", "1,000,000"), None),
    ("grid-100000-levels", {"s.toml": spec_text(design={"kind": "grid", "levels": 100_000},
                                                parameters={"cta.aum": {}, "vol_target.aum": {}, "dealer.gamma_calm": {}})},
     ("sweep", "s.toml"), ("s.toml", "design"), None),
    ("sweep-past-the-soft-limits", {"s.toml": spec_text(days=2000, design={"kind": "lhs", "n": 40_000})},
     ("sweep", "s.toml"), ("s.toml", "--yes", "CPU hours"), None),
    ("stress-100-million-samples", {}, ("stress", "vol_target_amplifies", "--samples", "100000000", "--check"),
     ("vol_target_amplifies", "design"), None),
    ("sweep-plot-a-million-bins", {}, ("sweep-plot", "{made}/sweep", "--bins", "1000000"), ("--bins",), None),
    ("graph-infinite-market-cap", {"f.csv": csv_text(FIRMS, lambda r: _set(r, 1, "market_cap_bn", "inf"))},
     ("graph", "--firms", "f.csv"), ("f.csv",), None),
    ("run-100-million-days", {}, ("run", "baseline", "--days", "100000000"), ("--days", "20,000"), None),
    ("calibrate-100-million-evaluations", {}, ("calibrate", "--days", "200", "--max-evals", "100000000"),
     ("runs",), None),
]


def _make(work: Path, files: dict) -> None:
    for name, content in files.items():
        p = work / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("case", [pytest.param(c, id=c[0], marks=[pytest.mark.xfail(strict=True, reason=c[4])]
                                               if c[4] else []) for c in CORPUS])
def test_the_corpus_of_bad_inputs_gets_the_contract(case, work, made):
    _, files, args, needles, _ = case
    _make(work, files)
    # files by absolute path: the firms and deals loaders cache by path, and every case has its own
    tops = {Path(name).parts[0] for name in files}
    args = [str(work / a) if a in tops else a.replace("{made}", str(made)) for a in args]
    before, made_before = snapshot(work), snapshot(made)
    res = invoke(*args, cwd=work)
    assert_contract(res, before, work, *needles)
    assert snapshot(made) == made_before


DAMAGED_RUN = [
    ("summary-not-json", lambda d: (d / "summary.json").write_text("{bad", encoding="utf-8"), "summary.json"),
    ("summary-a-list", lambda d: (d / "summary.json").write_text("[1, 2]", encoding="utf-8"), "summary.json"),
    ("summary-without-keys", lambda d: (d / "summary.json").write_text('{"scenario": "x"}', encoding="utf-8"),
     "summary.json"),
    ("timeseries-truncated", lambda d: (d / "timeseries.parquet").write_bytes((d / "timeseries.parquet").read_bytes()[:100]),
     "timeseries.parquet"),
    ("timeseries-missing", lambda d: (d / "timeseries.parquet").unlink(), "timeseries.parquet"),
    ("flows-truncated", lambda d: (d / "flows.parquet").write_bytes(b"PAR1"), "flows.parquet"),
]


def damaged_copy(src: Path, work: Path, damage) -> tuple[Path, dict]:
    """A copy of folder `src` in `work`, damaged; and the snapshot of `work` after the damage."""
    d = work / src.name
    shutil.copytree(src, d)
    damage(d)
    return d, snapshot(work)


@pytest.mark.parametrize("damage,needle", [pytest.param(f, n, id=i) for i, f, n in DAMAGED_RUN])
def test_a_damaged_run_folder_is_refused_naming_the_file(damage, needle, work, made):
    d, before = damaged_copy(made / "run", work, damage)
    assert_contract(invoke("plot", d, "--what", "dashboard", cwd=work), before, work, needle)


DAMAGED_SWEEP = [
    ("manifest-not-json", lambda d: (d / "manifest.json").write_text("{", encoding="utf-8"), "manifest.json"),
    ("manifest-a-list", lambda d: (d / "manifest.json").write_text("[]", encoding="utf-8"), "manifest.json"),
    ("summary-truncated", lambda d: (d / "summary.parquet").write_bytes(b"PAR1 not really"), "summary.parquet"),
    ("params-missing", lambda d: (d / "params.parquet").unlink(), "params.parquet"),
]


@pytest.mark.parametrize("damage,needle", [pytest.param(f, n, id=i) for i, f, n in DAMAGED_SWEEP])
def test_a_damaged_sweep_folder_is_refused_naming_the_file(damage, needle, work, made):
    d, before = damaged_copy(made / "sweep", work, damage)
    assert_contract(invoke("sweep-plot", d, "--metric", "y", cwd=work), before, work, needle)
    assert_contract(invoke("sensitivity", d, "--metric", "y", cwd=work), before, work, needle)


# ----- generated bad inputs (hypothesis) --------------------------------------------------------------
SPECS = param_specs()
NUMERIC = sorted(k for k, s in SPECS.items() if isinstance(s.default, (int, float)) and not isinstance(s.default, bool))
BOUNDED = sorted(k for k in NUMERIC if SPECS[k].min is not None or SPECS[k].max is not None)
BOOLS = sorted(k for k, s in SPECS.items() if isinstance(s.default, bool))
words = st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)


def out_of_range(key: str):
    s = SPECS[key]
    ways = []
    if s.max is not None:
        ways.append(st.floats(1e-6, 1e6).map(lambda d: s.max + max(abs(s.max), 1.0) * d))
    if s.min is not None:
        ways.append(st.floats(1e-6, 1e6).map(lambda d: s.min - max(abs(s.min), 1.0) * d))
    return st.one_of(ways)


@st.composite
def bad_override(draw) -> tuple[str, object, str]:
    """(key path, a value it refuses, what the message names)."""
    kind = draw(st.sampled_from(["text-number", "out-of-range", "unknown", "non-finite", "bool-word", "table"]))
    if kind == "text-number":
        key = draw(st.sampled_from(NUMERIC))
        return key, str(draw(st.integers(0, 10_000))), key
    if kind == "out-of-range":
        key = draw(st.sampled_from(BOUNDED))
        v = draw(out_of_range(key))
        return key, (int(math.floor(v)) - 1 if SPECS[key].min is not None and v < SPECS[key].min else int(math.ceil(v)) + 1)\
            if isinstance(SPECS[key].default, int) else v, key
    if kind == "unknown":
        key = draw(words.map(lambda w: f"no_such_section.{w}"))
        return key, 1.0, key
    if kind == "non-finite":
        key = draw(st.sampled_from(NUMERIC))
        return key, draw(st.sampled_from([math.inf, -math.inf, math.nan])), key
    if kind == "bool-word":
        key = draw(st.sampled_from(BOOLS))
        return key, draw(st.sampled_from(["yes", "no", "1", "True "])), key
    key = draw(st.sampled_from(NUMERIC))
    return key, {"value": 1}, key


@st.composite
def bad_scenario(draw) -> tuple[bytes, str]:
    """(file content, what the message names)."""
    kind = draw(st.sampled_from(["override", "unknown-top", "shock-type", "shock-at", "bytes", "toml", "narrative"]))
    if kind == "override":
        key, value, needle = draw(bad_override())
        if isinstance(value, float) and not math.isfinite(value):
            text = scenario_text() + f'\n[overrides]\n"{key}" = {"nan" if value != value else ("inf" if value > 0 else "-inf")}\n'
            return text.encode(), needle
        return scenario_text(overrides={key: value}).encode(), needle
    if kind == "unknown-top":
        k = draw(words.filter(lambda w: w not in GOOD_SCENARIO and w not in ("overrides", "shocks", "path")))
        return scenario_text(**{k: 1}).encode(), k
    if kind == "shock-type":
        t = draw(words.filter(lambda w: w not in SHOCK_TYPES))
        return scenario_text(shocks=[{"type": t, "at": 3}]).encode(), "shocks[0].type"
    if kind == "shock-at":
        return scenario_text(shocks=[{"type": "fed_cut", "at": draw(st.integers(-100, 0)), "bps": 25}]).encode(), "shocks[0].at"
    if kind == "bytes":
        return draw(st.binary(min_size=1, max_size=200).filter(_not_toml)), "s.toml"
    if kind == "toml":
        return (scenario_text() + draw(st.sampled_from(["x = \n", "[[\n", "a = 1\na = 2\n", "name = 1 2\n"]))).encode(), "s.toml"
    return scenario_text(narrative={"what": "", "look_at": "l"}).encode(), "narrative"


def _not_toml(b: bytes) -> bool:
    import tomllib
    try:
        tomllib.loads(b.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    return False


@FUZZ
@given(case=bad_scenario())
def test_generated_bad_scenario_files_get_the_contract(case, tmp_path_factory):
    content, needle = case
    work = tmp_path_factory.mktemp("scenario")
    (work / "s.toml").write_bytes(content)
    before = snapshot(work)
    assert_contract(invoke("run", "s.toml", "--days", "3", cwd=work), before, work, needle)


@FUZZ
@given(case=bad_override(), how=st.sampled_from(["plain", "quoted", "list"]))
def test_generated_bad_set_values_get_the_contract(case, how, tmp_path_factory):
    key, value, needle = case
    if isinstance(value, dict):
        text = "{ value = 1 }"
    elif isinstance(value, str):
        text = f'"{value}"' if how == "quoted" or not value.strip().isalpha() else value
    elif isinstance(value, float) and not math.isfinite(value):
        text = "nan" if value != value else ("inf" if value > 0 else "-inf")
    else:
        text = repr(value) if how != "list" or key not in NUMERIC else f"[{value!r}, 1]"
    work = tmp_path_factory.mktemp("set")
    before = snapshot(work)
    assert_contract(invoke("run", "baseline", "--days", "3", "--set", f"{key}={text}", cwd=work), before, work, needle)


@st.composite
def bad_spec(draw) -> tuple[str, str]:
    kind = draw(st.sampled_from(["design-kind", "design-n", "sobol-n", "range", "unknown-param", "days", "seeds",
                                 "metrics", "override", "levels", "top"]))
    if kind == "design-kind":
        return spec_text(design={"kind": draw(words.filter(lambda w: w not in ("grid", "lhs", "sobol", "morris")))}), "design.kind"
    if kind == "design-n":
        return spec_text(design={"kind": "lhs", "n": draw(st.integers(-1000, 0))}), "design.n"
    if kind == "sobol-n":
        n = draw(st.integers(3, 5000).filter(lambda n: n & (n - 1)))
        return spec_text(design={"kind": "sobol", "n": n}), "design.n"
    if kind == "range":
        lo = draw(st.floats(10, 1000))
        return spec_text(parameters={"cta.aum": {"range": [lo, lo - draw(st.floats(0, 5))]}}), "parameters.cta.aum"
    if kind == "unknown-param":
        k = draw(words.map(lambda w: f"nope.{w}"))
        return spec_text(parameters={k: {}}), k
    if kind == "days":
        return spec_text(days=draw(st.one_of(st.integers(-5, 0), st.integers(20_001, 10**9), st.just("126")))), "days"
    if kind == "seeds":
        return spec_text(seeds=draw(st.one_of(st.integers(-5, 0), st.just([1, 1]), st.just([-1])))), "seeds"
    if kind == "metrics":
        ref = draw(st.sampled_from(["os:system", "subprocess:run", "builtins:exec", "shutil:rmtree", "pickle:loads",
                                    "pandas:read_pickle", "interlock.experiments.runner:run", "nonexistent_pkg_x:f",
                                    "no colon at all"]))
        return spec_text(outputs={"metrics": ref}), "outputs.metrics"
    if kind == "override":
        key, value, needle = draw(bad_override())
        if isinstance(value, float) and not math.isfinite(value):
            value = "nan"                      # TOML needs a literal; text is refused as well
        return spec_text(overrides={key: value}), needle
    if kind == "levels":
        return spec_text(design={"kind": "morris", "n": 4, "levels": draw(st.integers(0, 50).filter(lambda x: x % 2))}), \
            "design.levels"
    k = draw(words.filter(lambda w: w not in SWEEP_SPEC and w not in ("name", "model", "disabled", "amplification",
                                                                     "overrides", "outputs")))
    return spec_text(**{k: 1}), k


@FUZZ
@given(case=bad_spec())
def test_generated_bad_sweep_specs_get_the_contract(case, tmp_path_factory):
    text, needle = case
    work = tmp_path_factory.mktemp("spec")
    (work / "s.toml").write_text(text, encoding="utf-8")
    before = snapshot(work)
    assert_contract(invoke("sweep", "s.toml", "--out", "out", "--workers", "1", cwd=work), before, work, needle)


# deals and firms: every way the loaders refuse a row or a column
@st.composite
def bad_deals(draw) -> tuple[str, str]:
    kind = draw(st.sampled_from(["amount", "party", "type", "start", "duplicate", "missing-column", "negative",
                                 "duration"]))
    i = draw(st.integers(0, 5))
    if kind == "duration":
        return csv_text(DEALS, lambda r: _set(r, i, "duration_years", draw(st.sampled_from(
            ["1e308", "300", "1e6", "-1", "inf", "nan", "five"])))), "duration_years"
    if kind == "amount":
        return csv_text(DEALS, lambda r: _set(r, i, "amount_bn", draw(st.sampled_from(["abc", "inf", "nan", "", "1e3x"])))), \
            "amount_bn"
    if kind == "negative":
        return csv_text(DEALS, lambda r: _set(r, i, "amount_bn", str(-draw(st.floats(0.001, 1e6))))), "amount_bn"
    if kind == "party":
        return csv_text(DEALS, lambda r: _set(r, i, "source_party", draw(words.map(str.upper)) + "_X")), "source_party"
    if kind == "type":
        return csv_text(DEALS, lambda r: _set(r, i, "type", draw(words.filter(lambda w: w not in ("supply", "equity", "financing"))))), "type"
    if kind == "start":
        return csv_text(DEALS, lambda r: _set(r, i, "start", draw(st.sampled_from(["soon", "2025-13-40", "x"])))), "start"
    if kind == "duplicate":
        return csv_text(DEALS, lambda r: r + [dict(r[i])]), "deal_id"
    col = draw(st.sampled_from(["amount_bn", "source_party", "type"]))
    return csv_without(DEALS, col), col


def csv_without(path: Path, col: str) -> str:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[c for c in rows[0] if c != col], extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def graph_with(option: str, name: str, text: str, needle: str, tmp_path_factory) -> None:
    """`interlock graph OPTION FILE` on a bad file gets the contract (the file by its absolute path:
    the loaders cache by path)."""
    work = tmp_path_factory.mktemp("graph")
    (work / name).write_text(text, encoding="utf-8")
    before = snapshot(work)
    assert_contract(invoke("graph", option, work / name, "--out", "g", cwd=work), before, work, name, needle)


@FUZZ
@given(case=bad_deals())
def test_generated_bad_deals_files_get_the_contract(case, tmp_path_factory):
    graph_with("--deals", "d.csv", *case, tmp_path_factory)


FIRMS_NUMBERS = [c for c in NUMERIC_COLUMNS if c in FIRMS.read_text(encoding="utf-8").splitlines()[0].split(",")]


@st.composite
def bad_firms(draw) -> tuple[str, str]:
    kind = draw(st.sampled_from(["kind", "source", "missing-column", "infinite", "negative", "text", "share",
                                 "duplicate"]))
    i = draw(st.integers(0, 5))
    if kind == "negative":
        col = draw(st.sampled_from([c for c in FIRMS_NUMBERS if c in NONNEGATIVE or c in POSITIVE or c in SHARES]))
        return csv_text(FIRMS, lambda r: _set(r, i, col, str(-draw(st.floats(0.001, 1e6))))), col
    if kind == "text":
        col = draw(st.sampled_from(FIRMS_NUMBERS))
        return csv_text(FIRMS, lambda r: _set(r, i, col, draw(st.sampled_from(["abc", "NA", "null", "1,5", "$3"])))), col
    if kind == "share":
        col = draw(st.sampled_from([c for c in FIRMS_NUMBERS if c in SHARES]))
        return csv_text(FIRMS, lambda r: _set(r, i, col, str(1.0 + draw(st.floats(1e-6, 1e3))))), col
    if kind == "duplicate":
        col = draw(st.sampled_from(["firm", "ticker"]))
        return csv_text(FIRMS, lambda r: _set(r, i + 1, col, r[i][col])), col
    if kind == "kind":
        return csv_text(FIRMS, lambda r: _set(r, i, "kind", draw(words.filter(lambda w: w not in (
            "hyperscaler", "chip_vendor", "ai_lab", "neocloud", "other_suppliers"))))), "kind"
    if kind == "source":
        return csv_text(FIRMS, lambda r: _set(r, i, "source", "")), "source"
    if kind == "infinite":
        return csv_text(FIRMS, lambda r: _set(r, 1, "market_cap_bn", draw(st.sampled_from(["inf", "-inf"])))), "market_cap_bn"
    return csv_without(FIRMS, draw(st.sampled_from(["firm", "kind", "source"]))), ""


@FUZZ
@given(case=bad_firms())
def test_generated_bad_firms_files_get_the_contract(case, tmp_path_factory):
    graph_with("--firms", "f.csv", *case, tmp_path_factory)


@st.composite
def damage(draw):
    """A way to damage a copy of a run folder: (what it does to the folder, the file it damages)."""
    name = draw(st.sampled_from(["summary.json", "timeseries.parquet", "flows.parquet", "events.parquet"]))
    how = draw(st.sampled_from(["truncate", "garbage", "delete", "empty"]))
    cut = draw(st.integers(0, 400))
    junk = draw(st.binary(min_size=1, max_size=64))

    def apply(d: Path) -> None:
        p = d / name
        if how == "delete":
            p.unlink()
        elif how == "empty":
            p.write_bytes(b"")
        elif how == "truncate":
            p.write_bytes(p.read_bytes()[:min(cut, p.stat().st_size - 1)])
        else:
            p.write_bytes(junk)
    return apply, name


@FUZZ
@given(case=damage())
def test_generated_damaged_run_folders_get_the_contract(case, tmp_path_factory, made):
    apply, name = case
    work = tmp_path_factory.mktemp("damaged")
    d, before = damaged_copy(made / "run", work, apply)
    assert_contract(invoke("plot", d, "--what", "dashboard", "--out", work / "figs", cwd=work), before, work, name)
