"""The "Daten" page's upload part: templates, the upload form and the preview of a check (report and changes).

Nothing here changes the published database: a checked file becomes a draft in the workspace ("Als Entwurf
speichern"), and only "Veröffentlichen" (dashboard/version_view.py) builds a new version from the drafts.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import streamlit as st

from dashboard import auth
from dashboard.markdown import plain
from etl.config import DEFAULT_MIN_BASE
from etl.offers_taxonomy import offer_types
from etl.sources.genesis import table_metadata
from etl.sources.offers import offer_formats
from planning.context import Context
from workspace import draft
from workspace.draft_changes import changes_text
from workspace.storage import Workspace

MESSAGE = "daten_message"  # (kind, text) shown once after an action and a rerun
_CHECKS = "daten_checks"  # memo of checks: key -> UploadCheck (a rerun must not read a 5,000-row list again)
_UPLOADER = "daten_uploader_round"  # a new key empties the file picker after saving
FILE_TYPES = {"angebote": ["csv", "xlsx", "xlsm"], "statistik": ["csv"], "eigene_indikatoren": ["xlsx"], "sozialraeume": ["csv"],
              "umfrage": ["xlsx"]}  # fmt: skip


def db_name(ctx: Context) -> str:
    return Path(ctx.db.path).stem


def workspace() -> Workspace:
    return Workspace.open()


def say(kind: str, text: str) -> None:
    """Keep a message for the next run (after st.rerun)."""
    st.session_state[MESSAGE] = (kind, text)


def show_message() -> None:
    """The message an action left, once."""
    if found := st.session_state.pop(MESSAGE, None):
        kind, text = found
        {"success": st.success, "warning": st.warning, "error": st.error}[kind](plain(text), icon=None)


@st.cache_data(max_entries=8, show_spinner=False)
def _template(path: str, mtime: float, kreis_id: str) -> bytes:
    return draft.template_for(Path(path), kreis_id)


@st.cache_data(max_entries=8, show_spinner=False)
def _base_config(path: str, mtime: float, kreis_id: str):
    return draft.base_config(Path(path), kreis_id)


def base_config(ctx: Context):
    """(config the database was built from, or a minimal one; the reason when the recipe is unknown)."""
    return _base_config(ctx.db.path, ctx.db.mtime, ctx.kreis_id)


def templates(ctx: Context) -> None:
    """Download of the own-indicator template (with the Kreis's area keys) and of an empty offer list."""
    left, right = st.columns(2)
    left.download_button(
        "Vorlage „Eigene Indikatoren“ (.xlsx)", _template(ctx.db.path, ctx.db.mtime, ctx.kreis_id),
        file_name=f"vorlage_eigene_indikatoren_{ctx.kreis_id}.xlsx", icon=":material/download:", key="daten_template",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip
    columns = offer_formats()["planungsatlas"]["columns"]
    header = ";".join(dict.fromkeys(c for v in columns.values() for c in ([v] if isinstance(v, str) else v)))
    right.download_button("Vorlage Angebotsliste (CSV, Format planungsatlas)", ("\ufeff" + header + "\r\n").encode("utf-8"),
                          file_name="vorlage_angebotsliste.csv", mime="text/csv", icon=":material/download:", key="daten_offer_template")  # fmt: skip
    st.caption("Spalten und Prüfregeln der Angebotsliste: docs/OFFERS.md; die Indikatoren-Vorlage erklärt sich im Blatt „Anleitung“.")


def _known_list(ctx: Context, filename: str | None) -> None:
    """A list of the same file name is replaced by the upload: its format, Datenstand, captured Angebotsarten and
    public flag (of the last published upload, else of the config) are taken over once as the choices' defaults, so
    a new export of the same list does not turn every offer internal by an unticked box."""
    if not filename or st.session_state.get("daten_defaults_for") == filename:
        return
    st.session_state["daten_defaults_for"] = filename
    name = draft.safe_name(filename)
    known = {o.path.name: {"format": o.format, "stand": o.stand, "covers": list(o.covers or []), "public": o.public}
             for o in base_config(ctx)[0].offers}  # fmt: skip
    known |= {u.filename: u.meta for u in workspace().uploads(db_name(ctx), status="veroeffentlicht") if u.kind == "angebote"}
    if name not in known:
        return
    meta = known[name]
    if meta.get("format") in offer_formats():
        st.session_state["daten_format"] = meta["format"]
    try:
        st.session_state["daten_stand"] = date.fromisoformat(str(meta.get("stand")))
    except ValueError:  # '2017-03' or none: the planner enters it
        st.session_state["daten_stand"] = None
    st.session_state["daten_public"] = bool(meta.get("public"))
    st.session_state["daten_covers"] = [c for c in meta.get("covers") or [] if c in set(offer_types()["offer_type"])]


def _meta(kind: str, ctx: Context, filename: str | None = None) -> dict:
    """The choices a kind of upload needs (format, Datenstand, … of an offer list; table of a statistics file)."""
    meta: dict = {"kreis": ctx.kreis_id}
    if kind == "angebote":
        _known_list(ctx, filename)
        formats = offer_formats()
        cols = st.columns([3, 2, 2])
        meta["format"] = cols[0].selectbox("Format", list(formats), format_func=lambda f: formats[f]["title"], key="daten_format")
        stand = cols[1].date_input("Datenstand", value=None, max_value=date.today(), format="DD.MM.YYYY", key="daten_stand",
                                   help="Stand der Liste; er steht bei jeder Karte mit diesen Angeboten.")
        meta["stand"] = stand.isoformat() if stand else None
        meta["public"] = cols[2].checkbox("Öffentlich", key="daten_public",
                                          help="Die Angebote erscheinen im Familienwegweiser, wo ihre Spalte „oeffentlich“ leer ist.")  # fmt: skip
        types = offer_types()
        covers = st.multiselect("Vollständig erfasste Angebotsarten (optional)", list(types["offer_type"]),
                                format_func=dict(zip(types["offer_type"], types["label"])).get, key="daten_covers",
                                placeholder="keine Angabe: erfasst ist, wovon die Liste mindestens ein Angebot enthält",
                                help="Angebotsarten, die die Liste für den ganzen Kreis vollständig enthält (docs/OFFERS.md).")  # fmt: skip
        meta["covers"] = covers or None
    elif kind == "statistik":
        tables = table_metadata()["tables"]
        meta["table"] = st.selectbox("Tabelle", sorted(tables), format_func=lambda t: f"{t} – {tables[t]['title']}", key="daten_table")
    elif kind == "umfrage":
        meta["min_base"] = int(st.number_input("Mindestbasis", 5, 1000, DEFAULT_MIN_BASE, key="daten_min_base",
                                               help="Gebiete mit weniger Befragten je Frage werden nicht ausgewiesen (config/README.md)."))  # fmt: skip
    elif kind == "sozialraeume":
        cols = st.columns(2)
        meta["status"] = cols[0].radio("Status der Zuordnung", ["Arbeitsannahme", "amtlich"], horizontal=True, key="daten_mapping_status")
        meta["source"] = cols[1].text_input("Quelle", placeholder="z. B. Jugendhilfeausschuss, Beschluss vom …", key="daten_mapping_source")
    return meta


def checked(key: tuple, run) -> draft.UploadCheck:
    """The check of ``key`` from the session's memo, or ``run()`` (kept for the next runs)."""
    memo = st.session_state.setdefault(_CHECKS, {})
    if key not in memo:
        if len(memo) > 24:  # the drafts' checks and a few uploads
            memo.pop(next(iter(memo)))
        with st.spinner("Datei wird geprüft …"):
            memo[key] = run()
    return memo[key]


def upload_form(ctx: Context) -> None:
    """Kind and format, the file, the preview of its check, and "Als Entwurf speichern"."""
    kind = st.radio("Art der Datei", list(draft.KINDS), format_func=draft.KINDS.get, horizontal=True, key="daten_kind")
    round_ = st.session_state.setdefault(_UPLOADER, 0)
    file = st.file_uploader("Datei", type=FILE_TYPES[kind], key=f"daten_file_{round_}")
    meta = _meta(kind, ctx, file.name if file is not None else None)
    if file is None:
        st.caption("Die Datei wird mit denselben Regeln geprüft wie beim Bau der Datenbank; veröffentlicht wird erst mit "
                   "„Veröffentlichen“ unten.")  # fmt: skip
        return
    content = file.getvalue()
    config, _ = base_config(ctx)
    key = ("upload", hashlib.sha256(content).hexdigest(), kind, json.dumps(meta, sort_keys=True), ctx.db.path, ctx.db.mtime)
    check = checked(key, lambda: draft.check_upload(kind, file.name, content, meta, config, Path(ctx.db.path)))
    show_check(check)
    if st.button("Als Entwurf speichern", type="primary", disabled=not check.ok, key="daten_save", icon=":material/save:",
                 help=None if check.ok else "Erst die Fehler oben beheben und die Datei neu hochladen."):  # fmt: skip
        who = auth.require("upload", db_name(ctx))
        upload_id = workspace().add_upload(db_name(ctx), kind, check.filename, content, who.actor, meta)
        st.session_state[_UPLOADER] = round_ + 1
        say("success", f"Entwurf Nr. {upload_id} gespeichert: {check.filename}. Veröffentlicht wird er mit „Veröffentlichen“.")
        st.rerun()


def show_check(check: draft.UploadCheck) -> None:
    """Rows that will load, the fatal errors, the per-row report and the changes against the published version."""
    cols = st.columns(4)
    cols[0].metric("Zeilen, die geladen werden", f"{check.rows:,}".replace(",", "."))
    cols[1].metric("Zeilen im Prüfbericht", f"{len(check.report):,}".replace(",", "."))
    cols[2].metric("Änderungen", f"{len(check.changes):,}".replace(",", "."))
    cols[3].metric("Prüfung", f"{check.seconds:.1f} s".replace(".", ","))
    for error in check.errors:
        # one line each for the place, "Erwartet:" and "Abhilfe:" (plain() folds line breaks within a part)
        st.error("**Die Datei kann so nicht geladen werden.**  \n" + "  \n".join(plain(line) for line in error.splitlines()),
                 icon=":material/error:")  # fmt: skip
    if check.ok:
        st.success(plain(f"{check.filename}: {check.rows} Zeilen werden geladen. Gegenüber der veröffentlichten Version: "
                         f"{changes_text(check.changes)}."),
                   icon=":material/check_circle:")  # fmt: skip
    if len(check.report):
        st.markdown("**Prüfbericht** – jede Zeile, die nicht so geladen wird, wie sie steht")
        st.dataframe(check.report, hide_index=True, width="stretch", height=min(38 + 35 * len(check.report), 320),
                     column_config={"Problem": st.column_config.TextColumn(width="large")})  # fmt: skip
    if len(check.changes):
        st.markdown("**Änderungen gegenüber der veröffentlichten Version**")
        st.dataframe(check.changes, hide_index=True, width="stretch", height=min(38 + 35 * len(check.changes), 320))
    if len(check.preview):
        with st.expander(f"Vorschau der Zeilen, die geladen werden ({min(len(check.preview), 200)} von {check.rows})"):
            st.dataframe(check.preview.head(200), hide_index=True, width="stretch")

