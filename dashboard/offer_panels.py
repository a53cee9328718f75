"""The Angebotskarte's panels beside and below the map: offer filters, downloads, the selected area's coverage, the
offers table and the import report (Streamlit widgets; the figures come from ``planning`` and ``reports``)."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import auth, downloads
from dashboard.offer_map import OfferMapView, map_export
from dashboard.markdown import plain
from planning import coverage, queries, scenario_views, scenarios
from planning.accessibility import TWO_STEP, AccessParams
from planning.context import LEVEL_LABELS, Context
from planning.formatting import number
from planning.offers import OfferFilter, filter_choices, offers_table, shown_table
from reports import offer_exports
from reports.render import export_name


FILTER_KEYS = ("offers_types", "offers_phases", "offers_fields", "offers_traeger")


def filter_label() -> str:
    """The label of the filter button: 'Angebote filtern', or how many filters are set ('Filter: 2 aktiv')."""
    active = sum(bool(st.session_state.get(key)) for key in FILTER_KEYS)
    return f"Filter: {active} aktiv" if active else "Angebote filtern"


def offer_filters(ctx: Context, types: pd.DataFrame, phases: pd.DataFrame, where: DeltaGenerator | None = None) -> OfferFilter:
    """Four multiselects (Angebotsart, Lebensphase, Handlungsfeld, Träger) one below the other in ``where``
    (default: the page), each choice with its number of offers. Offers marked "nur intern" are left out for a
    viewer without the right to read internal offers (``OfferFilter.internal``), in the counts as well."""
    internal = auth.allowed("read_internal")
    choices = filter_choices(ctx.db, ctx.kreis_id, internal)
    # widget key, label, what it offers with counts, name of a value
    filters = [
        ("offers_types", "Angebotsart", choices.types, lambda t: types.loc[t, "label"]),
        ("offers_phases", "Lebensphase", choices.phases, lambda p: phases.loc[p, "label"]),
        ("offers_fields", "Handlungsfeld", choices.fields, str),
        ("offers_traeger", "Träger", choices.traeger, str),
    ]
    for key, _, counts, _ in filters:
        if any(v not in counts for v in st.session_state.get(key) or []):  # e.g. from a link made with another list
            st.session_state[key] = [v for v in st.session_state[key] if v in counts]
    chosen = [
        tuple(column.multiselect(
            label, list(counts), format_func=lambda v, name=name, counts=counts: f"{name(v)} ({counts[v]})", key=key, placeholder="alle",
        ))
        for column, (key, label, counts, name) in zip([where or st] * len(filters), filters)
    ]  # fmt: skip
    return OfferFilter(*chosen, internal=internal)


@st.fragment  # choosing width or resolution reruns only the panel
def download_panel(ctx: Context, view: OfferMapView, chosen: OfferFilter, level: str, distance: int, shown: pd.DataFrame) -> None:
    """The map for print (PNG/SVG/PDF) and the offers and the areas' coverage as German CSV."""
    with st.popover("Herunterladen", icon=":material/download:", width="stretch"):
        st.markdown("**Karte**")
        highlight = (st.session_state["offers_area"],) if st.session_state.get("offers_area") else ()
        downloads.figure_buttons(map_export(ctx, view, level, shown, highlight), "offers_map")
        st.markdown("**Tabellen** (CSV: Semikolon, Dezimalkomma)")
        for label, name, title, make in [
            (f"Angebote ({number(len(shown))})", "angebote", f"Angebote – {ctx.kreis_name}", lambda: offer_exports.offers_export(shown)),
            (f"Versorgung der {LEVEL_LABELS[level]}", f"versorgung_{level}", f"{view.title} – {ctx.kreis_name}",
             lambda: offer_exports.level_export(view, level, distance)),
        ]:  # fmt: skip
            st.download_button(
                label, lambda title=title, make=make: offer_exports.german_csv(title, offer_exports.export_header(ctx, view, chosen), make()),
                file_name=export_name(name, ctx.kreis_name, ext="csv"), mime="text/csv", on_click="ignore",
                icon=":material/download:", width="stretch", key=f"offers_csv_{name}",
            )  # fmt: skip


def _clear_selection() -> None:
    st.session_state["offers_area"] = None


def area_panel(
    ctx: Context, level: str, selected: str | None, distance: int, shown: pd.DataFrame, filter_note: str, published_only: bool = False
) -> None:
    """The selected area's coverage per Angebotsart and its offers; without a selection, the Kreis's coverage.
    ``published_only``: a scenario is shown above – the panel says that its figures are the published ones."""
    detail = coverage.area_detail(ctx, level, selected, distance, shown) if selected else None
    if detail is None:
        detail = coverage.area_detail(ctx, "kreis", ctx.kreis_id, distance, shown)
        st.subheader(f"{plain(detail.name)} insgesamt")
    else:
        st.subheader(plain(detail.name))
    facts = " · ".join(f"**{k}:** {plain(v)}" for k, v in detail.facts.items())
    if selected:
        info, clear = st.columns([5, 2], vertical_alignment="center")
        info.markdown(facts)
        clear.button("Auswahl aufheben", key="offers_clear", on_click=_clear_selection, icon=":material/close:")
    else:
        st.markdown(facts)
        st.info("Gebiet in der Karte anklicken, um seine Versorgung zu sehen.", icon=":material/touch_app:")
    st.markdown("**Versorgung je Angebotsart**" + (" – veröffentlichte Daten, ohne das Szenario" if published_only else ""))
    st.dataframe(
        detail.coverage, hide_index=True, width="stretch", height=min(38 + 35 * len(detail.coverage), 390),
        column_config={"Angebotsart": st.column_config.TextColumn(width="large")},
    )  # fmt: skip
    st.caption(
        "Je 1.000 und Versorgungsquote (Kapazität je 100) beziehen sich auf die Zielgruppe der Angebotsart; "
        "Entfernung: bevölkerungsgewichtete Luftlinie zum nächsten Angebot der Art im Kreis; "
        "„nicht erfasst“: keine geladene Angebotsliste enthält die Angebotsart."
    )
    if selected:  # the Kreis's offers are the table below the map
        st.markdown(f"**Angebote im Gebiet ({number(len(detail.offers))}{filter_note})**")
        st.dataframe(
            offers_table(detail.offers)[["Name", "Angebotsart", "Träger", "Kapazität"]], hide_index=True,
            width="stretch", height=min(38 + 35 * max(len(detail.offers), 1), 320),
        )  # fmt: skip


def offer_tables(ctx: Context, view: OfferMapView, chosen: OfferFilter, report: pd.DataFrame, published_only: bool = False) -> None:
    """Tabs below the map: the offers shown, and the import report of the offer lists with its CSV
    (``published_only``: a scenario is shown – the tab says the list is the published one)."""
    table = shown_table(ctx.db, ctx.kreis_id, chosen)
    label = f"Angebote ({'veröffentlicht, ' if published_only else ''}{number(len(table))})"
    offers_tab, report_tab = st.tabs([label, f"Importbericht ({number(len(report))})"])
    with offers_tab:
        st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * max(len(table), 1), 560))
        st.caption(plain(view.attribution.split(" · ", 1)[-1]))
    with report_tab:
        if report.empty:
            st.success("Alle Zeilen der Angebotslisten wurden unverändert geladen.", icon=":material/check_circle:")
            return
        st.markdown(
            "Zeilen der Angebotslisten, die nicht so geladen wurden, wie sie in der Datei stehen – "
            "mit Zeile, Spalte, Problem und was mit ihnen geschah."
        )
        counts = offer_exports.action_counts(report)
        for column, (action, n) in zip(st.columns(len(counts)), counts.items()):
            column.metric(action, number(n))
        st.dataframe(
            offer_exports.report_table(ctx.db, ctx.kreis_id), hide_index=True, width="stretch",
            height=min(38 + 35 * len(report), 420), column_config={"Problem": st.column_config.TextColumn(width="large")},
        )  # fmt: skip
        st.download_button(
            "Importbericht als CSV", data=lambda: offer_exports.import_report_csv(report, ctx.kreis_name),
            file_name=f"importbericht_angebote_{ctx.kreis_id}.csv", mime="text/csv", on_click="ignore",
            icon=":material/download:", key="offers_report_csv",
        )  # fmt: skip


def scenario_panel(ctx: Context, scenario: scenarios.Scenario, distance_m: int) -> None:
    """Before/after per Gemeinde for every Angebotsart the scenario changes: offers, places per 100 of the target
    group, capacity-weighted accessibility (2SFCA, catchment = the chosen Umkreis) and the share of the target group
    within it – the figures of the page Szenarien."""
    types = queries.offer_types(ctx.db)
    params = AccessParams(TWO_STEP, float(distance_m))
    st.subheader("Vorher/nachher im Szenario")
    changed = scenario_views.changed_types(ctx, scenario)
    if not changed:
        st.caption("Das Szenario ändert kein Angebot.")
    for offer_type in changed:
        comparison = scenarios.compare(ctx.db, ctx.kreis_id, scenario, offer_type, "gemeinde", params)
        st.markdown(f"**{plain(types.loc[offer_type, 'label'])}** (nur Gemeinden, die sich ändern)")
        st.dataframe(scenarios.comparison_table(comparison), hide_index=True, width="stretch", key=f"offers_scenario_{offer_type}")
        st.caption(plain(f"Erreichbarkeit: {comparison.unit} im Einzugsbereich von {coverage.distance_text(distance_m)} "
                         f"(Luftlinie). {comparison.method_text}"))  # fmt: skip
