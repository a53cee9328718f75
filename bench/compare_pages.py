"""Every page's cold run and warm reruns under AppTest, for two checkouts in one run (before/after a change).

    .venv/bin/python bench/compare_pages.py --before ../baseline --after . --db-dir /path/to/folder [--rounds 3]

``--db-dir`` holds the database(s) to measure (e.g. one Trier-Saarburg build). Rounds alternate between the two
trees, so both see the same machine load; each measurement is `bench/run.py _page` of that tree in a fresh
subprocess (cold = first run, warm = median of 5 reruns). A page is matched by its file name in either tree's
navigation folder (``dashboard/pages/`` or the older ``dashboard/app_pages/``). Prints a Markdown table of medians
over the rounds.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

PAGE_FOLDERS = ("dashboard/pages", "dashboard/app_pages")


def page_file(tree: Path, name: str) -> Path | None:
    return next((tree / folder / name for folder in PAGE_FOLDERS if (tree / folder / name).exists()), None)


def measure(tree: Path, page: Path, db_dir: Path) -> dict:
    out = subprocess.run([sys.executable, "bench/run.py", "_page", f"{db_dir}::{page}"], cwd=tree, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--db-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    names = [p.name for p in sorted((trees["after"] / PAGE_FOLDERS[0]).glob("*.py"))]
    results: dict[tuple[str, str], list[dict]] = {}
    for _ in range(args.rounds):
        for name in names:
            for label, tree in trees.items():
                page = page_file(tree, name)
                if page is not None:
                    results.setdefault((name, label), []).append(measure(tree, page, args.db_dir.resolve()))
    print(f"| page | before: cold / warm | after: cold / warm |  (medians of {args.rounds} rounds; warm = median of 5 reruns)")
    print("|---|---|---|")
    for name in names:
        cells = []
        for label in trees:
            runs = results.get((name, label), [])
            if not runs:
                cells.append("–")
                continue
            cold = statistics.median(r["cold_s"] for r in runs)
            warm = statistics.median(statistics.median(r["warm_s"]) for r in runs)
            cells.append(f"{cold:.2f} s / {warm * 1000:.0f} ms")
        print(f"| {name.removesuffix('.py')} | {cells[0]} | {cells[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
