"""Output folders: where interlock may write, and one writer per folder (issue #17).

**Never delete what is not ours.** A command writes only into a folder that does not exist yet,
is empty, or was written by interlock — recognised by its signature: a run's `summary.json` beside
its tables, a sweep's `manifest.json`, a stress test's `results.json` (or its run folders),
`calibration.json`, validation's `checks.json`, or, for figures, a folder holding nothing but
figures and tables (`.png`, `.gif`, `.csv`, `.html`). Anything else is refused with an `InputError` (exit
code 2) before any work starts. `force=True` lifts that check, but never for the home folder, `/`, the working
directory or a folder that holds one of them. A run folder is *replaced* whole (`run_folder`), so
it must hold nothing but what a run and its figures write.

**Writability first.** `check_output` proves the folder can be written (a probe file in the
nearest existing folder, removed at once) before the caller simulates anything.

**One writer per folder.** `FolderLock` is an advisory lock file (`fcntl.flock`) holding the
writer's pid, host, command and start time. A second writer is refused with a message naming the
holder; the kernel releases the lock of a process that dies (even by kill -9), so a stale lock
file is simply taken over. Within one process the lock is re-entrant per thread (the command
takes it before simulating, the writer again when it writes); another thread waits or is refused
like another process.

**Stale temporaries.** Temporary folders are named `.NAME.tmp-PID@HOST-…` (and `.NAME.old-…`
while a folder is being replaced); `clean_stale` removes those of dead processes of this host on
the next write into the same parent.
"""

from __future__ import annotations

import errno
import fcntl
import fnmatch
import json
import logging
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .._version import __version__
from ..errors import InputError
from ..io import dumps_json

log = logging.getLogger(__name__)

LOCK_NAME = ".lock"                   # the lock file inside a sweep, stress or report folder
FIGURE_SUFFIXES = (".png", ".gif", ".mp4", ".csv", ".html")    # a folder of only these is a figures folder

# what a run folder may hold: the run's tables and summary and the figures `interlock plot`
# draws into it by default; replacing a run folder deletes exactly these
RUN_FILES = ("timeseries.parquet", "flows.parquet", "events.parquet", "summary.json", "dashboard.png",
             "report.html", "cascade*.png", "sankey*.png", "network*.png", "network*.gif", "network*.mp4", LOCK_NAME)
RUN_SUMMARY_KEYS = ("scenario", "seed", "days", "metrics")
# check_writable's probe file: another writer of the same folder may see it for an instant (a run
# folder's concurrent writers raced on it: "holds … files a run does not write (.interlock-probe-…)")
PROBE_PREFIX = ".interlock-probe-"


def host() -> str:
    return socket.gethostname().split(".")[0] or "localhost"


# ----- recognising our folders -----------------------------------------------------------------
def _json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_run_folder(d: Path) -> bool:
    """A complete run folder: a summary.json with the run's keys beside its time series."""
    s = _json(d / "summary.json")
    return s is not None and all(k in s for k in RUN_SUMMARY_KEYS) and (d / "timeseries.parquet").is_file()


def recognise(folder: str | Path) -> str | None:
    """The kind of interlock output `folder` holds — "run", "sweep", "stress", "calibration",
    "validation", "compare" or "figures" — or None."""
    d = Path(folder)
    if not d.is_dir():
        return None
    if is_run_folder(d):
        return "run"
    m = _json(d / "manifest.json")
    if m is not None and m.get("kind") == "sweep":
        return "sweep"
    r = _json(d / "results.json")
    if (r is not None and "narrative" in r) or (d / "runs" / "all_on" / "manifest.json").is_file():
        return "stress"
    if _json(d / "calibration.json") is not None:
        return "calibration"
    if _json(d / "checks.json") is not None:
        return "validation"
    c = _json(d / "compare.json")
    if c is not None and c.get("kind") == "compare":
        return "compare"
    entries = [e for e in d.iterdir() if e.name != LOCK_NAME and not e.name.startswith(PROBE_PREFIX)]
    if entries and all(e.is_file() and e.suffix in FIGURE_SUFFIXES for e in entries):
        return "figures"
    return None


def _foreign_run_files(d: Path) -> list[str]:
    """Entries of a run folder that a run does not write (replacing it would delete them)."""
    return sorted(e.name for e in d.iterdir() if not e.name.startswith(PROBE_PREFIX)
                  and not (e.is_file() and any(fnmatch.fnmatchcase(e.name, pat) for pat in RUN_FILES)))


# ----- checking an output folder before any work -------------------------------------------------
def _protected() -> list[Path]:
    out = [Path("/"), Path.cwd().resolve()]
    try:
        out.append(Path.home().resolve())
    except RuntimeError:                                   # no home folder
        pass
    return out


def _refuse_protected(p: Path, option: str) -> None:
    rp = p.resolve()
    for q in _protected():
        if rp == q or q.is_relative_to(rp):
            what = "/" if q == Path("/") else "the working directory" if q == Path.cwd().resolve() else "your home folder"
            raise InputError(f"is or holds {what}; interlock never replaces or fills it, even with --force",
                             file=str(p), key=option, allowed="a folder of its own, e.g. runs/NAME")


def _nearest_existing(p: Path) -> Path:
    q = p
    while not q.exists():
        if q.parent == q:
            break
        q = q.parent
    return q


def check_writable(p: Path, option: str = "--out") -> None:
    """InputError unless a folder can be created or written at `p` (tried with a probe file in the
    nearest existing folder, removed at once; the folder's times are put back, so the check
    leaves no trace)."""
    base = _nearest_existing(p)
    if not base.is_dir():
        raise InputError(f"cannot be created: {base} is a file, not a folder", file=str(p), key=option)
    st = base.stat()
    try:
        fd, probe = tempfile.mkstemp(prefix=PROBE_PREFIX, dir=base)
    except OSError as e:
        raise InputError(f"cannot be written ({e.strerror or e})", file=str(p), key=option,
                         allowed="a folder you can write") from None
    os.close(fd)
    os.unlink(probe)
    try:
        os.utime(base, ns=(st.st_atime_ns, st.st_mtime_ns))
    except OSError:
        pass


def check_output(path: str | Path, accept: Iterable[str], *, force: bool = False, replace: bool = False,
                 option: str = "--out") -> Path:
    """Refuse (InputError, before any work) an output folder interlock may not use: see the module
    docstring. `accept`: the kinds of interlock folder this command may write into (or replace,
    with `replace`). Returns the path."""
    p = Path(path)
    accept = tuple(accept)
    if p.exists() or p.is_symlink():
        if not p.is_dir():
            raise InputError("is a file, not a folder", file=str(p), key=option, allowed="a folder")
        if replace:
            _refuse_protected(p, option)
        entries = sorted(e.name for e in p.iterdir() if not e.name.startswith(PROBE_PREFIX))
        if entries:
            kind = recognise(p)
            if kind in accept:
                foreign = _foreign_run_files(p) if kind == "run" and replace else []
                if foreign and not force:
                    raise InputError(f"holds a run and files a run does not write ({', '.join(foreign[:3])}"
                                     f"{', …' if len(foreign) > 3 else ''}); replacing it would delete them",
                                     file=str(p), key=option,
                                     allowed="another --out, or --force to replace the whole folder")
            elif not force:
                what = f"an interlock {kind} folder" if kind else \
                    f"files interlock did not write ({', '.join(entries[:3])}{', …' if len(entries) > 3 else ''})"
                raise InputError(f"holds {what}; interlock only writes into a new or empty folder or "
                                 f"one it wrote ({' or '.join(accept)})", file=str(p), key=option,
                                 allowed="another --out, or --force" + (" to replace it" if replace else ""))
            if force or replace:
                _refuse_protected(p, option)
    check_writable(p, option)
    return p


# ----- one writer per folder -------------------------------------------------------------------
class FolderBusy(InputError):
    """Another process (or thread) is writing the folder."""


def _pid_alive(pid: int) -> bool:
    import psutil  # lazy: startup time (only a stale lock or temporary asks; ≈ 20 ms on every run otherwise)
    try:
        return psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


_HELD: dict[tuple[str, int], "FolderLock"] = {}
_HELD_GUARD = threading.Lock()


class FolderLock:
    """An advisory lock on `path` (a lock file) naming its holder. `acquire(wait=0)` refuses at once
    when another writer holds it (`FolderBusy`); `wait` > 0 waits that many seconds first.
    Re-entrant within a thread; the lock file is removed on the last release."""

    def __init__(self, path: str | Path, folder: str | Path | None = None):
        self.path = Path(path)
        self.folder = Path(folder) if folder is not None else self.path.parent
        self.fd: int | None = None
        self.depth = 0

    def _key(self) -> tuple[str, int]:
        return (os.path.realpath(self.path), threading.get_ident())

    def holder(self) -> dict:
        """What the lock file says about its writer (empty if unreadable)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def acquire(self, wait: float = 0.0, command: str | None = None) -> "FolderLock":
        key = self._key()
        with _HELD_GUARD:
            held = _HELD.get(key)
            if held is not None:
                held.depth += 1
                return held
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                os.close(fd)
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                h = self.holder()
                who = (f"process {h.get('pid', '?')} on {h.get('host', '?')}"
                       + (f" ({h['command']}, since {h['started']})" if h.get("command") else ""))
                raise FolderBusy(f"is being written by {who}; one writer per folder", file=str(self.folder),
                                 allowed="wait for it to finish, or choose another folder") from None
            try:                       # the file we locked must still be the one at the path
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)               # a releasing writer removed it under us: lock the new one
        old = self.holder()
        if old.get("pid") and old.get("host") == host() and old.get("pid") != os.getpid():
            log.info("taking over the lock of %s left by process %s (no longer running)", self.folder, old["pid"])
        info = {"pid": os.getpid(), "host": host(), "command": command or _command_line(),
                "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "version": __version__}
        os.ftruncate(fd, 0)
        os.pwrite(fd, dumps_json(info).encode(), 0)
        self.fd, self.depth = fd, 1
        with _HELD_GUARD:
            _HELD[key] = self
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        self.depth -= 1
        if self.depth > 0:
            return
        with _HELD_GUARD:
            _HELD.pop(self._key(), None)
        try:
            os.unlink(self.path)       # removed while still held: a waiter re-checks the inode
        except FileNotFoundError:
            pass
        os.close(self.fd)              # closing releases the flock
        self.fd = None

    def __enter__(self) -> "FolderLock":
        return self if self.fd is not None else self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _forget_in_child() -> None:
    """A forked child (a sweep's pool worker) closes its copies of the locks: they stay held by the
    parent alone, so a writer killed with -9 frees its folder even while its workers wind down."""
    for lock in list(_HELD.values()):
        if lock.fd is not None:
            try:
                os.close(lock.fd)
            except OSError:
                pass
        lock.fd, lock.depth = None, 0
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_in_child)


def _command_line() -> str:
    prog = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if prog in ("interlock", "cli.py", "__main__.py"):
        prog = "interlock"
    return " ".join([prog, *sys.argv[1:3]])


def sibling_lock(folder: str | Path) -> FolderLock:
    """The lock of a folder that is replaced whole (a run folder): `.NAME.lock` beside it."""
    f = Path(folder)
    return FolderLock(f.parent / f".{f.name}.lock", folder=f)


# ----- temporaries -----------------------------------------------------------------------------
# `.NAME.tmp-PID@HOST-…` and `.NAME.old-PID@HOST-…`; `.NAME.old-PID` is what earlier versions left
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)(?:@(?P<host>[^-/]+))?(?:-.*)?$")


def temp_prefix(folder: Path, kind: str = "tmp") -> str:
    """The name prefix of a temporary sibling of `folder` (`clean_stale` knows it)."""
    return f".{folder.name}.{kind}-{os.getpid()}@{host()}-"


def clean_stale(parent: str | Path) -> list[Path]:
    """Remove temporary folders in `parent` left by dead processes of this host (a kill -9 while
    writing or replacing a run folder). Returns what was removed."""
    removed = []
    d = Path(parent)
    if not d.is_dir():
        return removed
    me = host()
    for e in d.iterdir():
        m = _TEMP.match(e.name)
        if m is None or (m["host"] or me) != me or not e.is_dir() or e.is_symlink():
            continue
        if _pid_alive(int(m["pid"])):
            continue
        shutil.rmtree(e, ignore_errors=True)
        removed.append(e)
    return removed


# ----- a folder a command fills --------------------------------------------------------------------
def _made_parents(p: Path) -> list[Path]:
    """The folders `p.mkdir(parents=True)` would create, deepest first."""
    out = []
    q = p
    while not q.exists():
        out.append(q)
        if q.parent == q:
            break
        q = q.parent
    return out


@contextmanager
def output_folder(path: str | Path, kind: str, *, accept: Iterable[str] = (), force: bool = False,
                  option: str = "--out", command: str | None = None, claim: bool = True) -> Iterator[Path]:
    """Claim `path` for a command that writes files into it (a stress test, a report, figures):
    check it (`check_output`, accepting `kind` and `accept`), create it and lock it. If the body
    fails before anything was written, the folders it created are removed again (a refused or
    interrupted command leaves nothing). `claim=False` (figures drawn into the folder they were
    read from): only lock it."""
    p = check_output(path, (kind, *accept), force=force, option=option) if claim else Path(path)
    made = _made_parents(p)
    p.mkdir(parents=True, exist_ok=True)
    lock = FolderLock(p / LOCK_NAME).acquire(command=command)
    try:
        yield p
    except BaseException:
        lock.release()
        if made and not any(p.iterdir()):
            for q in made:
                shutil.rmtree(q, ignore_errors=True) if q == p else remove_if_empty(q)
        raise
    else:
        lock.release()


@contextmanager
def run_output(path: str | Path, *, force: bool = False, command: str | None = None) -> Iterator[Path]:
    """Claim a folder that will be replaced whole by a run (`run_folder.write_run`): check it
    (`check_output(..., replace=True)`) before the run starts and hold its lock (`sibling_lock`)
    until the body is done. Parent folders created for it are removed again if no run appeared."""
    p = check_output(path, ("run",), force=force, replace=True)
    made = _made_parents(p.parent)
    p.parent.mkdir(parents=True, exist_ok=True)
    lock = sibling_lock(p).acquire(command=command)
    try:
        yield p
    finally:
        lock.release()
        if not p.exists():
            for q in made:
                remove_if_empty(q)


def remove_if_empty(p: Path) -> None:
    """Remove folder `p` if it is empty (and quietly leave it otherwise)."""
    try:
        p.rmdir()
    except OSError:
        pass
