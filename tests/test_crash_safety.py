"""A build killed at any moment leaves the previous database intact, and the next build recovers.

`python -m etl build` for the demo county runs as a subprocess against a target that already holds a good database
and is killed with SIGKILL at seeded random moments spread over the measured build duration, once right after it
started writing its temporary file, and once with SIGTERM. After each kill the old database must open read-only
and hold exactly the same rows (row counts and a checksum of every observation). Leftover ``*.tmp-<pid>`` files
next to the target are allowed, but the next successful build must clean or ignore them and the dashboard must not
offer them as a database.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from badinput_helpers import REPO_ROOT, Fingerprint, demo_workspace, fingerprint, sha256

SEED = 20240301
KILL_POINTS = 8  # SIGKILL at one random moment in each eighth of the measured build duration
POLL_S = 0.005


@dataclass
class Target:
    config: Path
    out: Path
    content: Fingerprint  # of the good database: every build of the same input holds the same rows
    sha256: str  # of the file now at ``out``: a killed build must not change a byte
    duration_s: float  # wall time of a whole build (subprocess start to exit), the last one observed
    log: Path
    kills: int = 0  # builds that were really interrupted (not finished before the signal)


def _command(config: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "etl", "build", "--quiet", "--config", str(config), "--out", str(out)]


def _start(target: Target) -> subprocess.Popen:
    with open(target.log, "ab") as log:
        return subprocess.Popen(_command(target.config, target.out), cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)


def _temp_files(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f"{out.name}.tmp-*"))


@pytest.fixture(scope="module")
def target(tmp_path_factory) -> Target:
    ws = demo_workspace(tmp_path_factory.mktemp("crash"))  # a private copy: edits to data/demo cannot interfere
    config = ws.write_config(ws.root / "demo.toml")
    out = ws.root / "db" / "atlas.duckdb"
    started = time.perf_counter()
    result = subprocess.run(_command(config, out), cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    duration = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    print(f"\nmeasured build duration {duration:.2f} s")
    return Target(config, out, fingerprint(out), sha256(out), duration, ws.root / "builds.log")


def _kill_moments() -> list[float]:
    """Fractions of the build duration: one random point per slice, seeded."""
    rng = random.Random(SEED)
    return [(i + rng.random()) / KILL_POINTS * 0.97 for i in range(KILL_POINTS)]


def _assert_database_intact(target: Target, what: str, pid: int, completed: bool) -> None:
    """The database opens read-only with the same rows. A killed build leaves it byte-identical – unless it was
    killed in the instant between its rename and its exit, when its temporary file is gone and the new (complete)
    database is in place."""
    assert target.out.is_file(), f"{what}: the database is gone"
    assert fingerprint(target.out) == target.content, f"{what}: the database changed"
    now = sha256(target.out)
    if not completed and now != target.sha256:
        assert not target.out.with_name(f"{target.out.name}.tmp-{pid}").exists(), f"{what}: changed before the rename"
        print(f"{what}: killed after the rename – the new database is complete")
    target.sha256 = now


def _kill_after(target: Target, seconds: float, sig: int) -> bool:
    """Start a build, send ``sig`` after ``seconds`` and check the database; False if the build finished first."""
    started = time.monotonic()
    proc = _start(target)
    while time.monotonic() < started + seconds and proc.poll() is None:
        time.sleep(POLL_S)
    running = proc.poll() is None
    own_temp = [p.name for p in _temp_files(target.out) if p.name.endswith(f".tmp-{proc.pid}")]
    if running:
        proc.send_signal(sig)
    proc.wait(timeout=120)
    name = signal.Signals(sig).name
    if running:
        target.kills += 1
        assert proc.returncode == -sig, f"the build ended with {proc.returncode}, not by {name}"
    else:  # the machine was faster than measured: the build replaced the database, as it should
        assert proc.returncode == 0, f"the build failed on its own: see {target.log}"
        target.duration_s = time.monotonic() - started
    print(f"{name} after {seconds:.2f} s: {'killed' if running else 'had finished'}; its temp file then: {own_temp or 'none'}")
    _assert_database_intact(target, f"{name} after {seconds:.2f} s", proc.pid, completed=not running)
    return running


@pytest.mark.parametrize("moment", _kill_moments(), ids=lambda m: f"sigkill-at-{m:.0%}")
def test_sigkill_at_a_random_moment_leaves_the_database(target, moment):
    _kill_after(target, moment * target.duration_s, signal.SIGKILL)


def test_sigkill_while_writing_the_temporary_file(target):
    """The moment that matters most: the new database is half written next to the old one."""
    proc = _start(target)
    deadline = time.monotonic() + 5 * target.duration_s
    temp = None
    while temp is None and proc.poll() is None and time.monotonic() < deadline:
        temp = next((p for p in _temp_files(target.out) if p.name.endswith(f".tmp-{proc.pid}")), None)
        time.sleep(POLL_S)
    assert temp is not None, "the build never wrote a temporary file next to the target"
    time.sleep(random.Random(SEED).uniform(0.0, 0.05))
    proc.kill()
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, "the write took less than the pause: kill earlier"
    target.kills += 1
    before = target.sha256
    _assert_database_intact(target, "SIGKILL while writing", proc.pid, completed=False)
    assert target.sha256 == before, "killed mid-write: not a byte of the old database changed"


def test_sigterm_leaves_the_database(target):
    _kill_after(target, random.Random(SEED + 1).uniform(0.3, 0.9) * target.duration_s, signal.SIGTERM)


def test_next_build_ignores_or_cleans_leftover_temp_files(target, monkeypatch):
    # a leftover of a killed build: a half-written file (and its WAL) under another pid
    stale = target.out.with_name(f"{target.out.name}.tmp-999999")
    stale.write_bytes(b"DUCK" + os.urandom(4096))
    target.out.with_name(f"{stale.name}.wal").write_bytes(os.urandom(128))
    leftovers = _temp_files(target.out)
    result = subprocess.run(_command(target.config, target.out), cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert fingerprint(target.out) == target.content, "the new build holds the same data"
    remaining = _temp_files(target.out)
    assert set(remaining) <= set(leftovers), "the successful build left a temporary file of its own"
    print(f"\nbuilds really interrupted: {target.kills}; leftover temp files before the next build: {len(leftovers)}, "
          f"after: {len(remaining)} ({'cleaned' if not remaining else 'ignored'})")  # fmt: skip

    from planning import queries

    monkeypatch.setenv(queries.DB_DIR_ENV, str(target.out.parent))
    assert [Path(db.path).name for db in queries.databases()] == [target.out.name], "temp files are not offered as databases"
