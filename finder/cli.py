"""Command line: python -m finder build --db data/db/X.duckdb --kreis 07235 --out /srv/www/familienwegweiser"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from finder.settings import FinderError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m finder", description="Familienwegweiser: öffentliche Angebotssuche erzeugen")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="statische Seiten eines Kreises aus einer gebauten Datenbank erzeugen")
    build_cmd.add_argument("--db", required=True, type=Path, help="gebaute Datenbank, z. B. data/db/07235_trier-saarburg.duckdb")
    build_cmd.add_argument("--kreis", required=True, help="Kreisschlüssel (5 Stellen), z. B. 07235")
    build_cmd.add_argument("--out", required=True, type=Path, help="Zielordner; wird bei jedem Bau ganz ersetzt")
    build_cmd.add_argument("--config", type=Path, help="Kreis-Konfiguration mit [finder] (Standard: config/*.toml mit diesem Kreis)")
    args = parser.parse_args(argv)
    if args.command != "build":
        return 1
    from finder.site import build_site

    try:
        result = build_site(args.db, args.kreis, args.out, args.config)
    except FinderError as exc:
        print(f"FEHLER – Familienwegweiser nicht verändert.\n{exc}", file=sys.stderr)
        return 2
    total = sum(result.bytes_by_file.values())
    print(f"Familienwegweiser geschrieben: {result.out} ({result.offers} öffentliche Angebote, {len(result.bytes_by_file)} Dateien, "
          f"{total / 1e6:.1f} MB, {result.seconds:.1f} s)")  # fmt: skip
    for warning in result.warnings:
        print(f"Hinweis: {warning}")
    return 0
