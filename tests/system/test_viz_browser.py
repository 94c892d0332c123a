"""End to end: `interlock app` serves the page, headless Debian Chromium opens it, Step advances
the model, the step counter and the charts change, the cascade panel shows the chosen day's clearing
rounds, and a scenario chosen in the dropdown is applied at once. Needs /usr/bin/chromium (`make test`
installs it); Playwright never downloads a browser here."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
START_TIMEOUT_S = 90
UI_TIMEOUT_MS = 60_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def interlock_command() -> list[str]:
    script = shutil.which("interlock", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "interlock.cli"]


@pytest.fixture
def app_server(tmp_path):
    """`interlock app` on a free localhost port; always stopped afterwards."""
    port = free_port()
    log = open(tmp_path / "app.log", "w+b")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*interlock_command(), "app", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"interlock app exited with {proc.returncode}:\n{log.read().decode()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"interlock app did not answer on {url} within {START_TIMEOUT_S}s")
            time.sleep(0.3)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)     # the process group we started, and only it
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_stepping_in_the_browser_advances_the_counter_the_charts_and_the_cascade_panel(app_server, tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian chromium is missing: `make test` installs it (make browser-deps)"
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1600, "height": 1100})
        try:
            page = ctx.new_page()
            page.goto(app_server, timeout=UI_TIMEOUT_MS)
            page.get_by_text("Step: 0").wait_for(timeout=UI_TIMEOUT_MS)
            page.wait_for_function("document.querySelectorAll('.solara-content-main ~ * img, main img').length >= 3"
                                   " || document.querySelectorAll('img').length >= 3", timeout=UI_TIMEOUT_MS)
            assert page.get_by_text("Tab").count() == 0 and page.get_by_text("PAGE 0").count() == 0
            chart = page.locator("img").first
            src0, pixels0 = chart.get_attribute("src"), chart.screenshot()
            for n in (1, 2, 3):
                page.get_by_role("button", name="Step").click()
                page.get_by_text(f"Step: {n}").wait_for(timeout=UI_TIMEOUT_MS)
            page.wait_for_function("src => { const img = document.querySelector('img');"
                                   " return img.src !== src && img.complete; }", arg=src0, timeout=UI_TIMEOUT_MS)
            assert chart.screenshot() != pixels0
            # the cascade panel names the chosen day and its clearing rounds
            page.get_by_text("clearing round").first.wait_for(timeout=UI_TIMEOUT_MS)
            assert "Cascade of day" in page.get_by_text("clearing round").first.inner_text()
            # a scenario chosen in the dropdown applies at once: the model is rebuilt, day 0
            page.get_by_label("Scenario").click(force=True)
            page.get_by_role("option", name="vol_shock", exact=True).click()
            page.get_by_text("Running: vol_shock, seed 1").wait_for(timeout=UI_TIMEOUT_MS)
            page.get_by_text("Step: 0").wait_for(timeout=UI_TIMEOUT_MS)
            page.screenshot(path=str(tmp_path / "app.png"), full_page=True)
        finally:
            ctx.close()
    assert (tmp_path / "app.png").stat().st_size > 10_000
    log = (tmp_path / "app.log").read_text(errors="replace")
    assert "cookie" not in log.lower() and "Traceback" not in log, log[-2000:]     # no warning spam, no errors
