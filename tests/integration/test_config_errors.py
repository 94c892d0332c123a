"""Bad input: one clear message naming the file, the key and what is allowed; exit code 2;
nothing written."""

from __future__ import annotations

import pytest

from cli_contract import assert_contract, invoke, snapshot
from interlock.config import Params
from interlock.errors import InputError
from interlock.experiments.scenarios import load_scenario


@pytest.mark.parametrize("args, needle", [
    (["run", "no_such_scenario"], "unknown scenario"),
    (["run", "baseline", "--set", "vol_target.aum=-5"], "vol_target.aum"),
    (["run", "baseline", "--set", "vol_target.max_leverage=-1"], "vol_target.max_leverage"),
    (["run", "baseline", "--set", "vol_target.aun=400"], "did you mean vol_target.aum"),
    (["run", "baseline", "--days", "0"], "--days"),
    (["run", "baseline", "--set", "cta.enabled=maybe"], "cta.enabled"),
])
def test_bad_cli_input_exits_2_with_a_clear_message_and_writes_nothing(tmp_path, args, needle):
    before = snapshot(tmp_path)
    res = invoke(*args, "--out", tmp_path / "out", cwd=tmp_path)
    assert_contract(res, before, tmp_path, needle)


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
    before = snapshot(tmp_path)
    assert_contract(invoke("run", p, "--out", tmp_path / "o", cwd=tmp_path), before, tmp_path, "malformed TOML", str(p))


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


@pytest.mark.parametrize("value, message", [
    ("100", "expected a number, got text '100'"), ("1e3", "expected a number, got text"),
    ("true", "expected a number"), ([100], "expected a number"), (True, "expected a number"),
])
def test_text_and_other_types_are_never_read_as_numbers(value, message):
    with pytest.raises(InputError, match=message) as e:
        Params.defaults().with_overrides({"cta.aum": value}, origin="s.toml")
    assert "s.toml" in str(e.value) and "cta.aum" in str(e.value)


def test_text_is_never_read_as_a_boolean():
    for value in ("true", "yes", 1):
        with pytest.raises(InputError, match="true or false"):
            Params.defaults().with_overrides({"cta.enabled": value}, origin="s.toml")


def test_a_date_parameter_takes_iso_dates_and_toml_dates_only():
    import datetime as dt
    p = Params.defaults()
    assert p.with_overrides({"run.start_date": "2018-01-26"}, "t")["run.start_date"] == "2018-01-26"
    assert p.with_overrides({"run.start_date": dt.date(2025, 1, 21)}, "t")["run.start_date"] == "2025-01-21"
    for bad in ("notadate", "2025-13-01", "2025-02-30", "26/01/2018", 20180126):
        with pytest.raises(InputError, match="calendar date"):
            p.with_overrides({"run.start_date": bad}, "t")


def test_set_options_refuse_a_key_given_twice_and_keep_dates_and_bare_words_as_text():
    from interlock.config import parse_set_options
    assert parse_set_options(["run.start_date=2025-01-21", "cta.aum=300", "x.y=word"]) == {
        "run.start_date": "2025-01-21", "cta.aum": 300, "x.y": "word"}
    with pytest.raises(InputError, match="given twice"):
        parse_set_options(["cta.aum=1", "cta.aum=2"])
    with pytest.raises(InputError, match="no key path"):
        parse_set_options(["=2"])


def test_an_overrides_file_with_keys_beside_its_table_is_refused(tmp_path):
    from interlock.config import load_override_file
    p = tmp_path / "o.toml"
    p.write_text('note = "x"\n[overrides]\n"cta.aum" = 300\n', encoding="utf-8")
    with pytest.raises(InputError, match="beside"):
        load_override_file(p)


@pytest.mark.parametrize("sets, needles", [
    (["vol_target.target_vol_min=0.3"], ["vol_target.target_vol_min", "0.3", "vol_target.target_vol_max = 0.18"]),
    (["retail_crypto.leverage_min=30"], ["retail_crypto.leverage_min", "30", "retail_crypto.leverage_max = 20"]),
    (["cta.speed_min=0.5", "cta.speed_max=0.4"], ["cta.speed_min", "0.5", "cta.speed_max = 0.4"]),
])
def test_a_min_above_its_max_is_refused_naming_both_keys_and_values(tmp_path, sets, needles):
    before = snapshot(tmp_path)
    args = [a for s in sets for a in ("--set", s)]
    res = invoke("run", "vol_shock", "--days", "5", *args, "--out", tmp_path / "out", cwd=tmp_path)
    assert_contract(res, before, tmp_path, "--set", *needles)


def test_every_min_max_pair_is_checked_whichever_layer_sets_it(tmp_path):
    """A scenario file's [overrides] may set a pair too: its file is named; a --set max that
    restores the order is accepted."""
    p = _write(tmp_path, GOOD + '[overrides]\n"crypto_etf.vol_limit_min" = 2.0\n')
    with pytest.raises(InputError, match="crypto_etf.vol_limit_max") as e:
        load_scenario(p)
    assert str(p) in str(e.value)
    ok = load_scenario("vol_shock").params({"crypto_etf.vol_limit_min": 2.0, "crypto_etf.vol_limit_max": 3.0})
    assert ok["crypto_etf.vol_limit_min"] == 2.0


@pytest.mark.parametrize("where", ["--set", "--config"])
def test_setting_run_days_as_an_override_is_refused_pointing_at_days(tmp_path, where):
    """run.days is only the default of a scenario's [run] days: an override of it would be ignored
    (the scenario's days win), so it is refused with a line that points at --days."""
    cfg = tmp_path / "o.toml"
    cfg.write_text('"run.days" = 30\n', encoding="utf-8")
    before = snapshot(tmp_path)
    how = ["--set", "run.days=30"] if where == "--set" else ["--config", cfg]
    res = invoke("run", "vol_shock", *how, "--out", tmp_path / "out", cwd=tmp_path)
    assert_contract(res, before, tmp_path, "run.days", "--days", "o.toml" if where == "--config" else "--set")


def test_run_days_in_a_scenario_or_a_sweep_spec_is_refused(tmp_path):
    from interlock.experiments.sweeps.spec import load_spec
    p = _write(tmp_path, GOOD + '[overrides]\n"run.days" = 30\n')
    with pytest.raises(InputError, match=r"run\.days.*\[run\] days"):
        load_scenario(p)
    spec = tmp_path / "spec.toml"
    spec.write_text('scenario = "baseline"\ndays = 5\n[design]\nkind = "grid"\n[parameters]\n'
                    '"run.days" = { values = [5, 10] }\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"run\.days.*days in a sweep spec"):
        load_spec(spec)


def test_a_misspelt_narrative_key_is_named_with_the_allowed_keys_and_the_table_is_not_echoed(tmp_path):
    p = _write(tmp_path, GOOD.replace('what = "w"', 'wat = "a long paragraph of the story"'))
    before = snapshot(tmp_path)
    res = invoke("run", p, "--days", "2", "--out", tmp_path / "o", cwd=tmp_path)
    assert_contract(res, before, tmp_path, str(p), "narrative.wat", "what, how, look_at, try_next")
    assert "a long paragraph" not in res.stderr and "look_at': 'l'" not in res.stderr
