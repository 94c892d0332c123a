"""Bad input: one clear message naming the file, the key and what is allowed; exit code 2;
nothing written."""

from __future__ import annotations

import subprocess
import sys

import pytest

from interlock.config import Params
from interlock.errors import InputError
from interlock.experiments.scenarios import load_scenario


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "interlock.cli", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("args, needle", [
    (["run", "no_such_scenario"], "unknown scenario"),
    (["run", "baseline", "--set", "vol_target.aum=-5"], "vol_target.aum"),
    (["run", "baseline", "--set", "vol_target.max_leverage=-1"], "vol_target.max_leverage"),
    (["run", "baseline", "--set", "vol_target.aun=400"], "did you mean vol_target.aum"),
    (["run", "baseline", "--days", "0"], "--days"),
    (["run", "baseline", "--set", "cta.enabled=maybe"], "cta.enabled"),
])
def test_bad_cli_input_exits_2_with_a_clear_message_and_writes_nothing(tmp_path, args, needle):
    out = tmp_path / "out"
    res = cli(*args, "--out", str(out))
    assert res.returncode == 2, res.stderr
    assert needle in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not out.exists()


def _write(tmp_path, text):
    p = tmp_path / "s.toml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = """name = "x"
[narrative]
what = "w"
look_at = "l"
[source]
note = "001"
"""


def test_unknown_shock_type_names_the_file_the_shock_and_the_allowed_types(tmp_path):
    p = _write(tmp_path, GOOD + "[[shocks]]\nat = 3\ntype = \"fed_cutt\"\n")
    with pytest.raises(InputError) as e:
        load_scenario(p)
    msg = str(e.value)
    assert str(p) in msg and "shocks[0].type" in msg and "fed_cut" in msg


def test_misspelled_shock_field_is_refused(tmp_path):
    p = _write(tmp_path, GOOD + "[[shocks]]\nat = 3\ntype = \"vol_spike\"\nnoise_multiplyer = 2\n")
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert "shocks[0].noise_multiplyer" in str(e.value)


def test_out_of_range_shock_value_is_refused(tmp_path):
    p = _write(tmp_path, GOOD + "[[shocks]]\nat = 0\ntype = \"fed_cut\"\n")
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert "shocks[0].at" in str(e.value)


def test_malformed_toml_names_the_file(tmp_path):
    p = _write(tmp_path, "name = \n")
    res = cli("run", str(p), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "malformed TOML" in res.stderr and str(p) in res.stderr


def test_unknown_override_key_in_a_scenario_file_is_refused(tmp_path):
    p = _write(tmp_path, GOOD + "[overrides]\n\"cta.aumm\" = 3\n")
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert "cta.aumm" in str(e.value) and "cta.aum" in str(e.value)


def test_unknown_top_level_key_is_refused(tmp_path):
    p = _write(tmp_path, GOOD + "colour = \"red\"\n")
    with pytest.raises(InputError):
        load_scenario(p)


def test_every_default_parameter_has_a_source_and_a_date():
    from interlock.config import param_specs
    missing = [k for k, s in param_specs().items() if not s.source or not s.date]
    assert not missing, missing


def test_uncertain_parameters_carry_a_range():
    from interlock.config import param_specs
    for k, s in param_specs().items():
        if s.uncertain and isinstance(s.default, (int, float)) and not isinstance(s.default, bool):
            assert s.range is not None or s.min is not None, k


def test_params_overrides_validate_types():
    with pytest.raises(InputError):
        Params.defaults().with_overrides({"vol_target.n_funds": 2.5}, origin="t")
    p = Params.defaults().with_overrides({"vol_target.n_funds": 3}, origin="t")
    assert p["vol_target.n_funds"] == 3
