"""The run dashboard draws its figure once (issue #16: `tight_layout` drew it a second time to
measure it, ≈ 40% of `interlock run baseline`'s CPU) and its fixed margins still fit every label."""

from __future__ import annotations

import itertools

from matplotlib.figure import Figure

from interlock.viz import dashboard as dash

DAYS = 40


def test_dashboard_draws_the_figure_once(run_cached, tmp_path, monkeypatch):
    run = run_cached("vol_shock", DAYS, 2)
    draws = []
    real = Figure.draw

    def counted(self, renderer):
        draws.append(self)
        return real(self, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    dash.dashboard(run, tmp_path / "dashboard.png")
    assert len(draws) == 1


def test_dashboard_panels_and_labels_fit_the_figure_without_overlap(run_cached, tmp_path, monkeypatch):
    """With fixed margins, every panel's ink (ticks, labels, title, twin axes) stays inside the
    figure and clear of the other panels."""
    run = run_cached("vol_shock", DAYS, 2)
    figs = []
    real_save = dash.save

    def keep(fig, path, dpi=100):
        figs.append(fig)
        return real_save(fig, path, dpi=dpi)

    monkeypatch.setattr(dash, "save", keep)
    dash.dashboard(run, tmp_path / "dashboard.png")
    fig = figs[0]
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    panels = {}
    for ax in fig.axes:                       # twins share their host's position: one panel each
        key = tuple(round(v, 6) for v in ax.get_position().bounds)
        bb = ax.get_tightbbox(renderer)
        panels[key] = bb if key not in panels else type(bb).union([panels[key], bb])
    assert len(panels) == 10
    for bb in panels.values():
        assert page.x0 - 1 <= bb.x0 and bb.x1 <= page.x1 + 1 and page.y0 - 1 <= bb.y0 and bb.y1 <= page.y1 + 1
    for a, b in itertools.combinations(panels.values(), 2):
        overlap_w = min(a.x1, b.x1) - max(a.x0, b.x0)
        overlap_h = min(a.y1, b.y1) - max(a.y0, b.y0)
        assert overlap_w <= 0 or overlap_h <= 0, (a, b)
