"""Output folders (`experiments.outputs`): interlock writes only into a new, empty or own folder and
never replaces anything else; writability is checked before work; one writer per folder, naming
the holder; a lock or temporary left by a dead process is taken over or cleaned up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from interlock.errors import InputError
from interlock.experiments.outputs import (LOCK_NAME, PROBE_PREFIX, FolderBusy, FolderLock, check_output, clean_stale,
                                           output_folder, recognise, run_output, sibling_lock, temp_prefix)


def a_run_folder(d: Path) -> Path:
    d.mkdir(parents=True)
    (d / "summary.json").write_text(json.dumps({"scenario": "x", "seed": 1, "days": 2, "metrics": {}}))
    (d / "timeseries.parquet").write_bytes(b"PAR1")
    return d


def test_each_kind_of_interlock_folder_is_recognised_by_its_signature(tmp_path):
    assert recognise(a_run_folder(tmp_path / "run")) == "run"
    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / "manifest.json").write_text(json.dumps({"kind": "sweep", "counts": {}}))
    assert recognise(tmp_path / "sweep") == "sweep"
    (tmp_path / "cal").mkdir()
    (tmp_path / "cal" / "calibration.json").write_text("{}")
    assert recognise(tmp_path / "cal") == "calibration"
    (tmp_path / "figs").mkdir()
    (tmp_path / "figs" / "fan.png").write_bytes(b"png")
    assert recognise(tmp_path / "figs") == "figures"
    (tmp_path / "figs" / "notes.txt").write_text("mine")
    assert recognise(tmp_path / "figs") is None                     # not only figures: not ours
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / "summary.json").write_text("[1]")            # a summary.json of someone else's
    assert recognise(tmp_path / "fake") is None


def test_a_folder_with_a_users_files_is_refused_and_left_alone(tmp_path):
    d = tmp_path / "x"
    (d / "sub").mkdir(parents=True)
    (d / "notes.txt").write_text("precious")
    for replace in (False, True):
        with pytest.raises(InputError, match="holds files interlock did not write") as e:
            check_output(d, ("run",), replace=replace)
        assert "notes.txt" in str(e.value) and "--force" in str(e.value)
    assert (d / "notes.txt").read_text() == "precious" and (d / "sub").is_dir()
    assert check_output(d, ("run",), force=True) == d                 # --force: the user says so


def test_a_run_folder_holding_a_users_file_is_not_replaced_without_force(tmp_path):
    d = a_run_folder(tmp_path / "run")
    check_output(d, ("run",), replace=True)                          # a plain run folder: fine
    (d / "my_analysis.ipynb").write_text("{}")
    with pytest.raises(InputError, match="my_analysis.ipynb"):
        check_output(d, ("run",), replace=True)
    check_output(d, ("run",), replace=True, force=True)


def test_another_writers_writability_probe_is_not_a_users_file(tmp_path):
    """The race of test_run_folder's concurrent writers, made deterministic: while one writer probes
    the folder (check_writable's probe file lives there for an instant), another checks it."""
    d = a_run_folder(tmp_path / "run")
    (d / f"{PROBE_PREFIX}x5lzef6v").touch()
    assert check_output(d, ("run",), replace=True) == d
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / f"{PROBE_PREFIX}abc").touch()
    assert check_output(empty, ("run",)) == empty


def test_force_never_reaches_home_root_or_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    for target in (tmp_path, Path("/"), Path.home(), tmp_path.parent):
        with pytest.raises(InputError, match="home folder|/|working directory"):
            check_output(target, ("run",), replace=True, force=True)


def test_an_unwritable_place_is_refused_before_any_work(tmp_path):
    with pytest.raises(InputError, match="cannot be written"):
        check_output("/proc/self/x", ("run",))
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(InputError, match="is a file"):
        check_output(f, ("run",))
    with pytest.raises(InputError, match="is a file"):
        check_output(f / "below", ("run",))
    before = sorted(os.listdir(tmp_path)), tmp_path.stat().st_mtime_ns
    check_output(tmp_path / "new", ("run",))
    assert (sorted(os.listdir(tmp_path)), tmp_path.stat().st_mtime_ns) == before   # the probe left no trace


def test_a_second_writer_is_refused_with_the_holders_pid_and_host(tmp_path):
    d = tmp_path / "sweep"
    d.mkdir()
    code = ("import sys, time; from interlock.experiments.outputs import FolderLock; "
            f"FolderLock({str(d / LOCK_NAME)!r}).acquire(command='interlock sweep s.toml'); "
            "print('held', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(FolderBusy) as e:
            FolderLock(d / LOCK_NAME).acquire()
        assert f"process {holder.pid}" in str(e.value) and "interlock sweep s.toml" in str(e.value)
        assert isinstance(e.value, InputError)                        # exit code 2 at the CLI
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    lock = FolderLock(d / LOCK_NAME).acquire()                        # the holder has exited: free
    assert json.loads((d / LOCK_NAME).read_text())["pid"] == os.getpid()
    lock.release()
    assert not (d / LOCK_NAME).exists()                              # nothing left behind


def test_a_stale_lock_file_of_a_dead_process_is_taken_over(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": pid, "host": "here", "command": "interlock sweep"}))
    with FolderLock(tmp_path / LOCK_NAME) as lock:
        assert lock.holder()["pid"] == os.getpid()


def test_the_lock_is_reentrant_in_a_thread_and_exclusive_between_threads(tmp_path):
    lock = FolderLock(tmp_path / LOCK_NAME).acquire()
    again = FolderLock(tmp_path / LOCK_NAME).acquire()                # the same thread: re-entrant
    assert again is lock
    seen = []
    t = threading.Thread(target=lambda: seen.append(_try(tmp_path)))
    t.start()
    t.join()
    assert seen == ["busy"]
    again.release()
    assert (tmp_path / LOCK_NAME).exists()                          # still held once
    lock.release()
    t = threading.Thread(target=lambda: seen.append(_try(tmp_path)))
    t.start()
    t.join()
    assert seen == ["busy", "acquired"]


def _try(d: Path) -> str:
    try:
        FolderLock(d / LOCK_NAME).acquire().release()
        return "acquired"
    except FolderBusy:
        return "busy"


def test_temporaries_of_dead_processes_are_cleaned_and_live_ones_kept(tmp_path):
    target = tmp_path / "run"
    mine = tmp_path / (temp_prefix(target) + "abc")                   # this (live) process
    mine.mkdir()
    pid = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                             text=True).stdout)
    stale = tmp_path / mine.name.replace(f"-{os.getpid()}@", f"-{pid}@")
    stale.mkdir()
    (stale / "summary.json").write_text("{}")
    other_host = tmp_path / f".run.tmp-{pid}@elsewhere-xyz"
    other_host.mkdir()
    users = tmp_path / ".run.tmp-notes"                               # not our naming: never touched
    users.mkdir()
    assert clean_stale(tmp_path) == [stale]
    assert mine.exists() and other_host.exists() and users.exists() and not stale.exists()


def test_a_folder_claimed_and_refused_or_interrupted_leaves_nothing(tmp_path):
    target = tmp_path / "a" / "b"
    with pytest.raises(KeyboardInterrupt):
        with output_folder(target, "figures"):
            assert (target / LOCK_NAME).exists()
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    with output_folder(target, "figures"):
        (target / "fan.png").write_bytes(b"png")
    assert sorted(p.name for p in target.iterdir()) == ["fan.png"]    # the lock is gone


def test_a_run_output_is_locked_beside_the_folder_and_cleaned_when_no_run_appears(tmp_path):
    out = tmp_path / "runs" / "x-1"
    with pytest.raises(KeyboardInterrupt):
        with run_output(out):
            assert sibling_lock(out).path.exists()
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
