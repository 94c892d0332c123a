"""Snapshots (issue #14): the interlock and its markets as known on a date. The shipped snapshots
load and hold nothing published after their date; a start date selects the latest snapshot on or
before it (within interlock.snapshot.max_age_days) and is refused, with the list of snapshots,
when there is none; a snapshot missing a field the model reads is an input error naming the file
and the field; its market levels become parameters before the scenario's own overrides; deals are
booked at their conversion probability, one-off orders renew and contracts ramp up as capacity
comes online."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from interlock.config import Params
from interlock.errors import InputError
from interlock.experiments.scenarios import load_scenario
from interlock.inputs import snapshots as S
from interlock.inputs.deals import parse_conversion, read_deals
from interlock.inputs.firms import load_firms
from interlock.model.interlock.deals import book_deals, resolve_schedules
from interlock.model.interlock.ledger import RAMP, _schedule

SHIPPED = ("2018-01-26", "2025-01-24", "2025-10-09", "2025-11-21")


def test_the_episodes_and_the_baseline_have_their_snapshots():
    assert set(SHIPPED) <= set(S.available())


@pytest.mark.parametrize("date", SHIPPED)
def test_a_shipped_snapshot_loads_and_holds_nothing_announced_after_its_date(date):
    snap = S.load_snapshot(S.shipped_dir() / date)
    assert snap.date == pd.Timestamp(date)
    firms = load_firms(snap.firms_file)
    deals = read_deals(snap.deals_file, tuple(firms["firm"]))
    assert (deals["announced"] <= snap.date).all()
    assert (deals["status"].isin(("signed", "framework", "letter_of_intent", "rumoured", "run_rate"))).all()
    assert deals["conversion_probability"].between(0.0, 1.0).all()
    # every listed firm's cap is in [assets] and the same number as in firms.csv (the loader checks)
    listed = firms[firms["listed"]]
    assert set(listed["ticker"]) == set(snap.listed)
    assert listed["source"].str.strip().ne("").all()


def test_a_start_date_selects_the_latest_snapshot_on_or_before_it():
    assert S.select("2025-11-21").date == pd.Timestamp("2025-11-21")
    assert S.select("2025-11-28", max_age_days=7).date == pd.Timestamp("2025-11-21")   # a week later: same snapshot
    assert S.select("2025-01-27").date == pd.Timestamp("2025-01-24")


@pytest.mark.parametrize("date", ["2025-12-15", "2017-06-01", "2025-10-08"])
def test_a_date_without_a_snapshot_is_refused_with_the_list_of_snapshots(date):
    with pytest.raises(InputError) as e:
        S.select(date, max_age_days=7)
    msg = str(e.value)
    assert "run.start_date" in msg and f"no snapshot on {date}" in msg
    assert all(d in msg for d in SHIPPED)


def test_a_bad_start_date_is_an_input_error_naming_the_key():
    with pytest.raises(InputError, match="run.start_date"):
        load_scenario("baseline").params({"run.start_date": "21/11/2025"})


def _copy(tmp_path, date="2025-11-21"):
    root = tmp_path / "snapshots"
    shutil.copytree(S.shipped_dir() / date, root / date)
    return root, root / date


def _set_firm(folder, firm, column, value):
    """Write `value` into `column` of `firm`'s row of the snapshot's firms.csv."""
    df = pd.read_csv(folder / "firms.csv", dtype=str, keep_default_na=False)
    df.loc[df["firm"] == firm, column] = value
    df.to_csv(folder / "firms.csv", index=False)


def test_a_snapshot_missing_a_market_field_names_the_file_and_the_field(tmp_path):
    root, folder = _copy(tmp_path)
    text = (folder / "market.toml").read_text(encoding="utf-8")
    (folder / "market.toml").write_text(text.replace("vix = { value = 23.42,", 'vix = { value = "",'), encoding="utf-8")
    with pytest.raises(InputError) as e:
        S.select("2025-11-21", str(root))
    assert "market.toml" in str(e.value) and "'market.vix'" in str(e.value) and "missing value" in str(e.value)


def test_a_snapshot_missing_a_firm_field_names_the_row_and_the_field(tmp_path):
    root, folder = _copy(tmp_path)
    _set_firm(folder, "GOOGL", "market_cap_bn", "")
    with pytest.raises(InputError) as e:
        S.select("2025-11-21", str(root))
    msg = str(e.value)
    assert "firms.csv" in msg and "(GOOGL)" in msg and "missing market_cap_bn" in msg and "status listed" in msg


def test_a_deal_announced_after_the_snapshot_date_is_refused(tmp_path):
    root, folder = _copy(tmp_path)
    df = pd.read_csv(folder / "deals.csv", dtype=str, keep_default_na=False)
    df.loc[df["deal_id"] == "S01", "announced"] = "2025-12-01"
    df.to_csv(folder / "deals.csv", index=False)
    with pytest.raises(InputError, match=r"announced after the snapshot's date: \['S01'\]"):
        S.select("2025-11-21", str(root))


def test_the_snapshot_sets_the_market_levels_before_the_scenarios_own_overrides(tmp_path):
    snap = S.select("2025-11-21")
    p = load_scenario("baseline").params()
    assert p["run.spx_level"] == snap.value("market.spx_level")
    assert p["fed.policy_rate"] == pytest.approx((0.0375 + 0.04) / 2)
    # the VIX is implied vol: recorded, not the engine's starting (realised) vol, which only a
    # snapshot's market.realised_vol sets (2018: 8.4%)
    assert p["vol.initial_annual_vol"] == Params.defaults()["vol.initial_annual_vol"]
    assert p["assets.NVDA.cap"] == float(snap.market["assets.NVDA"]["cap"])
    assert p["assets.REST.cap"] == snap.value("market.rest_cap")
    # a scenario's override wins over the snapshot, --set over both
    feb = load_scenario("episode_feb2018")
    assert feb.params()["vol.initial_annual_vol"] == 0.084                   # the 2018 snapshot's realised vol
    assert feb.params()["run.spx_level"] == 2872.87
    assert feb.params()["assets.REST.cap"] == S.select("2018-01-26").value("market.rest_cap") == 21607.0
    own = tmp_path / "feb_big_rest.toml"
    own.write_text(Path(load_scenario("episode_feb2018").path).read_text().replace(
        '[overrides]\n', '[overrides]\n"assets.REST.cap" = 39500.0\n', 1))
    assert load_scenario(own).params()["assets.REST.cap"] == 39500.0
    assert feb.params({"run.spx_level": 3000.0})["run.spx_level"] == 3000.0


def test_the_start_date_given_on_the_command_line_selects_its_snapshot():
    p = load_scenario("baseline").params({"run.start_date": "2025-01-24"})
    assert p["assets.NVDA.cap"] == 3493.0 and p["buyback.sp500_annual"] == 918.4
    assert p["assets.CRWV.cap"] == S.NOT_LISTED_CAP_BN                   # CoreWeave was private
    assert p["crypto_etf.aum"] == 120.0


def _late_2025_deals(firms):
    return resolve_schedules(read_deals(S.shipped_dir() / "2025-11-21" / "deals.csv", tuple(firms["firm"])), firms, 1.0)


def test_conversion_probabilities_weight_the_amounts_and_a_scenario_can_change_them():
    firms = load_firms()
    deals = _late_2025_deals(firms)
    booked = book_deals(deals, "2025-11-21", {}, 0.0, 2.0, 5.0, 0.0)
    s12 = booked.set_index("deal_id").loc["S12"]
    assert s12["status"] == "letter_of_intent" and s12["amount_bn"] == pytest.approx(350.0 * 0.5)
    assert s12["amount_full_bn"] == 350.0
    change = parse_conversion("S12=0.2, S10=0", "t", "k")
    again = book_deals(deals, "2025-11-21", change, 0.0, 2.0, 5.0, 0.0).set_index("deal_id")
    assert again.loc["S12", "amount_bn"] == pytest.approx(70.0) and again.loc["S10", "amount_bn"] == 0.0
    with pytest.raises(InputError, match="deal_id=probability"):
        parse_conversion("S12=1.5", "t", "interlock.deals.conversion")


def test_a_one_off_order_renews_at_the_renewal_rate_and_long_contracts_do_not():
    firms = load_firms()
    deals = _late_2025_deals(firms)
    booked = book_deals(deals, "2025-11-21", {}, 0.8, 2.0, 5.0, 0.0).set_index("deal_id")
    s18 = booked.loc["S18"]                                    # Oracle's 1.5-year GB200 order, ends 2026-11
    r1, r2 = booked.loc["S18~r1"], booked.loc["S18~r2"]
    assert r1["start"] == s18["end"] and r2["start"] == r1["end"] and r1["status"] == "renewal"
    assert r1["amount_bn"] == pytest.approx(0.8 * s18["amount_bn"])
    assert r2["amount_bn"] == pytest.approx(0.64 * s18["amount_bn"])
    assert not any(i.startswith("S02~r") for i in booked.index)            # a 7-year Azure commitment


def test_recognition_ramps_a_new_contract_up_with_the_same_amount_and_end():
    firms = load_firms()
    deals = _late_2025_deals(firms)
    booked = book_deals(deals, "2025-11-21", {}, 0.0, 2.0, 5.0, 1.0)
    n04 = deals.set_index("deal_id").loc["N04"]            # Meta → Oracle, from 2026-01-01, 4 years
    parts = booked[booked["deal_id"].isin(["N04", "N04~flat"])].set_index("deal_id")
    assert parts.loc["N04", "schedule"] == "ramp" and parts.loc["N04~flat", "start"] == parts.loc["N04", "end"]
    assert parts["amount_bn"].sum() == pytest.approx(n04["amount_bn"] * n04["conversion_probability"])
    assert parts.loc["N04~flat", "end"] == n04["end"]
    idx = {f: i for i, f in enumerate(firms["firm"])}
    sched = _schedule(parts.reset_index(), idx, pd.Timestamp("2025-11-21"), 1 / 252)
    assert sched.sched[0] == RAMP
    end = (n04["end"] - pd.Timestamp("2025-11-21")).days / 365.25
    t = np.linspace(0.0, end - 1e-3, 5001)                                 # over the contract's life
    rate = np.array([sched.rate(x).sum() for x in t])
    assert rate[0] == 0.0
    assert np.abs(np.diff(rate)).max() < 0.02 * rate.max()     # no step: the ramp meets the flat part
    assert sched.paid_between(0.0, 10.0).sum() == pytest.approx(parts["amount_bn"].sum())


def test_a_snapshot_edited_within_one_process_is_read_again(tmp_path):
    root, folder = _copy(tmp_path)
    assert S.select("2025-11-21", str(root)).value("market.spx_level") == 6602.99
    text = (folder / "market.toml").read_text(encoding="utf-8")
    (folder / "market.toml").write_text(text.replace("value = 6602.99,", "value = 6000.5,"), encoding="utf-8")
    assert S.select("2025-11-21", str(root)).value("market.spx_level") == 6000.5
    _set_firm(folder, "GOOGL", "revenue_bn", "abc")                      # a firms file spoilt after a good read
    with pytest.raises(InputError, match=r"\(GOOGL\): revenue_bn 'abc' is not a number"):
        S.select("2025-11-21", str(root))


def test_a_snapshots_firms_file_with_a_duplicated_ticker_names_the_file_and_row(tmp_path):
    root, folder = _copy(tmp_path)
    _set_firm(folder, "GOOGL", "ticker", "MSFT")
    with pytest.raises(InputError) as e:
        S.select("2025-11-21", str(root))
    assert e.value.file == str(folder / "firms.csv") and e.value.key == "ticker" and "listed twice" in str(e.value)
