"""The sidebar: the selection every page shares (database, Kreis, year), and the page start."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, presentation, share
from dashboard.markdown import plain
from planning import queries
from planning.data_quality import data_quality
from planning.context import Context, default_year, default_year_reason

SELECT_CHARS = 26  # what a sidebar select box shows uncut at Streamlit's default sidebar width (measured in Chromium)
_KIND_PREFIXES = ("Landkreis ", "Kreis ", "Stadtkreis ", "Kreisfreie Stadt ")


def short_name(name: str, limit: int = SELECT_CHARS) -> str:
    """A county's name as a select box shows it uncut: 'Landkreis'/'Kreis' in front dropped where the name is too long
    ('Musterland (Demodaten)'), and only then shortened with '…' (the caption under the box has the full name)."""
    if len(name) > limit:
        name = _without_kind(name)
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _without_kind(name: str) -> str:
    return next((name[len(p):] for p in _KIND_PREFIXES if name.startswith(p)), name)


def database_label(db: queries.Database) -> str:
    """The database in the sidebar's select box, short enough to show uncut: its county ('Trier-Saarburg'), two
    counties, or 'n Kreise · <file>'."""
    names = queries.counties(db)["name"].tolist()
    if len(names) == 1:
        return short_name(names[0])
    both = ", ".join(_without_kind(n) for n in names)
    return both if len(names) == 2 and len(both) <= SELECT_CHARS else short_name(f"{len(names)} Kreise · {db.name}")


def database_caption(db: queries.Database) -> str:
    """What the select box may have shortened: every county's full name and the database file."""
    return f"{', '.join(queries.counties(db)['name'])} · Datei {Path(db.path).name}"


@functools.lru_cache(maxsize=32)
def _default_year_reason(db: queries.Database, kreis_id: str) -> str:
    return default_year_reason(queries.indicator_years(db, kreis_id))


def sidebar_params(available: list[queries.Database]) -> list[share.Param]:
    """URL parameters of the sidebar: the database by its file name, Kreis, year and presentation mode."""
    by_name = {db.name: db.path for db in available}
    names = {db.path: db.name for db in available}
    return [
        share.Param("db_path", "db", from_url=by_name.__getitem__, to_url=lambda path: names.get(path, "")),
        share.Param("kreis_id", "kreis"),
        share.Param("year", "jahr", int),
        presentation.PARAM,
    ]


def _keep(key: str, options: list | None = None) -> None:
    """Keep a sidebar choice when the planner moves to another page. Every page draws the sidebar itself, so to
    Streamlit its widgets are new ones there, which would start at their first option (the newest year, not the
    one chosen); handing the value over before the widget is drawn keeps it (where it is still an option)."""
    if key in st.session_state and (options is None or st.session_state[key] in options):
        st.session_state[key] = st.session_state[key]


def render_sidebar() -> Context | None:
    """Sidebar widgets; None when no database exists yet."""
    available = queries.databases()
    st.sidebar.title("Planungsatlas Familie")
    if not available:
        return None
    paths = [db.path for db in available]
    by_path = {db.path: db for db in available}
    share.bind(*sidebar_params(available))
    _keep(presentation.KEY)
    _keep("db_path", paths)
    path = st.sidebar.selectbox("Datenbank", paths, format_func=lambda p: database_label(by_path[p]), key="db_path")
    db = by_path[path]
    st.sidebar.caption(plain(database_caption(db)))
    counties = queries.counties(db)
    _keep("kreis_id", counties["area_id"].tolist())
    kreis_id = st.sidebar.selectbox(
        "Kreis", counties["area_id"].tolist(), format_func=lambda k: short_name(dict(zip(counties["area_id"], counties["name"]))[k]),
        key="kreis_id", disabled=len(counties) == 1,
    )  # fmt: skip
    coverage = queries.indicator_years(db, kreis_id)
    years = sorted(coverage["year"].unique().tolist(), reverse=True)
    if st.session_state.get("year") not in years:
        st.session_state["year"] = default_year(coverage)
    _keep("year", years)
    year = st.sidebar.selectbox(
        "Jahr", years, key="year", help="Stichtag 31.12. bzw. Berichtsjahr der Statistik; gilt für alle Seiten."
    )
    st.sidebar.caption(_default_year_reason(db, kreis_id))
    facts = queries.database_facts(db)
    demo = facts.get("demo") == "true"
    st.sidebar.caption(f"Datenbank erstellt: {facts.get('built_at', '–').replace('T', ' ').removesuffix('+00:00')} UTC")
    _data_quality_panel(db, kreis_id)
    st.sidebar.toggle("Präsentationsmodus", key=presentation.KEY, help="Große Schrift, Karte zuerst, Seitenleiste eingeklappt.")
    share.link_control(st.sidebar)
    return Context(db, kreis_id, dict(zip(counties["area_id"], counties["name"]))[kreis_id], int(year), demo)


def _data_quality_panel(db: queries.Database, kreis_id: str) -> None:
    """The Gebietsstand the statistics stand on, and every finding of the build in a 'Datenqualität' popover."""
    quality = data_quality(db, kreis_id)
    if quality.gebietsstand:
        st.sidebar.caption(plain(quality.gebietsstand))
    # short enough not to be cut beside its icon; the count says whether there is anything to read
    label = f"Datenqualität: {quality.total} Hinweis{'' if quality.total == 1 else 'e'}"
    with st.sidebar.popover(label, icon=":material/fact_check:", width="stretch", help="Hinweise des Datenbank-Aufbaus, je Art gezählt"):
        st.caption("Was der Datenbank-Aufbau bemerkt und übernommen hat – alle Hinweise, je Art gezählt.")
        if quality.total:
            counts = pd.DataFrame({"Art": list(quality.counts), "Anzahl": list(quality.counts.values())})
            st.dataframe(counts, hide_index=True, width="stretch")
            st.dataframe(quality.findings, hide_index=True, width="stretch", height=min(38 + 35 * quality.total, 420),
                         column_config={"Meldung": st.column_config.TextColumn(width="large")})  # fmt: skip


def _use_app_navigation() -> None:
    """Run a page through app.py's ``st.navigation``, also on a fresh server.

    Streamlit remembers per process whether the entry script has a ``pages/`` folder beside it and, until the
    first ``st.navigation`` call, serves such a folder in its old folder navigation: a shared link opened as the
    server's first request would run the page script alone, with a navigation of file names. Leaving that mode
    and rerunning sends the same link (path and query) through app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current_page_id() -> str:
    """The id (file stem) of the page this run executes, as app.py's navigation resolved it."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    run = get_script_run_ctx()
    info = run.pages_manager.get_pages().get(run.page_script_hash) if run else None
    return Path(str(info["script_path"])).stem if info else ""


def page_start() -> auth.Viewer:
    """The start of every page, also of those without the data sidebar (Benutzer & Rechte): app navigation, URL
    state, style, and the viewer's right to the page – a login or a logged refusal stops the run here, before
    anything of the data is drawn."""
    _use_app_navigation()
    share.begin()
    presentation.apply_style()
    return auth.require_page(current_page_id())


def page_context() -> Context:
    """Every page starts here: the viewer's right to the page (login or refusal), the shared sidebar, the demo
    banner, or a clear stop when no database exists.

    Pages call it themselves (rather than the entry script) so that each page also runs on its own,
    e.g. under AppTest, which reruns only the page script after a widget change. It binds the sidebar to the
    URL (``share``); pages bind their own widgets with ``share.bind`` right after.
    """
    viewer = page_start()
    auth.sidebar(viewer)  # at the top of the sidebar: the demo note and who is logged in stay in view
    ctx = render_sidebar()
    if ctx is None:
        st.error(
            f"Keine Datenbank gefunden in `{queries.database_dir()}`. "
            "Mit `bash scripts/start.sh` wird die Demo-Datenbank gebaut, oder: "
            "`python -m etl build --config config/<kreis>.toml --out data/db/<kreis>.duckdb`."
        )
        st.stop()
    if ctx.demo:
        st.warning("**Demodaten** – erfundener Landkreis Musterland, keine amtlichen Zahlen.", icon=":material/science:")
    return ctx
