"""Angebote pflegen: the offer inventory in an editable table, probable duplicates to decide, and the change log.

Every change is checked like a cell of an imported list (etl/offer_edits.py), kept in the workspace with who, when
and old → new, and takes effect with the next publish (page "Daten"). Rights are checked at the moment of the
action (``auth.require``), not only by hiding the buttons.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth
from dashboard.markdown import plain
from etl.offer_edits import EDITABLE_FIELDS, check_edit
from planning.context import Context
from planning.duplicates import better_offer, probable_duplicates
from planning.offer_inventory import changed_cells, published_inventory, with_pending_edits
from workspace.offer_overlay import decided_different

SHOWN_PAIRS = 30  # pairs drawn at once; the rest follow as decisions are made
INTERNAL_FIELDS = ("kontakt_intern",)
READ_ONLY = {"offer_id": "Kennung", "gemeinde_name": "Gemeinde", "list_file": "Liste"}


def _workspace_state(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the inventory with pending edits, the pending cells)."""
    return with_pending_edits(published_inventory(ctx.db, ctx.kreis_id), auth.workspace().offer_edits(ctx.db.name))


def no_inventory(ctx: Context) -> bool:
    """A hint and True when the Kreis has no offers with keys to maintain."""
    if published_inventory(ctx.db, ctx.kreis_id).empty:
        st.info("Für diesen Kreis sind keine Angebote gespeichert, oder die Datenbank stammt aus einer Version ohne "
                "Angebotsschlüssel: Angebotslisten auf der Seite „Daten“ hochladen und veröffentlichen.", icon=":material/info:")  # fmt: skip
        return True
    return False


def _filtered(shown: pd.DataFrame, key: str) -> pd.DataFrame:
    columns = st.columns([3, 3, 4])
    types = columns[0].multiselect("Angebotsart", sorted(shown["type_label"].unique()), key=f"{key}_types", placeholder="alle")
    gemeinden = columns[1].multiselect("Gemeinde", sorted(shown["gemeinde_name"].unique()), key=f"{key}_gemeinden", placeholder="alle")
    text = columns[2].text_input("Suche in Name, Träger, Adresse", key=f"{key}_text").strip().casefold()
    keep = pd.Series(True, index=shown.index)
    if types:
        keep &= shown["type_label"].isin(types)
    if gemeinden:
        keep &= shown["gemeinde_name"].isin(gemeinden)
    if text:
        haystack = (shown["name"].fillna("") + " " + shown["traeger"].fillna("") + " " + shown["address"].fillna("")).str.casefold()
        keep &= haystack.str.contains(text, regex=False)
    return shown[keep]


def _column_config(type_labels: dict[str, str]) -> dict:
    config: dict = {field: st.column_config.TextColumn(label) for field, label in EDITABLE_FIELDS.items()}
    config["offer_type"] = st.column_config.SelectboxColumn("Angebotsart", options=list(type_labels), format_func=type_labels.get, required=True)
    config["oeffentlich"] = st.column_config.CheckboxColumn("Öffentlich", help="Im Familienwegweiser sichtbar (sonst nur intern)")
    config["barrierefrei"] = st.column_config.SelectboxColumn("Barrierefrei", options=["", "ja", "nein", "teilweise"])
    for field in ("kapazitaet", "alter_von", "alter_bis"):
        config[field] = st.column_config.NumberColumn(EDITABLE_FIELDS[field], min_value=0)
    for field in ("lon", "lat"):
        config[field] = st.column_config.NumberColumn(EDITABLE_FIELDS[field], format="%.6f")
    config["offer_key"] = None  # hidden: the key is what the workspace stores, not what a planner reads
    config |= {field: st.column_config.TextColumn(label, disabled=True) for field, label in READ_ONLY.items()}
    return config


def editor(ctx: Context) -> None:
    """The editable table and its save button."""
    shown, pending = _workspace_state(ctx)
    internal = auth.allowed("read_internal")
    fields = [f for f in EDITABLE_FIELDS if internal or f not in INTERNAL_FIELDS]
    filtered = _filtered(shown, "offer_edit")
    st.caption(f"{len(filtered)} von {len(shown)} Angeboten. Änderungen werden geprüft wie eine importierte Liste und mit dem "
               "nächsten Veröffentlichen (Seite „Daten“) wirksam; jede Änderung wird mit Name und Zeit protokolliert.")  # fmt: skip
    version = st.session_state.setdefault("offer_editor_version", 0)
    type_labels = dict(zip(shown["offer_type"], shown["type_label"]))
    edited = st.data_editor(
        filtered[["offer_key", *READ_ONLY, *fields]], column_config=_column_config(type_labels), hide_index=True, num_rows="fixed",
        disabled=["offer_key", *READ_ONLY], key=f"offer_editor_{ctx.db.name}_{ctx.kreis_id}_{version}", height=420,
    )  # fmt: skip
    cells = changed_cells(filtered, edited)
    if st.button(f"Änderungen prüfen und speichern ({len(cells)})", type="primary", disabled=not cells, icon=":material/save:"):
        _save(ctx, cells, shown)
    if not pending.empty:
        names = dict(zip(shown["offer_key"], shown["name"]))
        table = pd.DataFrame({"Angebot": pending["offer_key"].map(names), "Feld": pending["field"].map(EDITABLE_FIELDS),
                              "veröffentlicht": pending["published"].astype(str), "neu": pending["pending"].astype(str)})  # fmt: skip
        with st.expander(f"Noch nicht veröffentlicht: {len(pending)} geänderte Felder", icon=":material/pending_actions:"):
            st.dataframe(table, hide_index=True, width="stretch")


def _save(ctx: Context, cells: list[tuple], shown: pd.DataFrame) -> None:
    who = auth.require("edit_offers", ctx.db.name)
    names = dict(zip(shown["offer_key"], shown["name"]))
    problems, saved = [], 0
    for key, field, old, new in cells:
        checked = check_edit(field, new)
        if not checked.ok:
            problems.append({"Angebot": names.get(key, key), "Spalte": EDITABLE_FIELDS[field], "Eingabe": str(new),
                             "Problem": checked.problem, "Erwartet": checked.expected})  # fmt: skip
            continue
        auth.workspace().add_offer_edit(ctx.db.name, key, field, old, checked.value, who.actor)
        saved += 1
    st.session_state["offer_editor_version"] += 1  # a fresh table shows the saved values
    st.session_state["offer_edit_result"] = (saved, problems)
    st.rerun()


def save_result() -> None:
    """What the last save did: saved fields, and each refused one with what would fit."""
    saved, problems = st.session_state.pop("offer_edit_result", (None, []))
    if saved:
        st.success(f"{saved} Änderungen gespeichert; sie werden mit dem nächsten Veröffentlichen wirksam.", icon=":material/check:")
    if problems:
        st.error(f"{len(problems)} Änderungen nicht gespeichert – bitte korrigieren:", icon=":material/error:")
        st.dataframe(pd.DataFrame(problems), hide_index=True, width="stretch")


def duplicates(ctx: Context) -> None:
    """Probable duplicates with their reason; the planner decides each pair."""
    shown, _ = _workspace_state(ctx)
    ws = auth.workspace()
    decisions = ws.duplicate_decisions(ctx.db.name)
    merging = {frozenset(p) for p in zip(decisions.loc[decisions["decision"] == "dasselbe", "key_a"],
                                         decisions.loc[decisions["decision"] == "dasselbe", "key_b"])}  # fmt: skip
    pairs = probable_duplicates(shown, decided_different(ws, ctx.db.name) | merging)
    st.caption("Wahrscheinliche Dubletten: gleiche Angebotsart, gleiche Adresse oder höchstens 100 m entfernt, ähnlicher Name. "
               "„Dasselbe Angebot“ führt beide beim nächsten Veröffentlichen zusammen (das vollständigere bleibt, leere Felder "
               "werden ergänzt); „Verschieden“ nimmt das Paar dauerhaft aus der Liste. Beide Entscheidungen gelten auch "
               "nach dem nächsten Import derselben Listen.")  # fmt: skip
    if pairs.empty:
        st.success("Keine wahrscheinlichen Dubletten offen.", icon=":material/done_all:")
    else:
        st.markdown(f"**{len(pairs)} offene Paare**" + (f" – die ersten {SHOWN_PAIRS}" if len(pairs) > SHOWN_PAIRS else ""))
    by_key = shown.set_index("offer_key", drop=False)
    for pair in pairs.head(SHOWN_PAIRS).itertuples(index=False):
        _pair(ctx, by_key.loc[pair.offer_key_a], by_key.loc[pair.offer_key_b], pair.reason)
    if not decisions.empty:
        names = dict(zip(shown["offer_key"], shown["name"]))
        table = pd.DataFrame({"Angebot A": decisions["key_a"].map(names).fillna("(nicht mehr vorhanden)"),
                              "Angebot B": decisions["key_b"].map(names).fillna("(zusammengeführt oder entfernt)"),
                              "Entscheidung": decisions["decision"].map({"dasselbe": "dasselbe Angebot", "verschieden": "verschieden"}),
                              "von": decisions["actor"], "am": decisions["at"].str.replace("T", " ").str[:16]})  # fmt: skip
        with st.expander(f"Entschiedene Paare ({len(decisions)})", icon=":material/rule:"):
            st.dataframe(table, hide_index=True, width="stretch")


def _pair(ctx: Context, a: pd.Series, b: pd.Series, reason: str) -> None:
    with st.container(border=True):
        st.caption(plain(reason))
        left, right, actions = st.columns([4, 4, 2])
        for column, offer in ((left, a), (right, b)):
            column.markdown(f"**{plain(offer['name'])}**  \n{plain(offer['address'] or '')}  \n"
                            f"{plain(offer['traeger'] or '')} · Liste {plain(offer['list_file'] or '')}")  # fmt: skip
        ids = f"{a['offer_key']}_{b['offer_key']}"
        if actions.button("Dasselbe Angebot", key=f"same_{ids}", icon=":material/merge:"):
            _decide(ctx, a, b, "dasselbe")
        if actions.button("Verschieden", key=f"different_{ids}", icon=":material/call_split:"):
            _decide(ctx, a, b, "verschieden")


def _decide(ctx: Context, a: pd.Series, b: pd.Series, decision: str) -> None:
    who = auth.require("decide_duplicates", ctx.db.name)
    keep = better_offer(a, b) if decision == "dasselbe" else None
    auth.workspace().set_duplicate_decision(ctx.db.name, a["offer_key"], b["offer_key"], decision, who.actor, keep=keep)
    st.rerun()


def change_log(ctx: Context) -> None:
    """Every edit of this database's offers: who, when, which offer and field, old → new."""
    edits = auth.workspace().offer_edits(ctx.db.name)
    if edits.empty:
        st.caption("Noch keine Änderungen.")
        return
    inventory = published_inventory(ctx.db, ctx.kreis_id)
    names = dict(zip(inventory["offer_key"], inventory["name"]))
    table = pd.DataFrame({"am": edits["at"].str.replace("T", " ").str[:19], "von": edits["actor"],
                          "Angebot": edits["offer_key"].map(names).fillna(edits["offer_key"]), "Feld": edits["field"].map(EDITABLE_FIELDS),
                          "alt": edits["old"].fillna(""), "neu": edits["new"].fillna("")})  # fmt: skip
    st.dataframe(table.iloc[::-1], hide_index=True, width="stretch")
