"""Sensitivity analysis through the real sweep path, checked on the Ishigami function, whose
Sobol' indices are known analytically."""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest
from click.testing import CliRunner

from interlock.cli import cli
from interlock.experiments.sweeps.ishigami import analytic_indices
from sweep_helpers import cli_env, interlock_cmd

ISHIGAMI = """\
model = "ishigami"
seeds = {seeds}
[design]
kind = "{kind}"
{design}
[parameters]
"ishigami.x1" = {{}}
"ishigami.x2" = {{}}
"ishigami.x3" = {{}}
{extra}
"""


def sweep(tmp_path, name, kind, design, seeds=1, extra="", workers=1):
    spec = tmp_path / f"{name}.toml"
    spec.write_text(ISHIGAMI.format(kind=kind, design=design, seeds=seeds, extra=extra), encoding="utf-8")
    out = tmp_path / name
    res = CliRunner().invoke(cli, ["sweep", str(spec), "--out", str(out), "--workers", str(workers), "--quiet"])
    assert res.exit_code == 0, res.output
    return out


@pytest.mark.timeout(180)
def test_sobol_indices_of_the_ishigami_function_match_the_analytic_values(tmp_path):
    spec = tmp_path / "ishigami.toml"
    spec.write_text(ISHIGAMI.format(kind="sobol", design="n = 1024\nseed = 3", seeds=1, extra=""), encoding="utf-8")
    out = tmp_path / "sweep"
    ran = subprocess.run(interlock_cmd("sweep", spec, "--out", out, "--workers", "2", "--quiet"),
                         env=cli_env(), capture_output=True, text=True, timeout=150)
    assert ran.returncode == 0, ran.stderr
    res = CliRunner().invoke(cli, ["sensitivity", str(out), "--metric", "y", "--resamples", "200"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "sensitivity" / "y.csv").set_index("parameter")
    exact = analytic_indices()
    for index in ("S1", "ST"):
        for x, value in exact[index].items():
            assert abs(table.loc[x, index] - value) < 0.05, (index, x, table.loc[x, index], value)
            assert 0 < table.loc[x, f"{index}_conf"] < 0.15
    assert list(table.index) == ["ishigami.x1", "ishigami.x2", "ishigami.x3"]    # sorted by ST
    assert (out / "sensitivity" / "y.png").stat().st_size > 5000
    assert "Sobol' indices of y (5120 points × 1 seeds, mean over seeds per point" in res.output


def test_morris_finds_the_interaction_only_parameter_that_first_order_indices_miss(tmp_path):
    out = sweep(tmp_path, "morris", "morris", "n = 30\nlevels = 4\nseed = 1", seeds=2,
                extra='[overrides]\n"ishigami.noise" = 0.1')
    res = CliRunner().invoke(cli, ["sensitivity", str(out), "--metric", "y", "--resamples", "100"])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out / "sensitivity" / "y.csv").set_index("parameter")
    assert set(t.columns) == {"mu_star", "mu_star_conf", "mu", "sigma"}
    # x3 acts only through its interaction with x1 (S1 = 0): Morris still sees it, with σ ≫ |μ|
    assert t.loc["ishigami.x3", "mu_star"] > 1.0
    assert t.loc["ishigami.x3", "sigma"] > 2 * abs(t.loc["ishigami.x3", "mu"])
    assert "2 seeds, mean over seeds per point" in res.output and "seed noise" in res.output


def test_sensitivity_refuses_a_design_that_does_not_support_it(tmp_path):
    out = sweep(tmp_path, "grid", "grid", "levels = 3")
    res = CliRunner().invoke(cli, ["sensitivity", str(out), "--metric", "y"])
    assert res.exit_code == 2
    assert "a grid design does not support" in res.output and "sobol" in res.output
    res = CliRunner().invoke(cli, ["sensitivity", str(out), "--metric", "yy"])
    assert res.exit_code == 2


def test_sensitivity_refuses_an_unknown_metric_and_an_unfinished_sweep(tmp_path):
    import json
    out = sweep(tmp_path, "s", "sobol", "n = 8")
    res = CliRunner().invoke(cli, ["sensitivity", str(out), "--metric", "why"])
    assert res.exit_code == 2 and "unknown metric 'why'" in res.output
    m = json.loads((out / "manifest.json").read_text())
    m["status"] = "interrupted"
    (out / "manifest.json").write_text(json.dumps(m))
    res = CliRunner().invoke(cli, ["sensitivity", str(out), "--metric", "y"])
    assert res.exit_code == 2 and "not finished" in res.output and "--resume" in res.output
