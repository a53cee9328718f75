"""The Szenarien page's maps: the Kreis's Gemeinden with the scenario's offers (click to place a new one) and the
difference map (after − before per Gemeinde, classes around 0). Rendered once per inputs (``map_component``)."""
from __future__ import annotations

import dataclasses
import functools

import folium
import pandas as pd

from dashboard import map_component, maps
from planning import locations, queries, scenario_effects, scenario_views, scenarios
from planning.accessibility import AccessParams
from planning.classification import Classes
from planning.context import Context
from planning.formatting import number

# symbol, colour and legend text per status: a shape each, so that the difference does not rest on colour alone
STATUS_SYMBOLS = {
    scenarios.NEW: ("+", "#1a9850", "neu"),
    scenarios.CHANGED: ("◆", "#e08214", "geändert (verlegt oder andere Platzzahl)"),
    scenarios.CLOSED: ("✕", "#b2182b", "geschlossen"),
}
PUBLISHED_COLOUR = "#555555"
PER_100, ACCESS = "per_100", "access"
MEASURES = {ACCESS: "Erreichbarkeit (2SFCA)", PER_100: "Plätze je 100 der Zielgruppe"}
CLICK_HINT = "Klick in die Karte setzt den Ort eines neuen Angebots."


@dataclasses.dataclass(frozen=True)
class ScenarioMap:
    """Shared between sessions: never modify."""

    map: map_component.RenderedMap
    legend: str


def scenario_offers(ctx: Context, scenario: scenarios.Scenario, offer_type: str) -> pd.DataFrame:
    """The offers of a type with the scenario's changes, each with its status (closed ones included)."""
    changed = scenario_views.scenario_offers(ctx, scenario)
    return changed[changed["offer_type"] == offer_type].dropna(subset=["lon", "lat"])


def _symbol_row(symbol: str, colour: str, label: str) -> str:
    return (f'<div><span style="display:inline-block;width:1.3em;text-align:center;font-weight:bold;color:{colour}">'
            f"{symbol}</span> {maps.markup_text(label)}</div>")  # fmt: skip


def offers_legend(type_label: str, with_published: bool = True) -> str:
    """The symbols of the scenario's offers; ``with_published``: also the grey dot of unchanged ones (not where the
    published offers are drawn otherwise, e.g. as the Angebotskarte's clusters)."""
    rows = [_symbol_row("●", PUBLISHED_COLOUR, "unverändert")] if with_published else []
    rows += [_symbol_row(symbol, colour, label) for symbol, colour, label in STATUS_SYMBOLS.values()]
    return (f'<div class="pa-legend-points" style="border-top:1px solid #ccc;margin-top:.4em;padding-top:.3em">'
            f"<b>{maps.markup_text(type_label)}</b>{''.join(rows)}</div>")  # fmt: skip


def add_offers(fmap: folium.Map, offers: pd.DataFrame) -> None:
    """Published offers as small grey dots, the scenario's as symbols: + neu, ◆ geändert, ✕ geschlossen."""
    for row in offers.itertuples():
        tip = maps.markup_text(f"{row.name} ({row.status})")
        if row.status == scenarios.PUBLISHED:
            folium.CircleMarker([row.lat, row.lon], radius=3, color=PUBLISHED_COLOUR, weight=1, fill=True, fill_opacity=0.7,
                                tooltip=tip, bubbling_mouse_events=True).add_to(fmap)  # fmt: skip
            continue
        symbol, colour, _ = STATUS_SYMBOLS[row.status]
        icon = folium.DivIcon(
            html=(f'<div class="pa-scenario-{"neu" if row.status == scenarios.NEW else "mark"}" style="width:22px;height:22px;'
                  f"border-radius:50%;background:#fff;border:2px solid {colour};color:{colour};font:bold 15px/18px sans-serif;"
                  f'text-align:center">{symbol}</div>'),
            icon_size=(22, 22), icon_anchor=(11, 11),
        )  # fmt: skip
        folium.Marker([row.lat, row.lon], icon=icon, tooltip=tip).add_to(fmap)


def _gemeinden(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    return queries.area_shapes(ctx.db, ctx.kreis_id, "gemeinde"), queries.area_shapes(ctx.db, ctx.kreis_id, "kreis")


SUGGESTION_COLOUR = "#6a3d9a"


def suggestion_marks(suggestion: locations.Suggestion, scenario: scenarios.Scenario) -> tuple[tuple[int, str, float, float], ...]:
    """The suggested sites as the map marks them: (number as in the table, tooltip text, lon, lat); hashable, so
    the map stays memoised. A site the scenario already holds (taken over) is drawn as its offer, not again."""
    table = locations.sites_table(suggestion)
    if table.empty:
        return ()
    gain_column = table.columns[2]
    taken = {(round(c.lon, 5), round(c.lat, 5)) for c in scenario.changes if c.kind == scenarios.ADD and c.lon is not None}
    return tuple(
        (int(n), f"Vorschlag {n}: {row['Standort']} – {gain_column}: {row[gain_column]}", float(lon), float(lat))
        for (n, row), lon, lat in zip(table.iterrows(), suggestion.sites["lon"], suggestion.sites["lat"])
        if (round(float(lon), 5), round(float(lat), 5)) not in taken
    )


def add_suggestions(fmap: folium.Map, marks: tuple[tuple[int, str, float, float], ...]) -> None:
    """Suggested sites as numbered squares (dashed: not yet part of the scenario)."""
    for number_, tip, lon, lat in marks:
        icon = folium.DivIcon(
            html=(f'<div class="pa-suggestion" style="width:22px;height:22px;background:#fff;border:2px dashed '
                  f'{SUGGESTION_COLOUR};color:{SUGGESTION_COLOUR};font:bold 13px/19px sans-serif;text-align:center">{number_}</div>'),
            icon_size=(22, 22), icon_anchor=(11, 11),
        )  # fmt: skip
        folium.Marker([lat, lon], icon=icon, tooltip=maps.markup_text(tip)).add_to(fmap)


@functools.lru_cache(maxsize=32)
def click_map(
    ctx: Context, scenario: scenarios.Scenario, offer_type: str, type_label: str, suggested: tuple[tuple[int, str, float, float], ...] = ()
) -> ScenarioMap:
    """The Gemeinden in one neutral colour with the offers of the type and the ``suggested`` sites (numbered as in
    the table); a click anywhere returns its place."""
    shapes, outline = _gemeinden(ctx)
    shapes = shapes.assign(value=0.0)
    neutral = Classes(0.0, (float("inf"),), (maps.NEUTRAL_FILL,), ("Gemeinde",))
    extra = offers_legend(type_label)
    if suggested:
        extra += _symbol_row("1", SUGGESTION_COLOUR, "Vorschlag (Nr. wie in der Tabelle; noch nicht im Szenario)")
    legend = maps.legend_html(f"Szenario: {type_label}", "", None, 0, None, CLICK_HINT, extra=extra)
    fmap = maps.choropleth(shapes, outline, value_column="value", tooltip_fields={"name": "Gemeinde"}, classes=neutral,
                           legend=legend, attribution=queries.boundary_attribution(ctx.db, ctx.kreis_id))  # fmt: skip
    add_offers(fmap, scenario_offers(ctx, scenario, offer_type))
    add_suggestions(fmap, suggested)
    return ScenarioMap(map_component.render(fmap), legend)


def difference_frame(comparison: scenarios.Comparison, measure: str) -> pd.Series:
    """after − before per Gemeinde (area_id) of the chosen measure."""
    table = comparison.table.set_index("area_id")
    return table[f"{measure}_after"] - table[f"{measure}_before"]


def measure_unit(comparison: scenarios.Comparison, measure: str) -> str:
    return comparison.unit if measure == ACCESS else "Plätze je 100 Personen der Zielgruppe"


@functools.lru_cache(maxsize=32)
def difference_map(
    ctx: Context, scenario: scenarios.Scenario, offer_type: str, params: AccessParams, measure: str, type_label: str
) -> ScenarioMap:
    """Gemeinden coloured by the change of the measure (classes around 0), with the scenario's offers marked."""
    comparison = scenarios.compare(ctx.db, ctx.kreis_id, scenario, offer_type, "gemeinde", params)
    shapes, outline = _gemeinden(ctx)
    change = difference_frame(comparison, measure)
    shapes = shapes.assign(value=shapes["area_id"].map(change))
    decimals = 2 if measure == ACCESS else 1
    shapes["change_text"] = [("+" if v > 0 else "") + number(v, decimals) if pd.notna(v) else "unbekannt" for v in shapes["value"]]
    classes = scenario_effects.difference_classes(shapes["value"], decimals)
    unit = measure_unit(comparison, measure)
    missing = "unbekannt (keine Zielgruppe oder Platzzahl)" if shapes["value"].isna().any() else None
    legend = maps.legend_html(f"Veränderung: {MEASURES[measure]}", unit, classes, decimals, missing, classes.note,
                              extra=offers_legend(type_label))  # fmt: skip
    fmap = maps.choropleth(shapes, outline, value_column="value", tooltip_fields={"name": "Gemeinde", "change_text": "Veränderung"},
                           classes=classes, legend=legend, attribution=queries.boundary_attribution(ctx.db, ctx.kreis_id))  # fmt: skip
    add_offers(fmap, scenario_offers(ctx, scenario, offer_type))
    return ScenarioMap(map_component.render(fmap), legend)


def new_click(returned: dict | None, seen: object) -> tuple[float, float] | None:
    """The clicked place (lon, lat) when the map reports a click that was not handled yet, else None."""
    clicked = (returned or {}).get("last_clicked")
    if not clicked or clicked == seen:
        return None
    try:
        return float(clicked["lng"]), float(clicked["lat"])
    except (KeyError, TypeError, ValueError):
        return None


# --- the page's controls (Streamlit) ---------------------------------------------------------------------------------

CLICKED = "klick"


def take_click(returned: dict | None) -> None:
    """A new click on the map becomes the place of the next added offer (session keys sz_place, sz_where)."""
    import streamlit as st

    place = new_click(returned, st.session_state.get("sz_click_seen"))
    if place is not None:
        st.session_state["sz_click_seen"] = (returned or {}).get("last_clicked")
        st.session_state["sz_place"] = place
        st.session_state["sz_where"] = CLICKED


def add_offer_form(ctx: Context, scenario: scenarios.Scenario, offer_type: str, type_label: str) -> scenarios.Change | None:
    """The form 'Angebot hinzufügen': at the clicked place or in a Gemeinde, with name and places."""
    import streamlit as st

    from dashboard.markdown import plain

    geometry = queries.gemeinde_geometry(ctx.db, ctx.kreis_id)
    names = dict(zip(geometry["area_id"], geometry["name"]))
    place = st.session_state.get("sz_place")
    clicked_in = names.get(scenarios.gemeinde_at(*place, geometry)) if place else None
    options = ([CLICKED] if place else []) + list(names)
    if st.session_state.get("sz_where") not in options:
        st.session_state.pop("sz_where", None)
    labels = {CLICKED: f"angeklickte Stelle (in {clicked_in})", **names}
    with st.form("sz_add", border=True):
        st.markdown(f"**Angebot hinzufügen:** {plain(type_label)}")
        where, name_field, places = st.columns([3, 3, 1.4])
        chosen = where.selectbox("Ort", options, format_func=labels.get, key="sz_where",
                                 help="Klick in die Karte wählt die Stelle; sonst die Mitte einer Gemeinde.")  # fmt: skip
        name = name_field.text_input("Name", max_chars=80)
        capacity = places.number_input("Plätze (0 = unbekannt)", 0, 2000, 0)
        if not st.form_submit_button("Hinzufügen", icon=":material/add_location:"):
            return None
    lon, lat = place if chosen == CLICKED else scenarios.gemeinde_place(geometry, chosen)
    offer_id = f"neu-{len(scenario.changes) + 1}"
    return scenarios.Change(scenarios.ADD, offer_id, offer_type, name, round(lon, 6), round(lat, 6), capacity or None)


CHANGE_ACTIONS = {scenarios.CLOSE: "schließen", scenarios.MOVE: "verlegen", scenarios.CAPACITY: "Plätze ändern"}


def change_offer_form(ctx: Context, scenario: scenarios.Scenario, offer_type: str) -> scenarios.Change | None:
    """The form 'Angebot ändern': close an offer, move it (to the clicked place or into a Gemeinde) or change its
    places – published offers and those the scenario added alike."""
    import streamlit as st

    choices = scenarios.offer_choices(ctx.db, ctx.kreis_id, offer_type)
    choices |= {c.offer_id: f"{c.name or 'Neues Angebot'} (Szenario)" for c in scenario.changes if c.kind == scenarios.ADD and c.offer_type == offer_type}
    geometry = queries.gemeinde_geometry(ctx.db, ctx.kreis_id)
    names = dict(zip(geometry["area_id"], geometry["name"]))
    place = st.session_state.get("sz_place")
    places = ([CLICKED] if place else []) + list(names)
    place_labels = {CLICKED: f"angeklickte Stelle (in {names.get(scenarios.gemeinde_at(*place, geometry))})" if place else "", **names}
    with st.form("sz_change", border=True):
        st.markdown("**Angebot ändern**")
        which, action, where, capacity = st.columns([3.4, 1.6, 2.6, 1.4])
        offer_id = which.selectbox("Angebot", list(choices), format_func=choices.get)
        kind = action.radio("Änderung", list(CHANGE_ACTIONS), format_func=CHANGE_ACTIONS.get)
        target = where.selectbox("Neuer Ort (verlegen)", places, format_func=place_labels.get,
                                 help="Klick in die Karte wählt eine Stelle; sonst die Mitte einer Gemeinde.")  # fmt: skip
        places_new = capacity.number_input("Plätze (ändern)", 0, 2000, 0)
        if not st.form_submit_button("Übernehmen", icon=":material/edit_location_alt:") or offer_id is None:
            return None
    name = choices[offer_id]
    if kind == scenarios.MOVE:
        lon, lat = place if target == CLICKED else scenarios.gemeinde_place(geometry, target)
        return scenarios.Change(scenarios.MOVE, offer_id, offer_type, name, round(lon, 6), round(lat, 6))
    if kind == scenarios.CAPACITY:
        return scenarios.Change(scenarios.CAPACITY, offer_id, offer_type, name, capacity=float(places_new) or None)
    return scenarios.Change(scenarios.CLOSE, offer_id, offer_type, name)


def manage_buttons(store, ctx: Context, current: scenarios.Scenario, chosen: str, saved: list[str]) -> None:
    """Save (under a new name = copy), rename, delete, start afresh. Saving, renaming and deleting need the action
    ``edit_scenarios`` (config/roles.toml); the store records who did it."""
    import streamlit as st

    from dashboard import auth
    from dashboard.markdown import plain
    from workspace.storage import WorkspaceError

    may_edit = auth.allowed("edit_scenarios")
    refused = None if may_edit else "Ihre Rolle darf Szenarien ausprobieren, aber nicht speichern, umbenennen oder löschen."
    name_col, save_col, rename_col, delete_col, reset_col = st.columns([4, 1.3, 1.5, 1.2, 1.6], vertical_alignment="bottom")
    new_name = name_col.text_input("Name des Szenarios", value=current.name, max_chars=80, key="sz_name").strip()
    try:
        if save_col.button("Speichern", key="sz_save", disabled=not current.changes or not new_name or not may_edit, help=refused):
            actor = auth.require("edit_scenarios", ctx.db.name).actor  # checked again at the moment of the action
            st.session_state["sz_current"] = scenarios.Scenario(new_name, ctx.kreis_id, current.changes, current.note)
            store.save(st.session_state["sz_current"], actor=actor)
            st.success(f"Gespeichert: {plain(new_name)}", icon=":material/save:")
        if rename_col.button("Umbenennen", key="sz_rename", disabled=not chosen or not new_name or new_name == chosen or not may_edit, help=refused):
            actor = auth.require("edit_scenarios", ctx.db.name).actor
            if new_name in saved:
                st.error(f"Ein Szenario „{plain(new_name)}“ gibt es schon.", icon=":material/error:")
            else:
                store.rename(ctx.kreis_id, chosen, new_name, actor=actor)
                st.session_state["sz_current"] = store.load(ctx.kreis_id, new_name)
                del st.session_state["sz_saved"]
                st.rerun()
        if delete_col.button("Löschen", key="sz_delete", disabled=not chosen or not may_edit, help=refused):
            store.delete(ctx.kreis_id, chosen, actor=auth.require("edit_scenarios", ctx.db.name).actor)
            st.session_state.pop("sz_current", None)
            st.rerun()
    except WorkspaceError as exc:  # e.g. someone else took the name a moment ago
        st.error(plain(str(exc)), icon=":material/error:")
    if reset_col.button("Neu beginnen", key="sz_reset"):
        st.session_state.pop("sz_current", None)
        st.rerun()


def unsaved_link_text(name: str) -> str:
    """Why a link with szenario=<name> opened nothing (plain text; the page escapes it)."""
    return (f"Ein Szenario „{name}“ ist für diesen Kreis nicht gespeichert. Ein Link öffnet nur gespeicherte "
            "Szenarien: wer ein Szenario teilen will, speichert es zuerst und kopiert dann den Link.")  # fmt: skip


def is_unsaved(store, current: scenarios.Scenario) -> bool:
    """True when the shown scenario has changes that no saved scenario of that name holds."""
    if not current.changes:
        return False
    return current.name not in store.names(current.kreis_id) or store.load(current.kreis_id, current.name).changes != current.changes


def planning_effects(ctx: Context, scenario: scenarios.Scenario, labels: dict[str, str], social_id: str) -> None:
    """Before/after on the planning views: Präventionskette cells that change status, gap ranking moves."""
    import streamlit as st

    from planning import chain, gaps

    st.markdown("**Präventionskette: Zellen, die ihren Status ändern** (Gemeinden × Angebotsart, Angebote je 1.000 der Zielgruppe)")
    cells = scenario_effects.chain_changes(ctx, scenario, "gemeinde")
    if cells.empty:
        st.caption("Keine Zelle ändert ihren Status.")
    else:
        st.dataframe(scenario_effects.chain_table(cells, labels, "gemeinde"), hide_index=True, width="stretch", key="sz_chain")
    st.caption(f"Regel wie auf der Seite Präventionskette: {chain.rule_text(chain.METRICS['offers_per_1000'], chain.WEAK_SHARE)}")
    st.markdown("**Lückenranking: Verschiebungen** (Gemeinden, deren Rangpunkte sich ändern)")
    moves = scenario_effects.gap_moves(ctx, scenario, "gemeinde", social_id)
    if moves.empty:
        st.caption("Keine Lücke verschiebt sich.")
    else:
        st.dataframe(scenario_effects.gap_table(moves, labels, "gemeinde"), hide_index=True, width="stretch", key="sz_gaps")
    st.caption(f"{gaps.RANK_FORMULA}; Lücke hier nach Angeboten je 1.000 der Zielgruppe (Entfernungen werden für ein "
               "Szenario nicht neu gemessen).")


def export_buttons(ctx: Context, scenario: scenarios.Scenario, offer_type: str, params: AccessParams, social_id: str) -> None:
    """xlsx and CSV of all differences, and the one-page 'Szenario' section of the Kreistag report as PDF; the
    files are made when a button is clicked."""
    import streamlit as st

    from reports import scenario_report, scenario_tables
    from reports.pdf import pdf_document
    from reports.render import MIME

    found = scenario_tables.differences(ctx, scenario, offer_type, params, social_id)
    xlsx, csv = scenario_tables.export_files(found)
    stem = xlsx.name.rsplit(".", 1)[0]
    columns = st.columns(3)
    columns[0].download_button("Alle Unterschiede (.xlsx)", xlsx.data, file_name=xlsx.name, mime=xlsx.mime, key="sz_xlsx",
                               on_click="ignore", icon=":material/download:", width="stretch", help=xlsx.name)  # fmt: skip
    columns[1].download_button("Vorher/nachher (CSV)", csv.data, file_name=csv.name, mime=csv.mime, key="sz_csv",
                               on_click="ignore", icon=":material/download:", width="stretch", help=csv.name)  # fmt: skip
    columns[2].download_button(
        "Kreistag-Abschnitt „Szenario“ (PDF)", lambda: pdf_document(scenario_report.scenario_document(found, ctx.kreis_name, ctx.demo)),
        file_name=f"{stem}.pdf", mime=MIME["pdf"], key="sz_pdf", on_click="ignore", icon=":material/picture_as_pdf:", width="stretch",
        help="Eine Seite für den Kreistagsbericht: Änderungen, vorher/nachher, Präventionskette, Lückenranking.",
    )  # fmt: skip


# --- suggested locations ---------------------------------------------------------------------------------------------

GOAL_HELP = ("MCLP: möglichst viele Menschen der Zielgruppe sollen ein Angebot innerhalb der gewählten Reichweite haben. "
             "p-Median: der mittlere Weg aller zum nächsten Angebot soll möglichst kurz sein – zählt auch, wer von 12 auf "
             "6 km näher rückt, und hängt nicht von der Reichweite ab.")  # fmt: skip
NOTHING_GAINED = {
    locations.MCLP: "Alle Menschen der Zielgruppe leben schon im Umkreis eines Angebots – kein Standort bringt mehr.",
    locations.P_MEDIAN: "Kein Kandidat liegt näher an Menschen der Zielgruppe als ihr nächstes Angebot – kein Standort verkürzt die Wege.",
}

ORDER_TEXT = {
    locations.MCLP: "Reihenfolge der Tabelle: nach dem, was ein Standort allein erreicht; „Neu in Reichweite“ zählt nur, wen "
                    "nicht schon ein Standort weiter oben erreicht – zusammen ergibt das den Gewinn aller Standorte.",
    locations.P_MEDIAN: "Reihenfolge der Tabelle: jeweils der Standort, der den mittleren Weg zu den vorigen am stärksten "
                        "verkürzt; die Verkürzungen zusammen ergeben die aller Standorte. Gibt es noch kein Angebot der Art, "
                        "hat der erste Standort keinen Vergleichswert (–).",
}  # fmt: skip


def show_suggestion(suggestion: locations.Suggestion) -> None:
    """The suggested sites with their gain in the objective's terms, the summary, and how they were found."""
    import streamlit as st

    from dashboard.markdown import plain

    st.caption(plain(locations.summary_text(suggestion)))
    if suggestion.sites.empty:
        st.info(NOTHING_GAINED[suggestion.objective], icon=":material/check_circle:")
    else:
        st.dataframe(locations.sites_table(suggestion), width="stretch", key="sz_sites")  # Nr. = the map's marks
    with st.expander("So entstehen die Vorschläge", icon=":material/calculate:"):
        st.markdown(plain(suggestion.method_text))
        st.caption(f"Kandidaten: Mitte jeder Gemeinde und Schulen (öffentliche Gebäude) aus den Angebotslisten. {ORDER_TEXT[suggestion.objective]}")

