"""Names from a county's files show as written: never as Markdown (issue: an image in a Sozialraum name was fetched
from outside, a URL in a name became a link, a link value rendered a bold phishing text).

The demo is built with a Sozialraum and the Kreis named in Markdown; every page is opened on that area, and every
element Streamlit renders as Markdown (titles, subheaders, markdown, captions, alerts, metric labels) must carry
the name escaped. A browser test shows the same for what Chromium actually renders and requests.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hostile_helpers import build_hostile_db
from page_helpers import open_page
from streamlit.testing.v1 import AppTest

from dashboard import page_registry
from dashboard.markdown import WORD_JOINER
from planning import queries

AREA_NAME = "![x](http://127.0.0.1:9/track.png) **fett** [Klick](http://evil.example/login)"
KREIS_NAME = "Landkreis _Muster_ ![k](http://127.0.0.1:9/k.png)"
KREIS = "99001"
# Markdown that would render: an image or link not preceded by a backslash, bold marks, emphasis at word edges
UNSAFE = re.compile(r"(?<!\\)!(?<!\\)\[|(?<!\\)\]\(http|\*\*fett\*\*|(?<![\\\w])_Muster_")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    db = build_hostile_db(tmp_path_factory.mktemp("markdown"), {AREA_NAME: 1}, kreis_name=KREIS_NAME)
    shapes = queries.area_shapes(queries.Database(str(db), db.stat().st_mtime), KREIS, "sozialraum")
    return db, shapes.loc[shapes["name"] == AREA_NAME, "area_id"].iloc[0]


def _rendered_markdown(at: AppTest) -> list[str]:
    texts = [str(e.value) for kind in ("title", "subheader", "header", "markdown", "caption", "info", "warning", "error", "success")
             for e in getattr(at, kind)]  # fmt: skip
    texts += [m.label for m in at.metric]
    return texts


PAGES = {
    "uebersichtskarte": {"ebene": "sozialraum", "gebiet": "{area}"},
    "indikatoren": {"ebene": "sozialraum"},
    "angebotskarte": {"ebene": "sozialraum", "gebiet": "{area}"},
    "praeventionskette": {"ebene": "sozialraum"},
    "bedarf_versorgung": {"ebene": "sozialraum"},
    "steckbrief": {"ebene": "sozialraum", "gebiet": "{area}"},
    "kreistag": {"ebene": "sozialraum", "gebiete": "{area}"},
    "szenarien": {},
    "ziele": {"feld": "Soziale Lage"},
}


def test_every_page_is_checked() -> None:
    assert set(page_registry.page_ids("Planung")) == set(PAGES)


@pytest.mark.parametrize("page", list(PAGES))
def test_names_are_never_markdown(page: str, hostile, monkeypatch) -> None:
    db, area = hostile
    query = {k: v.format(area=area) for k, v in PAGES[page].items()}
    at = open_page(db.parent, monkeypatch, f"pages/{page}.py", query)
    texts = _rendered_markdown(at)
    unsafe = [t for t in texts if UNSAFE.search(t)]
    assert not unsafe, f"{page}: rendered as Markdown: {unsafe[:3]}"
    if page in ("uebersichtskarte", "angebotskarte", "steckbrief"):
        assert any(r"!\[x\](http:" + WORD_JOINER + "//127.0.0.1:9/track.png)" in t for t in texts), f"{page}: the area's name is shown, escaped"
    assert any("Landkreis \\_Muster\\_" in t for t in texts) or page in ("steckbrief", "kreistag"), f"{page}: Kreis named"
