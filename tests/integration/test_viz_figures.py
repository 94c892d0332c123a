"""Static figures: each is a valid image of sensible size, and the numbers it draws are the run's."""

from __future__ import annotations

import copy
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from interlock.viz.cascade import NEWS_NODE, cascade, default_day
from interlock.viz.dashboard import dashboard
from interlock.viz.fan import fan
from interlock.viz.network import network_animation, network_snapshot
from interlock.viz.sankey import sankey

DAYS = 40


@pytest.fixture
def shock_run(run_cached):
    """The shipped vol-shock scenario (a vol spike on day 20), short."""
    return run_cached("vol_shock", DAYS, 2)


def assert_image(path, fmt="PNG", min_px=(600, 400), max_px=(3000, 3000), min_bytes=20_000):
    assert path.exists() and path.stat().st_size >= min_bytes, path
    with Image.open(path) as im:
        assert im.format == fmt
        w, h = im.size
        assert min_px[0] <= w <= max_px[0] and min_px[1] <= h <= max_px[1], im.size
        im.verify()


def with_blocks(result):
    """A copy of `result` with known block outputs: capex, utilisation, liquidations and leverage
    columns, and these interlock cascade hops as the events of kind 'cascade'."""
    r = copy.copy(result)
    ts = result.timeseries.copy()
    n = len(ts)
    ts["capex_MSFT_bn"] = np.linspace(100, 80, n)
    ts["capex_ORCL_bn"] = np.linspace(40, 20, n)
    ts["utilisation"] = np.linspace(0.9, 0.7, n)
    ts["liquidations_bn"] = np.where(ts["day"] == 21, 12.0, 0.0)
    ts["btc_leverage"] = np.linspace(2.0, 1.5, n)
    ts["crypto_trust"] = np.linspace(1.0, 0.8, n)
    r.timeseries = ts
    hops = pd.DataFrame([(21, "cascade", "OpenAI", "ORCL", "supply", -30.0, "capex cut"),
                         (22, "cascade", "ORCL", "NVDA", "supply", -12.0, "order cut"),
                         (22, "cascade", "NVDA", "CoreWeave", "equity", -2.0, "mark-down"),
                         (30, "cascade", "OTHER", "CoreWeave", "financing", -4.0, "refinancing")],
                        columns=result.events.columns)
    others = result.events[result.events["kind"] != "cascade"]   # hops the block (if any) logged are replaced
    r.events = pd.concat([others, hops], ignore_index=True)
    return r


def test_dashboard_flows_sum_to_the_flow_table(shock_run, tmp_path):
    drawn = dashboard(shock_run, tmp_path / "dashboard.png")
    assert_image(drawn.path, min_px=(1200, 1500))
    stacked = sum(drawn.data[f"flows_{g}"].sum(axis=1) for g in ("equities", "BTC", "UST10"))
    table = shock_run.flows.groupby("day")["usd_bn"].sum().reindex(stacked.index, fill_value=0.0)
    np.testing.assert_allclose(stacked.to_numpy(), table.to_numpy(), atol=1e-9)
    # every class that traded is a layer
    assert set(drawn.data["flows_equities"].columns) >= set(
        shock_run.flows.loc[~shock_run.flows["asset"].isin(["BTC", "UST10"]), "agent_class"])


def test_dashboard_prices_are_the_run_rebased(shock_run, tmp_path):
    data = dashboard(shock_run, tmp_path / "d.png").data
    ts = shock_run.timeseries.set_index("day")
    np.testing.assert_allclose(data["prices"]["SPX"], 100 * ts["SPX"] / ts["SPX"].iloc[0])
    np.testing.assert_allclose(data["vol"]["VOL_1M"], 100 * ts["VOL_1M"])


BLOCKS_OFF = (("crypto_etf.enabled", False), ("interlock.enabled", False), ("retail_crypto.enabled", False))


def test_dashboard_says_no_data_for_absent_blocks_and_draws_them_when_present(shock_run, run_cached, tmp_path):
    # the same run with the crypto and interlock blocks switched off: their panels have nothing to draw
    bare_run = run_cached("vol_shock", DAYS, 2, overrides=BLOCKS_OFF)
    assert "liquidations_bn" not in bare_run.timeseries and not bare_run.timeseries.filter(like="capex_").shape[1]
    bare = dashboard(bare_run, tmp_path / "bare.png")
    assert_image(bare.path, min_px=(1200, 1500))
    assert bare.data["crypto"].shape[1] == 0 and bare.data["capex"].shape[1] == 0
    assert bare.data["prices"].shape[1] > 0                     # the rest of the dashboard is drawn
    # with the blocks on (the shipped run) the panels carry the run's own columns
    on = dashboard(shock_run, tmp_path / "on.png").data
    np.testing.assert_array_equal(on["crypto"]["liquidations_bn"].to_numpy(),
                                  shock_run.timeseries["liquidations_bn"].to_numpy())
    assert on["capex"].shape[1] > 0
    full = dashboard(with_blocks(shock_run), tmp_path / "full.png")
    assert_image(full.path)
    assert full.data["crypto"].loc[21, "liquidations_bn"] == 12.0
    assert {"capex_MSFT_bn", "capex_ORCL_bn", "utilisation"} <= set(full.data["capex"].columns)


def test_dashboard_written_by_a_run_folder_still_works(shock_run, tmp_path):
    from interlock.reports.run import write_run
    out = write_run(shock_run, tmp_path / "run")
    assert_image(out / "dashboard.png")


def test_cascade_rounds_match_the_flow_table_and_triggers_add_up(shock_run, tmp_path):
    day = default_day(shock_run)
    drawn = cascade(shock_run, tmp_path / "cascade.png")
    assert_image(drawn.path)
    assert int(drawn.data["span"]["lo"].iat[0]) == day
    rounds = drawn.data["rounds"].groupby("round")["usd_bn"].sum()
    f = shock_run.flows[shock_run.flows["day"] == day]
    np.testing.assert_allclose(rounds.to_numpy(), f.groupby("round")["usd_bn"].sum().to_numpy())
    # every forced $ of round r + 1 is put down to something in round r
    links = drawn.data["links"]
    assert len(links) and set(links["round_to"]) <= set(links["round_from"] + 1)
    r1 = drawn.data["rounds"][drawn.data["rounds"]["round"] == 1].set_index("node")["usd_bn"].abs()
    got = links[links["round_to"] == 1].groupby("node_to")["usd_bn"].sum()
    np.testing.assert_allclose(got.reindex(r1.index).to_numpy(), r1.to_numpy(), rtol=1e-9)


def test_cascade_of_the_shock_window_shows_the_interlock_hops(shock_run, tmp_path):
    drawn = cascade(with_blocks(shock_run), tmp_path / "cascade.png", window=(19, 23))
    assert_image(drawn.path)
    assert list(drawn.data["interlock"]["target"]) == ["ORCL", "NVDA", "CoreWeave", "CoreWeave"]
    f = shock_run.flows[(shock_run.flows["day"] >= 19) & (shock_run.flows["day"] <= 23)]
    assert drawn.data["rounds"]["usd_bn"].sum() == pytest.approx(f["usd_bn"].sum())
    nodes = set(drawn.data["links"]["node_from"]) - {NEWS_NODE}
    assert nodes <= set(drawn.data["rounds"]["node"])


def test_sankey_totals_match_the_flow_table(shock_run, tmp_path):
    drawn = sankey(shock_run, tmp_path / "sankey.png", window=(15, 30))
    assert_image(drawn.path)
    f = shock_run.flows[(shock_run.flows["day"] >= 15) & (shock_run.flows["day"] <= 30)]
    bought, sold = drawn.data["bought"], drawn.data["sold"]
    assert bought.to_numpy().sum() == pytest.approx(f.loc[f["usd_bn"] > 0, "usd_bn"].sum())
    assert sold.to_numpy().sum() == pytest.approx(-f.loc[f["usd_bn"] < 0, "usd_bn"].sum())
    by_class = f.groupby("agent_class")["usd_bn"].sum()
    net = drawn.data["net"].sum(axis=1)
    np.testing.assert_allclose(net.reindex(by_class.index).to_numpy(), by_class.to_numpy(), atol=1e-9)


def test_network_animation_is_a_gif_with_one_frame_per_day_and_the_runs_drawdowns(shock_run, tmp_path):
    drawn = network_animation(shock_run, tmp_path / "network.gif", max_frames=6, mp4=False)
    assert_image(drawn.path, fmt="GIF", min_bytes=50_000)
    frames = drawn.data["frames"]["day"].tolist()
    assert len(frames) == 6 and frames[0] == 0 and frames[-1] == DAYS
    with Image.open(drawn.path) as im:
        assert im.n_frames == 6
    p = shock_run.timeseries.set_index("day")["NVDA"]
    expected = (1 - p / p.cummax()).loc[frames]
    np.testing.assert_allclose(drawn.data["drawdown"]["NVDA"].to_numpy(), expected.to_numpy())


def test_network_edges_carry_the_cascade_dollars_when_there_are_hops(shock_run, tmp_path):
    drawn = network_snapshot(with_blocks(shock_run), tmp_path / "network.png", day=25)
    assert_image(drawn.path)
    edges = drawn.data["edges"].loc[25]
    assert edges[("OpenAI", "ORCL", "supply")] == pytest.approx(30.0)
    assert edges[("NVDA", "CoreWeave", "equity")] == pytest.approx(2.0)
    assert edges[("OTHER", "CoreWeave", "financing")] == 0.0          # that hop comes on day 30


def test_network_animation_without_ffmpeg_writes_only_the_gif(shock_run, tmp_path, monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda cmd, *a, **k: None if cmd == "ffmpeg" else real_which(cmd, *a, **k))
    drawn = network_animation(shock_run, tmp_path / "n.gif", max_frames=3)
    assert drawn.paths == [tmp_path / "n.gif"]
    assert not (tmp_path / "n.mp4").exists()


def test_network_animation_with_ffmpeg_adds_an_mp4_beside_the_gif(shock_run, tmp_path):
    drawn = network_animation(shock_run, tmp_path / "n.gif", max_frames=3)
    assert [p.suffix for p in drawn.paths] == [".gif", ".mp4"] and drawn.paths[1].stat().st_size > 1000
    assert network_animation(shock_run, tmp_path / "m.gif", max_frames=3, mp4=False).paths == [tmp_path / "m.gif"]


def test_fan_chart_bands_are_quantiles_over_a_folder_of_runs(run_cached, tmp_path):
    from interlock.reports.run import write_run
    runs = [run_cached("vol_shock", 30, seed) for seed in (1, 2, 3, 4)]
    for i, r in enumerate(runs):
        write_run(r, tmp_path / "runs" / f"seed{i}", figures=False)
    drawn = fan(tmp_path / "runs", tmp_path / "fan.png")
    assert_image(drawn.path)
    spx = np.array([100 * r.timeseries["SPX"] / r.timeseries["SPX"].iloc[0] for r in runs])
    q = drawn.data["SPX"].set_index("day")
    np.testing.assert_allclose(q["q50"].to_numpy(), np.median(spx, axis=0))
    assert (q["q05"] <= q["q50"]).all() and (q["q50"] <= q["q95"]).all() and (q["n"] == 4).all()


def test_fan_chart_reads_a_sweep_folder_with_one_fan_per_level_of_the_swept_parameter(run_cached, tmp_path):
    aum = {0: 200.0, 1: 200.0, 2: 200.0, 3: 800.0, 4: 800.0, 5: 800.0}
    runs = [run_cached("vol_shock", 30, 1 + i % 3, overrides=(("vol_target.aum", a),)) for i, a in aum.items()]
    (tmp_path / "sweep" / "timeseries").mkdir(parents=True)
    ts = pd.concat([r.timeseries[["day", "date", "SPX", "VOL_1M"]].assign(run_id=i) for i, r in enumerate(runs)])
    ts.to_parquet(tmp_path / "sweep" / "timeseries" / "part-000000.parquet")
    pd.DataFrame({"run_id": list(aum), "point_id": [i // 3 for i in aum], "seed": [1 + i % 3 for i in aum],
                  "scenario": ["vol_shock"] * 6, "days": [30] * 6, "disabled": [""] * 6,
                  "vol_target.aum": list(aum.values())}).to_parquet(tmp_path / "sweep" / "params.parquet")
    drawn = fan(tmp_path / "sweep", tmp_path / "fan.png")
    assert_image(drawn.path)
    assert set(drawn.data) == {"SPX", "VOL_1M"}
    q = drawn.data["VOL_1M"]
    assert set(q["group"]) == {"vol_target.aum = 200", "vol_target.aum = 800"}
    vol = np.array([100 * r.timeseries["VOL_1M"] for r in runs[3:]])
    np.testing.assert_allclose(q.loc[q["group"] == "vol_target.aum = 800", "q95"].to_numpy(),
                               np.quantile(vol, 0.95, axis=0))


def test_plot_command_writes_the_figures_and_rejects_bad_input(shock_run, tmp_path):
    from click.testing import CliRunner
    from interlock.cli import cli
    from interlock.reports.run import write_run
    run_dir = write_run(shock_run, tmp_path / "run", figures=False)
    res = CliRunner().invoke(cli, ["plot", str(run_dir), "--what", "dashboard,cascade,sankey", "--window", "18:24",
                                   "--out", str(tmp_path / "figs")])
    assert res.exit_code == 0, res.output
    written = sorted(p.name for p in (tmp_path / "figs").iterdir())
    assert written == ["cascade_days18-24.png", "dashboard.png", "sankey_days18-24.png"]
    for p in (tmp_path / "figs").iterdir():
        assert_image(p)
    assert json.loads((run_dir / "summary.json").read_text())["days"] == DAYS
    res = CliRunner().invoke(cli, ["plot", str(run_dir), "--what", "cascade,sankey", "--asset", "BTC", "--day", "20",
                                   "--out", str(tmp_path / "btc")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "btc").iterdir()) == ["cascade_day20_BTC.png", "sankey_day20_BTC.png"]
    for args in (["--what", "fan"], ["--what", "nope"], ["--day", "999"], ["--window", "9"],
                 ["--day", "3", "--window", "1:5"], ["--asset", "NOPE"]):
        res = CliRunner().invoke(cli, ["plot", str(run_dir), *args])
        assert res.exit_code == 2 and res.output.startswith("error:"), (args, res.output)
    res = CliRunner().invoke(cli, ["plot", str(tmp_path / "missing")])
    assert res.exit_code == 2
