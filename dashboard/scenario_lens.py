"""The scenario lens of the planning pages (Präventionskette, Bedarf & Versorgung, Angebotskarte): a control
"Szenario" that picks one of the Kreis's saved scenarios, bound to the URL as ``szenario`` like on the page
Szenarien, and the banner that says the page shows a scenario, not published figures.

The figures themselves come from ``planning.scenario_views``. While a scenario is shown, the tables of
Präventionskette and Bedarf & Versorgung are exported with its figures and say so in title and header (``mark``);
the Angebotskarte's downloads (print map, offer list) are switched off with the reason – they would show the
published offers. No scenario figure passes for a published one.
"""
from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import auth, scenario_view, share
from dashboard.markdown import plain
from planning import gaps, queries, scenario_effects, scenario_views, scenarios
from planning.context import Context
from planning.formatting import number
from planning.scenario_views import banner_text
from reports.coverage_tables import TableExport
from workspace import store_for

KEY = "lens_scenario"
SCENARIO_PAGE = "szenarien"  # the page id whose viewers may see saved scenarios
URL_NAME = "szenario"  # as on the page Szenarien: one link parameter for a scenario everywhere
KEPT = "lens_scenario_kept"  # survives a change of page (a widget's own key is dropped on pages without it)
NONE_LABEL = "keins – veröffentlichte Daten"
EXPORT_REASON = (
    "Mit einem Szenario gibt es auf der Angebotskarte keine Downloads: Druckkarte und Tabellen enthielten die "
    "veröffentlichten Angebote. Die Unterschiede des Szenarios als Tabelle und als Abschnitt für den "
    "Kreistagsbericht gibt es auf der Seite Szenarien."
)


def _keep() -> None:
    st.session_state[KEPT] = st.session_state.get(KEY)


def control(ctx: Context, where: DeltaGenerator | None = None) -> scenarios.Scenario | None:
    """The selectbox 'Szenario' in ``where`` (default: the page); the chosen saved scenario, None for the published
    data. A link naming a scenario that is not saved for this Kreis shows why and falls back to the published data.
    A viewer who may not open the page Szenarien sees no control and no scenario (they are unpublished drafts)."""
    if SCENARIO_PAGE not in auth.visible_pages():
        return None
    store = store_for(ctx.db.path)
    saved = store.names(ctx.kreis_id)
    # the choice lives in KEPT (the widget's own state does not survive a change of page); a link overrides it
    st.session_state[KEY] = st.session_state.get(KEPT) if st.session_state.get(KEPT) in saved else ""
    share.bind(share.Param(KEY, URL_NAME))
    wanted = st.session_state.get(KEY)
    if wanted not in (None, "", *saved):
        if st.query_params.get(URL_NAME) == wanted:  # a link's scenario; after a change of Kreis: quietly none
            st.warning(plain(scenario_view.unsaved_link_text(str(wanted))), icon=":material/link_off:")
        st.session_state[KEY] = ""
    name = (where or st).selectbox(
        "Szenario", ["", *saved], format_func=lambda n: n or NONE_LABEL, key=KEY, on_change=_keep,
        help="Ein auf der Seite Szenarien gespeichertes Szenario: die Seite rechnet dann mit seinen Angeboten "
             "(nicht veröffentlicht) und zeigt, was sich ändert.",
    )  # fmt: skip
    st.session_state[KEPT] = name
    return store.load(ctx.kreis_id, name) if name else None  # None also when it was deleted meanwhile


def banner(ctx: Context, scenario: scenarios.Scenario, where: DeltaGenerator | None = None) -> None:
    """'Szenario „…“ – nicht veröffentlicht: n Änderungen', with the changes listed."""
    (where or st).warning(
        f"**{plain(banner_text(scenario))}** – die Zahlen dieser Seite sind mit den Angeboten des Szenarios "
        f"gerechnet; die veröffentlichten Daten bleiben unverändert. Änderungen: {plain(changes_text(ctx, scenario))}",
        icon=":material/science:",
    )


def lens(ctx: Context) -> scenarios.Scenario | None:
    """The control and, with a scenario, its banner in one row under the page's title."""
    row = st.columns([3, 7], vertical_alignment="center")
    scenario = control(ctx, row[0])
    if scenario is not None:
        banner(ctx, scenario, row[1])
    return scenario


def chain_summary(scenario: scenarios.Scenario | None, changed: pd.DataFrame | None) -> str:
    """What the Präventionskette's summary adds with a scenario (Markdown): how many cells change their status."""
    if scenario is None or changed is None:
        return ""
    n = int(changed.to_numpy().sum())
    if not n:
        return " Mit dem Szenario ändert keine Zelle ihren Status."
    return f" Mit dem Szenario ändern **{number(n)} {'Zelle' if n == 1 else 'Zellen'}** ihren Status (vorher → nachher, violett)."


def cell_changes(ctx: Context, scenario: scenarios.Scenario, level: str, dimension: str, area_key: str, category: str) -> None:
    """Under a selected Präventionskette cell: what the scenario changes there; the list below stays the published."""
    changes = scenario_views.cell_changes(ctx, scenario, level, dimension, area_key, category)
    if changes.empty:
        st.caption("Das Szenario ändert in dieser Zelle kein Angebot. Darunter: die veröffentlichten Angebote.")
        return
    st.markdown("**Änderungen des Szenarios in dieser Zelle**")
    st.dataframe(changes, hide_index=True, width="stretch", key="lens_cell_changes")
    st.caption("Darunter: die veröffentlichten Angebote der Zelle (ohne das Szenario).")


def supply_before_after(before: gaps.GapView, after: gaps.GapView, category: str) -> None:
    """Bedarf & Versorgung: the areas whose supply of the category the scenario changes, before and after."""
    table = scenario_views.supply_table(before, after, category)
    label = plain(gaps.category_label(after, category))
    if table.empty:
        st.caption(f"Das Szenario ändert die Versorgung für „{label}“ in keinem Gebiet.")
        return
    st.markdown(f"**Vorher/nachher: {label}** (nur Gebiete, deren Versorgung sich ändert)")
    st.dataframe(table, hide_index=True, width="stretch", key="gap_scenario_supply")


def rank_moves(before: gaps.GapView, after: gaps.GapView, categories: list[str] | None) -> None:
    """Bedarf & Versorgung: the gaps the scenario itself moves in the ranking, in the table of the page Szenarien."""
    moves = scenario_views.rank_moves(before, after, categories)
    st.markdown("**Verschiebungen durch das Szenario** (Lücken, deren eigene Rangpunkte sich ändern)")
    if moves.empty:
        st.caption("Das Szenario verschiebt keine Lücke.")
        return
    table = scenario_effects.gap_table(moves, after.words.category_labels, after.level)
    st.dataframe(table, hide_index=True, width="stretch", key="gap_scenario_moves")


def changes_text(ctx: Context, scenario: scenarios.Scenario) -> str:
    """The scenario's changes in one line (plain text): a closed or changed offer by its name and Gemeinde."""
    offers = queries.offers(ctx.db, ctx.kreis_id)
    names = dict(zip(offers["offer_id"], offers["name"].astype(str) + " in " + offers["gemeinde_name"].astype(str)))
    kinds = dict(zip(offers["offer_id"], offers["offer_type"]))
    types = queries.offer_types(ctx.db)
    named = [c if c.name else dataclasses.replace(c, name=names.get(c.offer_id, ""), offer_type=c.offer_type or kinds.get(c.offer_id, ""))
             for c in scenario.changes]  # fmt: skip
    return "; ".join(scenarios.change_text(c, dict(zip(types["offer_type"], types["label"]))) for c in named)


def name_parts(scenario: scenarios.Scenario | None) -> tuple[str, ...]:
    """The start of a download's file name: ('szenario', name) with a scenario, else nothing."""
    return ("szenario", scenario.name) if scenario is not None else ()


def mark(ctx: Context, scenario: scenarios.Scenario | None, export: TableExport, before: gaps.GapView | None = None) -> TableExport:
    """A page's table export computed with the scenario's offers, marked as such in its title and header (never a
    published figure in disguise); without a scenario the export as it is. ``before``: the published gap view –
    the ranking gets the rank without the scenario beside its own."""
    if scenario is None:
        return export
    title = f"{banner_text(scenario)} – {export.title}"
    header = [("Szenario", f"„{scenario.name}“ – nicht veröffentlicht; alle Zahlen mit den Angeboten des Szenarios"),
              ("Änderungen", changes_text(ctx, scenario)), *export.header]  # fmt: skip
    table = export.table
    if before is not None and "Rang" in table and "Schlüssel" in table:
        old = before.ranked.assign(label=before.ranked["category"].map(before.words.category_labels)).set_index(["area_id", "label"])["rank"]
        label_column = table.columns[table.columns.get_loc("Schlüssel") + 1]
        table = table.copy()
        table.insert(1, "Rang ohne Szenario", [old.get((a, c)) for a, c in zip(table["Schlüssel"], table[label_column])])
        gone = old[~old.index.isin(list(zip(table["Schlüssel"], table[label_column])))]
        names = dict(zip(before.ranked["area_id"], before.ranked["name"]))
        if len(gone):
            header.append(("Keine Lücke mehr", "; ".join(f"{names.get(a, a)} – {c} (Rang ohne Szenario {number(r, 0)})" for (a, c), r in gone.items())))
    return dataclasses.replace(export, title=title, header=header, table=table)


def no_downloads(where: DeltaGenerator | None = None) -> None:
    """In place of a page's download panel while a scenario is shown: a switched-off button with the reason."""
    (where or st).button("Herunterladen", disabled=True, icon=":material/download:", help=EXPORT_REASON, key="lens_no_download")
