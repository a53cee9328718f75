"""Command line of the workspace (run on the server, beside the app):

    python -m workspace create-admin --username X [--password-stdin]
    python -m workspace publish --db data/db/x.duckdb --user X [--config C.toml | --kreis 07232]
    python -m workspace rollback --db data/db/x.duckdb --to N --user X
    python -m workspace versions --db data/db/x.duckdb

The workspace is ``$PLANUNGSATLAS_WORKSPACE_URL`` or the embedded file next to the databases; ``--workspace URL``
overrides both. Exit codes: 0 done, 2 refused or bad input (nothing changed), 3 someone else published meanwhile.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from etl.errors import EtlError
from workspace.storage import Workspace, WorkspaceError, workspace_url


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m workspace", description="Planungsatlas Familie: Arbeitsbereich verwalten")
    parser.add_argument("--workspace", help="Arbeitsbereich-URL (Standard: $PLANUNGSATLAS_WORKSPACE_URL oder workspace.sqlite neben den Datenbanken)")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="Admin anlegen (oder Passwort eines Admins neu setzen)")
    admin.add_argument("--username", required=True)
    admin.add_argument("--display-name", default="")
    admin.add_argument("--password-stdin", action="store_true", help="Passwort aus der ersten Zeile der Standardeingabe lesen")
    publish = commands.add_parser("publish", help="Entwürfe des Arbeitsbereichs als neue Datenbankversion veröffentlichen")
    publish.add_argument("--db", required=True, type=Path, help="z. B. data/db/demo_musterland.duckdb")
    publish.add_argument("--user", default="system", help="wer veröffentlicht (für das Protokoll)")
    publish.add_argument("--config", action="append", default=[], type=Path,
                         help="nur beim ersten Mal, falls das Build-Protokoll die Konfiguration nicht nennt; mehrfach möglich")
    publish.add_argument("--kreis", action="append", default=[], help="wie --config, für einen Bau per Kreisschlüssel")
    publish.add_argument("--quiet", action="store_true", help="nur das Ergebnis ausgeben")
    rollback = commands.add_parser("rollback", help="eine frühere Version unverändert wieder einsetzen")
    rollback.add_argument("--db", required=True, type=Path)
    rollback.add_argument("--to", required=True, type=int, help="Versionsnummer")
    rollback.add_argument("--user", default="system")
    listing = commands.add_parser("versions", help="Versionen einer Datenbank auflisten")
    listing.add_argument("--db", required=True, type=Path)
    return parser


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Passwort: ")
    if first != getpass.getpass("Passwort wiederholen: "):
        raise WorkspaceError("Die beiden Eingaben stimmen nicht überein; nichts geändert.")
    return first


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from workspace.versions import StaleVersion

    try:
        ws = Workspace.open(args.workspace or workspace_url())
        return _run(ws, args)
    except StaleVersion as exc:
        print(f"NICHT veröffentlicht: {exc}", file=sys.stderr)
        return 3
    except (WorkspaceError, EtlError) as exc:
        print(f"FEHLER – nichts geändert.\n{exc}", file=sys.stderr)
        return 2


def _run(ws: Workspace, args: argparse.Namespace) -> int:
    from workspace import versions as v

    if args.command == "create-admin":
        from workspace.users import create_admin

        existed = ws.user(args.username) is not None
        create_admin(ws, args.username, _password(args.password_stdin), display_name=args.display_name)
        print(f"Admin {args.username!r} {'aktualisiert (neues Passwort, Rolle admin, entsperrt)' if existed else 'angelegt'}.")
        return 0
    if args.command == "publish":
        say = (lambda _m: None) if args.quiet else (lambda m: print(m, flush=True))
        recipe = v.recipe_from(args.config, args.kreis) if args.config or args.kreis else None
        seen = ws.current_version(Path(args.db).resolve().stem)
        result = v.publish(ws, args.db, args.user, base_version=seen, say=say, recipe=recipe)
        print(f"Version {result.seq} ist live ({result.seconds:.1f} s). {result.summary}")
        if result.changes:
            print(result.changes)
        return 0
    if args.command == "rollback":
        result = v.rollback(ws, args.db, args.to, args.user)
        print(f"Version {result.to_seq} ist wieder live (als Version {result.seq}, sha256 {result.sha256[:12]}…, {result.seconds:.2f} s).")
        return 0
    listing = ws.versions(Path(args.db).resolve().stem)
    if listing.empty:
        print(f"Noch keine Versionen für {Path(args.db).stem} (die erste Veröffentlichung legt Version 1 als Ausgangsstand an).")
        return 0
    current = int(listing["seq"].max())
    for row in listing.itertuples():
        origin = f" (= Version {row.source_seq})" if row.action == "rollback" else ""
        mark = "*" if row.seq == current else " "
        print(f"{mark} {row.seq:>4}  {row.created_at[:19].replace('T', ' ')}  {row.actor:<12} {row.action:<8}{origin}  {row.summary}")
    return 0
