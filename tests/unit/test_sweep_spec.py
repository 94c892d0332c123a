"""Sweep specs: the designs they make, and bad specs refused (exit 2) before anything runs."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
from click.testing import CliRunner

from interlock.cli import cli
from interlock.config import param_specs
from interlock.errors import InputError
from interlock.experiments.sweeps.spec import load_spec, parse_spec

BASE = """\
scenario = "baseline"
days = 5
seeds = 2
"""


def write(tmp_path, text: str, name: str = "spec.toml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_a_grid_is_the_product_of_levels_and_values_in_key_order(tmp_path):
    spec = load_spec(write(tmp_path, BASE + """
        [design]
        kind = "grid"
        levels = 3
        [parameters]
        "vol_target.aum" = { range = [150, 1000] }
        "cta.aum" = { values = [200.0, 400.0] }
        "discretionary.n_traders" = { range = [30, 90], levels = 2 }
    """))
    pts = spec.points()
    assert spec.n_points() == len(pts) == 3 * 2 * 2
    assert pts[0] == {"vol_target.aum": 150.0, "cta.aum": 200.0, "discretionary.n_traders": 30}
    assert pts[-1] == {"vol_target.aum": 1000.0, "cta.aum": 400.0, "discretionary.n_traders": 90}
    assert sorted({p["vol_target.aum"] for p in pts}) == [150.0, 575.0, 1000.0]
    assert all(isinstance(p["discretionary.n_traders"], int) for p in pts)   # an int parameter stays int


def test_a_parameter_without_a_range_sweeps_its_plausible_range(tmp_path):
    spec = load_spec(write(tmp_path, BASE + """
        [design]
        kind = "lhs"
        n = 50
        [parameters]
        "cta.aum" = {}
    """))
    lo, hi = param_specs()["cta.aum"].range
    vals = np.array([p["cta.aum"] for p in spec.points()])
    assert vals.min() >= lo and vals.max() <= hi
    # a Latin hypercube puts exactly one point in each of the n equal strata
    strata = np.floor((vals - lo) / (hi - lo) * 50).astype(int)
    assert sorted(strata) == list(range(50))


def test_sobol_and_morris_designs_have_saltelli_and_trajectory_sizes(tmp_path):
    params = """
        [parameters]
        "cta.aum" = {}
        "vol_target.aum" = { range = [150, 1000], dist = "loguniform" }
        "market.equity_multiplier" = { range = [3, 8], dist = "triangular", mode = 5 }
    """
    sobol = load_spec(write(tmp_path, BASE + '[design]\nkind = "sobol"\nn = 16\n' + textwrap.dedent(params), "s.toml"))
    assert sobol.n_points() == len(sobol.points()) == 16 * (3 + 2)
    sobol2 = load_spec(write(tmp_path, BASE + '[design]\nkind = "sobol"\nn = 16\nsecond_order = true\n'
                             + textwrap.dedent(params), "s2.toml"))
    assert sobol2.n_points() == len(sobol2.points()) == 16 * (2 * 3 + 2)
    morris = load_spec(write(tmp_path, BASE + '[design]\nkind = "morris"\nn = 5\nlevels = 4\n'
                             + textwrap.dedent(params), "m.toml"))
    u = morris.unit_design()
    assert morris.n_points() == len(u) == 5 * (3 + 1)
    assert set(np.round(u.ravel(), 9)) <= {0.0, round(1 / 3, 9), round(2 / 3, 9), 1.0}
    # the same spec gives the same design (the analysis regenerates it)
    assert sobol.points() == load_spec(tmp_path / "s.toml").points()


def test_spec_toml_written_to_the_output_reloads_to_the_same_design(tmp_path):
    import tomli_w
    spec = load_spec(write(tmp_path, BASE + """
        [design]
        kind = "lhs"
        n = 7
        seed = 4
        [parameters]
        "cta.aum" = { dist = "truncnormal", mean = 350, sd = 80, range = [200, 700] }
    """))
    again = write(tmp_path, tomli_w.dumps(spec.canonical()), "again.toml")
    assert load_spec(again).points() == spec.points()


BAD = {
    "unknown key path": ('[design]\nkind = "grid"\n[parameters]\n"vol_target.aumm" = { range = [1, 2] }',
                         "unknown parameter; did you mean vol_target.aum"),
    "empty range": ('[design]\nkind = "grid"\n[parameters]\n"cta.aum" = { range = [500, 500] }',
                    "empty range"),
    "inverted range": ('[design]\nkind = "lhs"\nn = 4\n[parameters]\n"cta.aum" = { range = [600, 300] }',
                       "empty range"),
    "sobol N not a power of two": ('[design]\nkind = "sobol"\nn = 100\n[parameters]\n"cta.aum" = {}',
                                   "needs N a power of two, got 100 (allowed: e.g. 64 or 128)"),
    "odd morris levels": ('[design]\nkind = "morris"\nn = 4\nlevels = 5\n[parameters]\n"cta.aum" = {}',
                          "even number of levels"),
    "range outside the bounds": ('[design]\nkind = "grid"\n[parameters]\n"cta.aum" = { range = [-5, 100] }',
                                 "is out of range"),
    "normal in a grid": ('[design]\nkind = "grid"\n[parameters]\n"cta.aum" = { dist = "normal", mean = 1, sd = 1 }',
                         "a normal has none"),
    "normal drawing past a bound": ('[design]\nkind = "lhs"\nn = 200\n[parameters]\n'
                                    '"cta.aum" = { dist = "normal", mean = 10, sd = 50 }', "is out of range"),
    "empty values": ('[design]\nkind = "grid"\n[parameters]\n"cta.aum" = { values = [] }', "empty list"),
    "unknown top-level key": ('dayz = 3\n[design]\nkind = "grid"\n[parameters]\n"cta.aum" = {}',
                              "key 'dayz'"),
    "unknown design": ('[design]\nkind = "factorial"\n[parameters]\n"cta.aum" = {}', "key 'design.kind'"),
    "no parameters": ('[design]\nkind = "grid"\n[parameters]\n', "no parameters to vary"),
    "lhs without n": ('[design]\nkind = "lhs"\n[parameters]\n"cta.aum" = {}', "needs `n`"),
    "unknown agent class": ('disabled = ["hedgefunds"]\n[design]\nkind = "grid"\n[parameters]\n"cta.aum" = {}',
                            "unknown agent class"),
    "fixed and varied": ('[design]\nkind = "grid"\n[parameters]\n"cta.aum" = {}\n[overrides]\n"cta.aum" = 300',
                         "both fixed"),
    "mode on a uniform": ('[design]\nkind = "grid"\n[parameters]\n"cta.aum" = { range = [200, 300], mode = 250 }',
                          "mode does not apply to a uniform"),
    "a key path given twice": ('[design]\nkind = "grid"\n[parameters]\n"cta.aum" = {}\n'
                               '[parameters.cta]\naum = { values = [1.0, 2.0] }', "the same key path is given twice"),
    "unknown time-series column": ('[design]\nkind = "grid"\n[parameters]\n"cta.aum" = {}\n'
                                   '[outputs]\ntimeseries = true\ncolumns = ["SPXX"]', "unknown time-series columns"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_spec_is_refused_with_exit_2_before_anything_runs(tmp_path, case):
    body, message = BAD[case]
    spec = write(tmp_path, BASE + body)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"])
    assert res.exit_code == 2, res.output
    assert message in res.output, res.output
    assert str(spec) in res.output                       # the message names the file
    assert len(res.output.strip().splitlines()) == 1     # in one line
    assert not out.exists()                              # nothing ran, nothing was written


def test_both_a_local_pool_and_a_cluster_is_refused(tmp_path):
    spec = write(tmp_path, BASE + '[design]\nkind = "grid"\n[parameters]\n"cta.aum" = {}')
    res = CliRunner().invoke(cli, ["sweep", str(spec), "--out", str(tmp_path / "o"), "--workers", "2",
                                   "--dask", "tcp://127.0.0.1:1", "--quiet"])
    assert res.exit_code == 2 and "either --workers" in res.output
    assert not (tmp_path / "o").exists()


def test_an_unknown_key_path_gets_the_same_message_as_set():
    with pytest.raises(InputError) as sweep_err:
        parse_spec({"design": {"kind": "grid"}, "parameters": {"vol_target.aumm": {}}}, "s.toml")
    from interlock.config import Params
    with pytest.raises(InputError) as set_err:
        Params.defaults().with_overrides({"vol_target.aumm": 1}, origin="s.toml")
    assert sweep_err.value.detail == set_err.value.detail
    assert sweep_err.value.allowed == set_err.value.allowed


def test_nested_parameter_tables_are_key_paths(tmp_path):
    spec = load_spec(write(tmp_path, BASE + """
        [design]
        kind = "grid"
        [parameters.cta]
        aum = { values = [200.0, 300.0] }
    """))
    assert spec.keys == ["cta.aum"] and spec.n_points() == 2
    assert math.isclose(spec.points()[1]["cta.aum"], 300.0)


LHS = {"scenario": "baseline", "days": 5, "design": {"kind": "lhs", "n": 2}, "parameters": {"cta.aum": {}}}


@pytest.mark.parametrize("ref", ["os:system", "subprocess:run", "builtins:eval", "shutil:rmtree",
                                 "numpy:save", "pandas:read_pickle", "interlock.cli:main",
                                 "interlock.experiments.runner:run"])
def test_a_spec_cannot_name_an_arbitrary_callable_as_its_metrics(ref):
    with pytest.raises(InputError, match="outputs.metrics") as e:
        parse_spec({**LHS, "outputs": {"metrics": ref}}, "s.toml", for_analysis=True)
    assert "s.toml" in str(e.value)


def test_a_spec_may_name_a_shipped_metric_set_or_a_function_of_the_users_own_module(tmp_path, monkeypatch):
    spec = parse_spec({**LHS, "outputs": {"metrics": "summary"}}, "s.toml", for_analysis=True)
    assert spec.metrics == "interlock.experiments.sweeps.jobs:summary_metrics"
    (tmp_path / "my_metrics_pkg_17.py").write_text(
        "from os import system\n\ndef drawdown(result):\n    return {'dd': 1.0}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert parse_spec({**LHS, "outputs": {"metrics": "my_metrics_pkg_17:drawdown"}}, "s.toml",
                      for_analysis=True).metrics == "my_metrics_pkg_17:drawdown"
    with pytest.raises(InputError, match="not a function defined in my_metrics_pkg_17"):
        parse_spec({**LHS, "outputs": {"metrics": "my_metrics_pkg_17:system"}}, "s.toml", for_analysis=True)


@pytest.mark.parametrize("change,key", [
    ({"days": "5"}, "days"), ({"seeds": "2"}, "seeds"), ({"amplification": "true"}, "amplification"),
    ({"design": {"kind": "lhs", "n": "2"}}, "design.n"),
    ({"parameters": {"cta.aum": {"range": ["100", "200"]}}}, "parameters"),
    ({"parameters": 5}, "parameters"), ({"overrides": [1]}, "overrides"), ({"design": "lhs"}, "design"),
])
def test_text_is_never_read_as_a_number_and_tables_must_be_tables(change, key):
    with pytest.raises(InputError) as e:
        parse_spec({**LHS, **change}, "s.toml", for_analysis=True)
    assert key in str(e.value) and "s.toml" in str(e.value)


def test_a_design_past_the_hard_limit_is_refused_before_it_is_drawn():
    import time
    t = time.process_time()
    for design, params in (({"kind": "lhs", "n": 10**8}, {"cta.aum": {}}),
                           ({"kind": "grid", "levels": 10**5}, {"cta.aum": {}, "vol_target.aum": {}, "dealer.gamma_calm": {}}),
                           ({"kind": "sobol", "n": 2**30}, {"cta.aum": {}})):
        with pytest.raises(InputError, match="past the limit of 1,000,000"):
            parse_spec({**LHS, "design": design, "parameters": params}, "s.toml")
        with pytest.raises(InputError, match="past the limit"):
            parse_spec({**LHS, "design": design, "parameters": params}, "s.toml", for_analysis=True)
    assert time.process_time() - t < 5          # refused from the count, nothing drawn


def test_work_past_the_soft_limits_needs_yes_and_past_the_hard_limit_is_refused():
    from interlock.experiments.sweeps.budget import MAX_RUNS, check_budget, estimate
    small = estimate(100, 252)
    check_budget(small, yes=False, origin="s.toml")
    big = estimate(40_000, 2_000)
    assert big.cpu_hours > 4
    with pytest.raises(InputError, match="--yes"):
        check_budget(big, yes=False, origin="s.toml")
    check_budget(big, yes=True, origin="s.toml")
    with pytest.raises(InputError, match="past the limit"):
        check_budget(estimate(MAX_RUNS + 1, 1), yes=True, origin="s.toml")


@pytest.mark.parametrize("parameters", [
    '"vol_target.target_vol_min" = { range = [0.1, 0.3] }',                          # drawn past the fixed max
    '"cta.speed_min" = { values = [0.2, 0.6] }\n"cta.speed_max" = { values = [0.4, 0.8] }',   # gridded min > max
])
def test_a_design_that_can_put_a_min_above_its_max_is_refused_before_running(tmp_path, parameters):
    spec = write(tmp_path, f'scenario = "vol_shock"\ndays = 5\nseeds = 1\n[design]\nkind = "grid"\n'
                           f'[parameters]\n{parameters}\n')
    out = tmp_path / "o"
    res = CliRunner().invoke(cli, ["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"])
    assert res.exit_code == 2, res.output
    line = res.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("error: ") and "_min" in line and "_max" in line, line
    assert "design draws" in line
    assert not out.exists()


@pytest.mark.parametrize("raw, key, allowed", [
    ({"design": {"kind": "grid", "levls": 3}}, "design.levls", "allowed: keys of [design]: kind, n, second_order, levels, seed"),
    ({"outputs": {"timeseries": True, "evry": 5}}, "outputs.evry", "allowed: keys of [outputs]: timeseries, every, columns, metrics"),
    ({"days": "40"}, "days", "allowed: an integer from 1 to 20000"),
    ({"seeds": "2"}, "seeds", "allowed: an integer, or a list of integers"),
])
def test_a_bad_key_of_a_spec_says_what_its_own_table_allows(raw, key, allowed):
    with pytest.raises(InputError) as e:
        parse_spec({**LHS, **raw}, "s.toml", for_analysis=True)
    msg = str(e.value)
    assert f"key '{key}'" in msg and allowed in msg, msg
    assert "top-level keys" not in msg


def test_a_misspelt_field_of_a_parameters_table_is_named_as_a_field_not_a_parameter():
    """`"cta.aum" = { rnage = [200, 700] }` used to be read as a parameter `cta.aum.rnage` (unknown
    parameter); it is a field of cta.aum's table: say so, and which fields a table takes."""
    with pytest.raises(InputError) as e:
        parse_spec({**LHS, "parameters": {"cta.aum": {"rnage": [200.0, 700.0]}}}, "s.toml", for_analysis=True)
    msg = str(e.value)
    assert "unknown field 'rnage' in the table of cta.aum; did you mean range?" in msg, msg
    assert "key 'parameters.cta.aum'" in msg and "values" in msg and "unknown parameter" not in msg
