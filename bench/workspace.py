"""Publish and rollback of database versions (issue 12): publish of a county ≤ 10 s, rollback ≤ 1 s.

    .venv/bin/python bench/workspace.py [--rounds 3] [--workspace URL] [--skip-real]

1. Builds the demo database into a temporary folder (`python -m etl build`) and opens a workspace there (the
   embedded SQLite file; `--workspace postgresql+psycopg://…` measures PostgreSQL instead).
2. `publish demo county, first`: `workspace.versions.publish` in this process with one uploaded offer list of 50
   invented offers – the first publish also registers the database as version 1 (a copy of the file). Then `publish
   demo county` median of the rounds, each with one more uploaded list of 50 offers (draft step, the real build,
   the list of changes against the live database, sha256, rename). The build's own share is on the line beside it.
3. `publish demo county, CLI`: `python -m workspace publish` as a subprocess, wall time with the interpreter.
4. `rollback`: `workspace.versions.rollback` alternately to version 1 and to the latest publish (copy, rename, sha256
   of the version file before and of the live file after), median of 5.
5. With real data (../shared/data or $PLANUNGSATLAS_DATA): the same publish and rollback for Trier-Saarburg,
   built from config/07235_trier-saarburg.toml.
Prints `name | target | value | ok` like bench/run.py; a missed target does not change the exit code.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from etl.config import shared_data_root  # noqa: E402
from workspace import versions as v  # noqa: E402
from workspace.storage import Workspace  # noqa: E402

PUBLISH_TARGET_S, ROLLBACK_TARGET_S = 10.0, 1.0
DEMO_LIST = REPO_ROOT / "data" / "demo" / "angebote" / "angebote_musterland_demodaten.csv"
REAL_CONFIG = REPO_ROOT / "config" / "07235_trier-saarburg.toml"


def offer_list(n: int, tag: str) -> bytes:
    """``n`` invented offers in the planungsatlas format (rows of the demo list renamed)."""
    header, *rows = DEMO_LIST.read_text(encoding="utf-8-sig").splitlines()
    out = [header]
    for i in range(n):
        fields = rows[i % len(rows)].split(";")
        fields[0], fields[1] = f"{tag}-{i:04d}", f"Benchmark-Angebot {tag} {i}"
        out.append(";".join(fields))
    return ("\n".join(out) + "\n").encode("utf-8")


def build(config: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "etl", "build", "--quiet", "--config", str(config), "--out", str(out)],
                   cwd=REPO_ROOT, check=True, capture_output=True)


def measure(ws: Workspace, db: Path, label: str, rounds: int, with_uploads: bool) -> list[tuple]:
    name, lines = db.stem, []

    def publish(tag: str) -> v.PublishResult:
        if with_uploads:
            ws.add_upload(name, "angebote", f"bench_{tag}.csv", offer_list(50, tag), "bench", {"format": "planungsatlas", "public": True})
        return v.publish(ws, db, "bench", base_version=ws.current_version(name), say=lambda _m: None)

    started = time.perf_counter()
    first = publish("R0")
    first_s = time.perf_counter() - started
    results = [publish(f"R{i + 1}") for i in range(rounds)]
    wall = statistics.median(r.seconds for r in results)
    built = statistics.median(ws.versions(name).set_index("seq").loc[r.seq, "stats"]["seconds"] for r in results)
    lines += [
        (f"publish {label}, first (registers version 1)", f"≤ {PUBLISH_TARGET_S:.0f} s", f"{first_s:.2f} s", first_s <= PUBLISH_TARGET_S),
        (f"publish {label} (median of {rounds}; build alone {built:.2f} s)", f"≤ {PUBLISH_TARGET_S:.0f} s", f"{wall:.2f} s", wall <= PUBLISH_TARGET_S),
    ]  # fmt: skip
    latest = results[-1].seq if results else first.seq
    times = []
    for i in range(5):
        times.append(v.rollback(ws, db, 1 if i % 2 == 0 else latest, "bench").seconds)
    size = db.stat().st_size / 1e6
    back = statistics.median(times)
    lines.append((f"rollback {label} ({size:.1f} MB, median of 5)", f"≤ {ROLLBACK_TARGET_S:.0f} s", f"{back * 1000:.0f} ms", back <= ROLLBACK_TARGET_S))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workspace", help="workspace URL (default: SQLite in the temporary folder)")
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory(prefix="bench-workspace-") as tmp:
        folder = Path(tmp) / "db"
        folder.mkdir()
        ws = Workspace.open(args.workspace or f"sqlite:///{folder / 'workspace.sqlite'}")
        demo = folder / "demo_musterland.duckdb"
        build(REPO_ROOT / "config" / "demo_musterland.toml", demo)
        lines += measure(ws, demo, "demo county", args.rounds, with_uploads=True)
        url = str(ws.engine.url.render_as_string(hide_password=False))
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "workspace", "--workspace", url, "publish", "--db", str(demo), "--user", "bench", "--quiet"],
                       cwd=REPO_ROOT, check=True, capture_output=True)
        cli = time.perf_counter() - started
        lines.append(("publish demo county, CLI (with interpreter start)", f"≤ {PUBLISH_TARGET_S:.0f} s", f"{cli:.2f} s", cli <= PUBLISH_TARGET_S))
        if args.skip_real or not (shared_data_root() / "geo").is_dir():
            lines.append(("publish/rollback Trier-Saarburg", "–", "skipped: real data absent or --skip-real", None))
        else:
            real = folder / "07235_trier-saarburg.duckdb"
            build(REAL_CONFIG, real)
            lines += measure(ws, real, "Trier-Saarburg", max(1, args.rounds - 1), with_uploads=False)
        Workspace.close_all()
    rows = [("name", "target", "value", "ok")] + [(n, t, val, {True: "yes", False: "NO", None: "–"}[ok]) for n, t, val, ok in lines]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    judged = [ok for *_, ok in lines if ok is not None]
    print(f"\ntargets met: {sum(judged)} of {len(judged)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
