"""The "Daten" page's second half: drafts (check again, discard), "Veröffentlichen" and the version list with
"Zurücksetzen".

Every action is checked at the moment it is taken (``dashboard.auth.require``). "Veröffentlichen" passes the version
the planner had on screen: when someone else published or rolled back meanwhile, workspace.versions refuses with
StaleVersion, the page says who, and the drafts stay as they are.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth
from dashboard.data_view import base_config, checked, db_name, say, show_check, workspace
from dashboard.markdown import plain
from etl.errors import EtlError
from planning.context import Context
from workspace import draft, versions
from workspace.storage import WorkspaceError

SEEN = "daten_seen_version"  # the version the page showed in its last run: what a click refers to
_LOG = logging.getLogger(__name__)
ACTIONS = {"initial": "Ausgangsstand", "publish": "Veröffentlicht", "rollback": "Zurückgesetzt"}


def _when(iso: str) -> str:
    """'2026-12-05T10:40:12+00:00' → '05.12.2026 10:40 UTC'."""
    text = str(iso or "")
    return f"{text[8:10]}.{text[5:7]}.{text[:4]} {text[11:16]} UTC" if len(text) >= 16 else text


def _seconds(value: float) -> str:
    return f"{value:.1f} s".replace(".", ",")


def drafts(ctx: Context) -> None:
    """Every draft of the database, each with its check against the live version and "Verwerfen"."""
    ws = workspace()
    found = ws.uploads(db_name(ctx), status="entwurf")
    if not found:
        st.caption("Keine Entwürfe. Hochgeladene und geprüfte Dateien erscheinen hier, bis sie veröffentlicht oder verworfen sind.")
        return
    config, _ = base_config(ctx)
    for upload in found:
        label = f"Nr. {upload.id} · {draft.KINDS.get(upload.kind, upload.kind)} · {upload.filename} · {upload.uploaded_by}, {_when(upload.uploaded_at)}"
        with st.expander(plain(label)):
            key = ("draft", upload.id, ctx.db.path, ctx.db.mtime)
            check = checked(key, lambda u=upload: draft.check_upload(u.kind, u.filename, ws.upload_content(u.id), u.meta, config, Path(ctx.db.path)))
            show_check(check)
            if st.button("Verwerfen", key=f"daten_discard_{upload.id}", icon=":material/delete:"):
                who = auth.require("upload", db_name(ctx))
                ws.set_upload_status(upload.id, "verworfen", who.actor)
                say("success", f"Entwurf Nr. {upload.id} ({upload.filename}) verworfen.")
                st.rerun()


def publish(ctx: Context) -> None:
    """The button that builds the next version from the drafts, with the version the planner saw."""
    ws = workspace()
    name = db_name(ctx)
    current = ws.current_version(name)
    seen = st.session_state.get(SEEN, current)
    _, reason = base_config(ctx)
    count = len(ws.uploads(name, status="entwurf"))
    st.caption(f"Live ist {'Version ' + str(current) if current else 'der Ausgangsstand (noch keine Version gespeichert)'}; "
               f"{'ein Entwurf' if count == 1 else f'{count} Entwürfe'}. Veröffentlichen baut die Datenbank neu (Konfiguration + veröffentlichte Uploads "
               "+ Entwürfe + Angebotsbearbeitungen + Sozialräume) und tauscht sie in einem Schritt aus.")  # fmt: skip
    if reason:
        st.warning(plain(reason), icon=":material/warning:")
    if not auth.allowed("publish"):  # the button stays: a click is refused on the server and logged (auth.require)
        st.caption("Ihre Rolle darf nicht veröffentlichen.")
    clicked = st.button("Veröffentlichen", type="primary", key="daten_publish", icon=":material/publish:")
    st.session_state[SEEN] = current
    if not clicked:
        return
    who = auth.require("publish", name)
    messages: list[str] = []
    try:
        with st.spinner("Neue Version wird gebaut …"):
            result = versions.publish(ws, Path(ctx.db.path), who.actor, seen, say=messages.append)
    except versions.StaleVersion as exc:
        say("warning", str(exc))
    except (EtlError, WorkspaceError) as exc:
        say("error", f"Nichts wurde veröffentlicht; die bisherige Version bleibt. {exc}")
    except Exception as exc:  # noqa: BLE001 - a failed build must leave the page usable; the live version stays
        _LOG.exception("publish of %s failed", name)
        say("error", f"Nichts wurde veröffentlicht; die bisherige Version bleibt. Unerwarteter Fehler beim Bau: {type(exc).__name__}: {exc}")
    else:
        say("success", f"Version {result.seq} veröffentlicht ({_seconds(result.seconds)}): {result.changes or 'keine Änderungen'}. {result.summary}")
    st.session_state.pop(SEEN, None)
    st.rerun()


def version_list(ctx: Context) -> None:
    """Who published what when, with the build summary; "Zurücksetzen" to any earlier version."""
    ws = workspace()
    name = db_name(ctx)
    listing = ws.versions(name)
    if listing.empty:
        st.caption("Noch keine Versionen: die erste Veröffentlichung speichert den jetzigen Stand als Version 1 (Ausgangsstand).")
        return
    current = int(listing["seq"].max())
    live_file = listing.loc[listing["seq"] == current, "file"].iloc[0]
    shown = pd.DataFrame({
        "Version": listing["seq"].astype(int),
        "live": ["●" if f == live_file and s == current else "" for f, s in zip(listing["file"], listing["seq"])],
        "Zeitpunkt": listing["created_at"].map(_when),
        "Wer": listing["actor"],
        "Aktion": [ACTIONS.get(a, a) + (f" auf Version {int(s)}" if a == "rollback" and pd.notna(s) else "")
                   for a, s in zip(listing["action"], listing["source_seq"])],
        "Änderungen": listing["changes"].fillna(""),
        "Bau": listing["summary"].fillna(""),
    }).iloc[::-1]  # fmt: skip
    st.dataframe(shown, hide_index=True, width="stretch", column_config={"Änderungen": st.column_config.TextColumn(width="medium"), "Bau": st.column_config.TextColumn(width="medium")})
    rows = (listing.iloc[-1]["stats"] or {}).get("change_rows") or []
    if rows:
        with st.expander(f"Änderungen von Version {current} im Einzelnen ({len(rows)})"):
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    earlier = [int(s) for s in listing["seq"] if int(s) != current]
    if not earlier:
        return
    cols = st.columns([3, 2], vertical_alignment="bottom")
    target = cols[0].selectbox("Version wiederherstellen", earlier[::-1], key="daten_rollback_to",
                               format_func=lambda s: f"Version {s} – {_when(listing.loc[listing['seq'] == s, 'created_at'].iloc[0])}")  # fmt: skip
    if cols[1].button("Zurücksetzen", key="daten_rollback", icon=":material/history:"):
        who = auth.require("rollback", name)
        try:
            result = versions.rollback(ws, Path(ctx.db.path), int(target), who.actor, base_version=current)
        except (WorkspaceError, versions.StaleVersion) as exc:
            say("warning", str(exc))
        else:
            say("success", f"Version {result.to_seq} ist wieder live (als Version {result.seq}, {_seconds(result.seconds)}, Prüfsumme gleich).")
        st.rerun()
