"""Command line: python -m etl build --config config/X.toml [--config …] --out data/db/X.duckdb,
python -m etl build --kreis 07232 --out data/db/07232.duckdb (any Kreis from the national files), and
python -m etl init --kreis 07232 [--out config/07232.toml] (that config written for the county to edit)."""
from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from etl.errors import EtlError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="Planungsatlas Familie: Datenbank bauen")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="Datenbank aus Kreis-Konfiguration(en) oder Kreisschlüsseln bauen")
    build_cmd.add_argument("--config", action="append", default=[], type=Path, help="Kreis-Konfiguration (TOML); mehrfach möglich")
    build_cmd.add_argument("--kreis", action="append", default=[], help="Kreisschlüssel, z. B. 07232: aus den bundesweiten Dateien des Datenordners; mehrfach möglich")
    build_cmd.add_argument("--out", required=True, type=Path, help="Ziel, z. B. data/db/07235_trier-saarburg.duckdb")
    build_cmd.add_argument("--quiet", action="store_true", help="nur Zusammenfassung ausgeben")
    demo_cmd = commands.add_parser("demo", help="Demodaten (data/demo) neu erzeugen")
    demo_cmd.add_argument("--out", type=Path, help="Zielordner (Standard: data/demo)")
    init_cmd = commands.add_parser("init", help="Kreis-Konfiguration aus den bundesweiten Dateien schreiben (zum Anpassen)")
    init_cmd.add_argument("--kreis", required=True, help="Kreisschlüssel, z. B. 07232")
    init_cmd.add_argument("--out", type=Path, help="Ziel der Konfiguration (Standard: config/<Schlüssel>_<Name>.toml)")
    commands.add_parser("schema-doc", help="docs/SCHEMA.md aus etl/schema.py neu schreiben")
    args = parser.parse_args(argv)

    if args.command == "build":
        if not args.config and not args.kreis:
            parser.error("build braucht --config <Datei> oder --kreis <Schlüssel>")
        say = (lambda _msg: None) if args.quiet else (lambda msg: print(msg, flush=True))
        try:
            summary = _build(args.config, args.kreis, args.out, say)
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
    if args.command == "init":
        from etl.kreis_config import write_kreis_config

        try:
            config, mapping, skipped = write_kreis_config(args.kreis, args.out)
        except EtlError as exc:
            print(f"FEHLER – nichts geschrieben.\n{exc}", file=sys.stderr)
            return 2
        print(f"Konfiguration geschrieben: {config}\nSozialräume (zum Anpassen): {mapping}")
        print("\n".join(f"  nicht aufgenommen: {s}" for s in skipped))
        print(f"Bauen: python -m etl build --config {config} --out data/db/{config.stem}.duckdb")
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


def _build(config_files: list[Path], kreise: list[str], out: Path, say):
    """Build from config files and/or Kreis keys (their configs written to a temporary folder and read back)."""
    from etl.build import build
    from etl.kreis_config import kreis_config, temporary_folder

    if not kreise:
        return build(config_files, out, say)
    with temporary_folder() as folder:
        configs = [*config_files, *(kreis_config(ags, Path(folder) / ags) for ags in kreise)]
        return build(configs, out, say)
