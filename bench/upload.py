"""Benchmark: upload → preview of a 5,000-row offer list (issue 12 target ≤ 3 s).

    .venv/bin/python bench/upload.py [--db demo.duckdb] [--rounds 3]

Builds the demo database when none is given, writes the synthetic 5,000-offer list of bench/offer_map.py (fixed
seed, ``planungsatlas`` format) and times ``workspace.draft.check_upload`` on it in a fresh subprocess each round
(cold imports included, as the first upload of a server's session is): reading, checking and placing every row in
the Kreis, the import report and the changes against the published database – once as a new list (every offer
new) and once against a database built with that list (every offer compared field by field). Prints one line per
round and the medians; exit status 1 when a median misses the target.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
DEMO_CONFIG = REPO_ROOT / "config" / "demo_musterland.toml"
TARGET_S = 3.0
ROWS = 5000

WORKER = """
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from etl.config import load_config
from workspace.draft import check_upload
imported = time.perf_counter()
path, db, config, meta = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
check = check_upload("angebote", path.name, path.read_bytes(), meta, load_config(config), db)
done = time.perf_counter()
print(json.dumps({"check_s": done - imported, "with_imports_s": done - started, "rows": check.rows,
                  "report": len(check.report), "changes": len(check.changes), "errors": check.errors}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="published database to check against (default: a fresh demo build)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from bench.offer_map import write_offer_sources

    with tempfile.TemporaryDirectory(prefix="bench-upload-") as folder:
        db = args.db or Path(folder) / "demo_musterland.duckdb"
        if args.db is None:
            subprocess.run([sys.executable, "-m", "etl", "build", "--config", str(DEMO_CONFIG), "--out", str(db)],
                           cwd=REPO_ROOT, check=True, capture_output=True)  # fmt: skip
        config, _ = write_offer_sources(db, Path(folder) / "list", DEMO_CONFIG, ROWS)
        offer_list = next((Path(folder) / "list").glob("*.csv"))
        # the same list against a database built with it: every one of the 5,000 offers is compared field by field
        with_list = Path(folder) / "mit_liste.duckdb"
        subprocess.run([sys.executable, "-m", "etl", "build", "--config", str(config), "--out", str(with_list)],
                       cwd=REPO_ROOT, check=True, capture_output=True)  # fmt: skip
        medians = {}
        for label, target, meta in (("new_list", db, {"format": "planungsatlas"}),
                                    ("same_list_again", with_list, {"format": "planungsatlas", "public": True})):  # fmt: skip
            results = []
            for i in range(args.rounds):
                run = subprocess.run([sys.executable, "-c", WORKER, str(offer_list), str(target), str(DEMO_CONFIG), json.dumps(meta)],
                                     cwd=REPO_ROOT, check=True, capture_output=True, text=True)  # fmt: skip
                result = json.loads(run.stdout.strip().splitlines()[-1])
                results.append(result)
                print(f"{label} Runde {i + 1}: Upload → Vorschau {ROWS} Angebote: {result['check_s']:.2f} s "
                      f"(mit Python-Importen {result['with_imports_s']:.2f} s), {result['rows']} laden, "
                      f"{result['report']} im Bericht, {result['changes']} Änderungen")  # fmt: skip
            medians[label] = statistics.median(r["check_s"] for r in results)
    for label, median in medians.items():
        print(f"upload_preview_5000_offers_{label}_s {median:.2f} (Ziel ≤ {TARGET_S:.0f} s) {'OK' if median <= TARGET_S else 'VERFEHLT'}")
    return 0 if max(medians.values()) <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
