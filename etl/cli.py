"""Command line: python -m etl build --config config/X.toml [--config …] --out data/db/X.duckdb"""
from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from etl.errors import EtlError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="Planungsatlas Familie: Datenbank bauen")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="Datenbank aus Kreis-Konfiguration(en) bauen")
    build_cmd.add_argument("--config", action="append", required=True, type=Path, help="Kreis-Konfiguration (TOML); mehrfach möglich")
    build_cmd.add_argument("--out", required=True, type=Path, help="Ziel, z. B. data/db/07235_trier-saarburg.duckdb")
    build_cmd.add_argument("--quiet", action="store_true", help="nur Zusammenfassung ausgeben")
    demo_cmd = commands.add_parser("demo", help="Demodaten (data/demo) neu erzeugen")
    demo_cmd.add_argument("--out", type=Path, help="Zielordner (Standard: data/demo)")
    commands.add_parser("schema-doc", help="docs/SCHEMA.md aus etl/schema.py neu schreiben")
    args = parser.parse_args(argv)

    if args.command == "build":
        from etl.build import build

        say = (lambda _msg: None) if args.quiet else (lambda msg: print(msg, flush=True))
        try:
            summary = build(args.config, args.out, say)
        except EtlError as exc:
            print(f"FEHLER – Datenbank nicht verändert.\n{exc}", file=sys.stderr)
            return 2
        except OSError as exc:  # a full disk anywhere else than in the write (which says so itself), e.g. a temp folder
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            from etl.load import write_error

            print(f"FEHLER – Datenbank nicht verändert.\n{write_error(args.out, exc)}", file=sys.stderr)
            return 2
        print(summary.text())
        return 0
    if args.command == "demo":
        from etl.demo import main as demo_main

        demo_main([] if args.out is None else ["--out", str(args.out)])
        return 0
    if args.command == "schema-doc":
        from etl.config import REPO_ROOT
        from etl.schema import markdown

        (REPO_ROOT / "docs" / "SCHEMA.md").write_text(markdown() + "\n", encoding="utf-8")
        return 0
    return 1
