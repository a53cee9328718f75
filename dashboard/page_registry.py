"""The app's pages as data: which page file, under which title, icon and navigation section.

``dashboard/app.py`` builds ``st.navigation`` from this list (filtered by what the viewer's role may see, see
``dashboard.auth``); tests read it to open every page. The page id is the page file's stem and is also the id
``config/roles.toml`` grants. Order matters: it is the order of the navigation, and the first page is the
default one (served at the root URL, where shared links of the Übersichtskarte point).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent / "pages"
SECTIONS = ("Planung", "Daten", "Verwaltung")


@dataclass(frozen=True)
class PageEntry:
    id: str  # = file stem; the id roles grant
    title: str
    icon: str
    section: str  # one of SECTIONS

    @property
    def file(self) -> Path:
        return PAGES_DIR / f"{self.id}.py"


PAGES: tuple[PageEntry, ...] = (
    PageEntry("uebersichtskarte", "Übersichtskarte", ":material/map:", "Planung"),
    PageEntry("indikatoren", "Indikatoren", ":material/query_stats:", "Planung"),
    PageEntry("angebotskarte", "Angebotskarte", ":material/location_on:", "Planung"),
    PageEntry("praeventionskette", "Präventionskette", ":material/timeline:", "Planung"),
    PageEntry("bedarf_versorgung", "Bedarf & Versorgung", ":material/balance:", "Planung"),
    PageEntry("szenarien", "Szenarien", ":material/alt_route:", "Planung"),
    PageEntry("steckbrief", "Steckbrief", ":material/assignment:", "Planung"),
    PageEntry("kreistag", "Kreistag-Bericht", ":material/picture_as_pdf:", "Planung"),
    PageEntry("ziele", "Ziele & Maßnahmen", ":material/flag:", "Planung"),
    # Daten (owners add their page here when it exists): daten, angebote_pflegen, sozialraeume
    PageEntry("daten", "Daten", ":material/upload_file:", "Daten"),
    PageEntry("angebote_pflegen", "Angebote pflegen", ":material/edit_note:", "Daten"),
    PageEntry("sozialraeume", "Sozialräume zuordnen", ":material/hub:", "Daten"),
    PageEntry("benutzer", "Benutzer & Rechte", ":material/manage_accounts:", "Verwaltung"),
)

DEFAULT_PAGE = PAGES[0].id


def page_ids(section: str | None = None) -> list[str]:
    """Every page id in navigation order (of one section when given)."""
    return [p.id for p in PAGES if section is None or p.section == section]


def page(page_id: str) -> PageEntry:
    """The entry of one page; KeyError for an unknown id."""
    for entry in PAGES:
        if entry.id == page_id:
            return entry
    raise KeyError(page_id)
