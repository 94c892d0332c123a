"""The interactive app renders under `solara.render`, steps the runner's model, rebuilds it with
the sliders on Reset, and builds nothing at import time."""

from __future__ import annotations

import subprocess
import sys

import ipyvuetify as v
import ipywidgets as w
import pandas as pd
import pytest
import solara


def render_page():
    from interlock.viz.app import Page
    # Page is served inside Solara's app layout, which is where SolaraViz's sidebar controls go
    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    return box, rc


def step_text(rc) -> str:
    texts = [str(h.children[0]) for h in rc.find(v.Html, tag="span").widgets
             if h.children and str(h.children[0]).startswith("Step:")]
    assert len(texts) == 1, texts
    return texts[0]


def charts(rc) -> list[bytes]:
    return [bytes(img.value) for img in rc.find(w.Image).widgets]


def test_importing_the_app_builds_no_model():
    # Mesa registers every model that creates agents in Agent._ids
    code = ("import mesa, interlock.viz.app; "
            "assert len(mesa.Agent._ids) == 0, 'a model was built at import'; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def texts(rc) -> list[str]:
    return [str(h.children[0]) for h in rc.find(v.Html, tag="span").widgets
            if h.children and isinstance(h.children[0], str)]


def markdown(rc) -> str:
    return " ".join(str(m.value) for m in rc.find(w.HTML).widgets) + " ".join(
        str(m.value) for m in rc.find(v.Html).widgets if hasattr(m, "value"))


def test_page_renders_steps_and_its_charts_follow_the_model():
    box, rc = render_page()
    try:
        assert step_text(rc) == "Step: 0"
        before = charts(rc)
        assert len(before) == 3 and all(b.startswith(b"\x89PNG") for b in before)   # overview, cascade, network
        step = rc.find(v.Btn, children=["Step"]).widget
        for _ in range(3):
            step.click()
        assert step_text(rc) == "Step: 3"
        after = charts(rc)
        assert after[0] != before[0] and after[2] != before[2]       # the overview and the network moved
        # Reset rebuilds the model from the controls' values (scenario, seed, sliders)
        rc.find(v.Btn, children=["Reset"]).widget.click()
        assert step_text(rc) == "Step: 0"
    finally:
        rc.close()


def test_choosing_a_scenario_applies_it_and_the_previous_run_stays_as_a_ghost():
    from interlock.viz import app
    box, rc = render_page()
    try:
        rc.find(v.Btn, children=["Step"]).widget.click()
        rc.find(v.Select, label="Scenario").widget.v_model = "vol_shock"
        assert step_text(rc) == "Step: 0"
        assert "Running: vol_shock, seed 1" in texts(rc)           # applied at once, no Reset needed
        overview = charts(rc)[0]
        rc.find(v.Btn, children=["Reset"]).widget.click()  # a reset with no step leaves the old ghost
        assert charts(rc)[0] == overview
    finally:
        rc.close()


def test_a_moved_slider_shows_a_pending_cue_until_reset():
    box, rc = render_page()
    try:
        assert not rc.find(v.Alert).widgets
        slider = [s for s in rc.find(v.Slider).widgets if str(s.label).startswith("Vol-target AUM")][0]
        assert str(slider.v_model) in str(slider.label).replace(".0", "") or ":" in str(slider.label)
        slider.v_model = float(slider.v_model) + 100.0
        alerts = [str(a.children[0]) if a.children else "" for a in rc.find(v.Alert).widgets]
        assert any("pending" in a and "vol_target_aum" in a for a in alerts), alerts
        rc.find(v.Btn, children=["Reset"]).widget.click()
        assert not [a for a in rc.find(v.Alert).widgets if "pending" in str(a.children)]
    finally:
        rc.close()


def test_the_cascade_panel_shows_the_rounds_of_the_chosen_day():
    box, rc = render_page()
    try:
        step = rc.find(v.Btn, children=["Step"]).widget
        for _ in range(4):
            step.click()
        day = [s for s in rc.find(v.Slider).widgets if str(s.label).startswith("Cascade day")][0]
        day.v_model = 2
        shown = [t for t in texts(rc) if t.startswith("Cascade of day")]
        assert len(shown) == 1 and shown[0].startswith("Cascade of day 2: ") and "clearing round" in shown[0], shown
    finally:
        rc.close()


def test_play_stops_at_the_scenarios_last_day_and_export_writes_that_run(tmp_path):
    from interlock.experiments.run_folder import read_run
    from interlock.viz.app import AppModel
    m = AppModel(scenario="deepseek_efficiency", seed=2)
    try:
        while m.running:
            m.step()
        assert m.day == m.end_day == 63
        m.step()
        assert m.day == 63 and not m.running
        out = m.export(tmp_path)
        assert out == tmp_path / "deepseek_efficiency-seed2-day63" and (out / "dashboard.png").exists()
        assert (out / "report.html").is_file()
        pd.testing.assert_frame_equal(read_run(out).timeseries.reset_index(drop=True),
                                      m.result().timeseries.reset_index(drop=True), check_dtype=False)
    finally:
        m.sim.release()


def test_the_server_builds_only_shipped_scenarios(tmp_path, monkeypatch):
    from interlock.errors import InputError
    from interlock.viz import app
    for bad in ("/etc/passwd", "../interlock/data/scenarios/vol_shock.toml", "nope", 5):
        with pytest.raises(InputError, match="scenario"):
            app.AppModel(scenario=bad)
    # a folder configured at start (interlock app --scenarios DIR) replaces the shipped list
    (tmp_path / "mine.toml").write_text((app.Path(app.__file__).parents[1] / "data" / "scenarios" /
                                         "vol_shock.toml").read_text())
    monkeypatch.setenv(app.SCENARIO_DIR_ENV, str(tmp_path))
    assert list(app.allowed_scenarios()) == ["mine"]
    with pytest.raises(InputError):
        app.AppModel(scenario="vol_shock")
    m = app.AppModel(scenario="mine")
    m.sim.release()


def test_reset_rebuilds_the_model_with_the_scenario_and_sliders():
    from interlock.viz.app import AppModel, model_params
    params = model_params()
    assert {"scenario", "seed", "vol_target_aum", "cta_aum", "political_pressure"} <= set(params)
    assert "vol_shock" in params["scenario"]["values"]
    m = AppModel(scenario="vol_shock", seed="3", vol_target_aum=900.0, cta_aum=350.0, political_pressure=1.0)
    try:
        # sliders left at the default keep the scenario's value; moved ones override it
        assert m.overrides == {"vol_target.aum": 900.0, "fed.political_pressure": pytest.approx(0.01)}
        assert m.sim.params["vol_target.aum"] == 900.0 and m.sim.seed_value == 3
        for _ in range(2):
            m.step()
        res = m.result()
        assert res.days == 2 and len(res.timeseries) == 3 and m.steps == 2
    finally:
        m.sim.release()


def test_a_bad_seed_is_an_input_error():
    from interlock.errors import InputError
    from interlock.viz.app import AppModel
    with pytest.raises(InputError, match="seed"):
        AppModel(seed="one")


def test_app_command_refuses_a_busy_or_bad_port():
    import socket
    from click.testing import CliRunner
    from interlock.cli import cli
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        res = CliRunner().invoke(cli, ["app", "--port", str(busy)])
    assert res.exit_code == 2 and "cannot listen" in res.output
    assert CliRunner().invoke(cli, ["app", "--port", "70000"]).exit_code == 2


def test_a_day_stepped_in_the_app_is_the_day_the_runner_computes(run_cached):
    from interlock.viz.app import AppModel
    m = AppModel(scenario="vol_shock", seed=2)
    try:
        for _ in range(25):
            m.step()
        app_ts = m.result().timeseries
    finally:
        m.sim.release()
    run_ts = run_cached("vol_shock", 25, 2).timeseries
    pd.testing.assert_frame_equal(app_ts, run_ts)


def test_a_dropped_session_model_is_released():
    import gc
    import mesa
    from interlock.viz.app import AppModel
    gc.collect()
    before = len(mesa.Agent._ids)
    m = AppModel()
    m.step()
    assert len(mesa.Agent._ids) == before + 1
    del m
    gc.collect()
    assert len(mesa.Agent._ids) == before


def test_every_slider_names_a_parameter_and_every_shock_slider_a_shock_field():
    from interlock.config import param_specs
    from interlock.model.shocks import SHOCK_TYPES
    from interlock.viz.app import SHOCK_SLIDERS, SLIDERS, model_params
    assert not [s.key for s in SLIDERS if s.key not in param_specs()]
    assert not [(s.shock, s.field) for s in SHOCK_SLIDERS
                if s.shock not in SHOCK_TYPES or s.field not in SHOCK_TYPES[s.shock].model_fields]
    assert {s.name for s in SLIDERS + SHOCK_SLIDERS} | {"scenario", "seed"} == set(model_params())


def test_shock_size_sliders_resize_or_add_the_scenarios_shocks():
    from interlock.experiments.scenarios import load_scenario
    from interlock.viz.app import ADDED_SHOCK_DAY, SHOCK_SLIDERS, with_shock_sizes
    base = load_scenario("vol_shock")
    assert with_shock_sizes(base, {s.name: 0.0 for s in SHOCK_SLIDERS}).shocks == base.shocks
    for spec in SHOCK_SLIDERS:
        added = with_shock_sizes(base, {spec.name: spec.hi})
        new = [sh for sh in added.shocks if sh.type_name == spec.shock]
        assert len(new) == 1 and new[0].at == ADDED_SHOCK_DAY
        assert getattr(new[0], spec.field) == pytest.approx(spec.hi * spec.scale)
        resized = with_shock_sizes(added, {spec.name: spec.step})
        assert [getattr(sh, spec.field) for sh in resized.shocks if sh.type_name == spec.shock] == \
            [pytest.approx(spec.step * spec.scale)]


def test_a_websocket_from_a_foreign_origin_is_refused():
    import asyncio
    from interlock.commands.app import allowed_origins, origin_guard
    reached = []

    async def inner(scope, receive, send):
        reached.append(scope)

    def handshake(origin):
        sent = []

        async def receive():
            return {"type": "websocket.connect"}

        async def send(msg):
            sent.append(msg)
        headers = [(b"host", b"127.0.0.1:8765")] + ([(b"origin", origin.encode())] if origin else [])
        asyncio.run(origin_guard(inner, allowed_origins("127.0.0.1", 8765))(
            {"type": "websocket", "headers": headers}, receive, send))
        return sent
    assert handshake("https://evil.example") == [{"type": "websocket.close", "code": 1008}] and not reached
    assert handshake("http://127.0.0.1:8765") == [] and len(reached) == 1
    assert handshake("http://localhost:8765") == [] and len(reached) == 2
    assert handshake("http://127.0.0.1:9999") != [] and len(reached) == 2


def _pixels(png: bytes):
    import io

    import numpy as np
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"), dtype=int)


def test_the_cheap_panels_show_the_pixels_of_a_full_draw():
    """The overview redrawn in place and the network blitted over its cached background (what a
    Step costs, benchmarks/bench_app.py) give the picture a fresh figure / a full draw gives."""
    import numpy as np
    from interlock.viz import app
    m = app.AppModel(scenario="vol_shock", seed=1)
    try:
        overview, net = app.OverviewPanelState(), app.NetworkPanelState(m)
        for day in range(1, 26):
            m.step()
            res = m.result()
            cheap, blit = overview.png(res, None, m.end_day), net.png(m)
            if day in (3, 25):                  # before and after the shock on day 20
                fresh = app.figure_png(app.overview_figure(res, None, m.end_day))
                assert np.array_equal(_pixels(cheap), _pixels(fresh)), day
                for a in net.fig.findobj():
                    a.set_animated(False)
                full = _pixels(app.figure_png(net.fig))
                net._quiet_key = None            # the next png() makes its background again
                diff = np.abs(_pixels(blit) - full).sum(axis=2)
                # the same picture; a few anti-aliased pixels where an edge meets the legend differ
                assert diff.shape == full.shape[:2] and (diff > 0).mean() < 0.001 and diff.max() <= 12, day
    finally:
        m.sim.release()
