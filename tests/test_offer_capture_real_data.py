"""Trier-Saarburg's real offer list holds schools only: Kitas, Frühe Hilfen, counselling and senior offers are not
"kein Angebot" but "nicht erfasst" – in the matrix (every level, both dimensions, every metric), the gap ranking,
the exports and on the page (issue 11, item 1). Skipped without ../shared/data."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import chain_view
from etl.build import build
from etl.db import connect
from page_helpers import open_page
from planning import chain, coverage_dimensions, gaps, queries
from planning.context import Context
from reports import coverage_tables

REPO_ROOT = Path(__file__).resolve().parent.parent
KREIS = "07235"


@pytest.fixture(scope="module")
def trier_saarburg(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Context:
    out = tmp_path_factory.mktemp("ts") / "07235_trier-saarburg.duckdb"
    build([REPO_ROOT / "config" / "07235_trier-saarburg.toml"], out, say=lambda _msg: None)
    return Context(queries.Database(str(out), out.stat().st_mtime), KREIS, "Landkreis Trier-Saarburg", 2015, False)


def _absent(ctx: Context, dimension: str) -> set[str]:
    """Categories without a single offer in the whole Kreis, straight from the offers table (not via planning)."""
    with connect(Path(ctx.db.path), read_only=True) as con:
        rows = con.execute(
            """
            SELECT t.offer_type, p.phase_id, count(o.offer_id) > 0 AS held
            FROM offer_types t CROSS JOIN unnest(t.lebensphasen) AS p(phase_id)
            LEFT JOIN offers o ON o.offer_type = t.offer_type AND o.kreis_id = ?
            GROUP BY ALL
            """,
            [KREIS],
        ).fetchall()
    key = 0 if dimension == "angebotsart" else 1
    held = {r[key] for r in rows if r[2]}
    return {r[key] for r in rows} - held


def test_no_cell_of_a_category_absent_from_the_kreis_is_red(trier_saarburg: Context):
    ctx = trier_saarburg
    assert _absent(ctx, "lebensphase") == {"schwangerschaft", "0-3", "3-6", "18-27", "eltern", "65plus"}
    red = chain.STATUS_COLOURS[chain.EMPTY]
    checked = 0
    for level in coverage_dimensions.levels(ctx):
        for dimension in ("lebensphase", "angebotsart"):
            absent = _absent(ctx, dimension)
            for metric in chain.metrics_for(dimension, coverage_dimensions.has_capacity(ctx, dimension)):
                m = chain.build_matrix(ctx, level, dimension, metric)
                cells = m.cells[m.cells["category"].isin(absent)]
                assert len(cells) and set(cells["status"]) == {chain.NOT_CAPTURED}, (level, dimension, metric)
                assert (cells["text"] == chain.NOT_CAPTURED_TEXT).all()
                styler = chain_view.styled(m)
                styler._compute()
                reds = [(r, c) for (r, c), pairs in styler.ctx.items() if ("background-color", red) in pairs]
                assert all(m.row_keys[r] not in absent for r, _ in reds), (level, dimension, metric, "a red cell")
                checked += len(cells)
    assert checked > 500


def test_the_schools_are_captured_and_the_rest_named_with_how_to_load_a_list(trier_saarburg: Context):
    ctx = trier_saarburg
    assert coverage_dimensions.captured(ctx, "angebotsart") == {"grundschule", "weiterfuehrende_schule", "foerderschule"}
    capture = queries.offer_capture(ctx.db, KREIS)
    # the config states what the school list covers; until etl/build.py stores offer_capture the offers tell it
    wired = "offer_capture" in (REPO_ROOT / "etl" / "build.py").read_text(encoding="utf-8")
    assert capture["declared"].all() if wired else not capture["declared"].any()
    m = chain.build_matrix(ctx, "sozialraum", "lebensphase", "offers_per_1000")
    assert m.table.columns.tolist() == ["Lebensphase", chain.KREIS_COLUMN, "Hermeskeil", "Konz", "Ruwer/Schweich/Trier-Land", "Saarburg"]
    assert m.counts()[chain.EMPTY] == 0
    assert "**6 von 9 Lebensphasen nicht erfasst**" in chain.summary_text(m, "sozialraum", "lebensphase", "offers_per_1000")
    hint = chain.capture_hint(m, "lebensphase")
    assert "0 bis 3 Jahre" in hint and "10 bis 14 Jahre: nur Weiterführende Schule, Förderschule" in hint
    assert coverage_dimensions.capture_lines(ctx) == [
        "schools_rheinland-pfalz_trier-saarburg.csv (Stand 2017-03) erfasst: Grundschule, Weiterführende Schule, "
        f"Förderschule ({'laut Konfiguration' if wired else 'Arten mit Angeboten in der Liste'})"
    ]

    view = gaps.build_view(ctx, "sozialraum", "lebensphase", social_id=gaps.NO_SOCIAL)
    assert set(view.not_captured) == {"Schwangerschaft und Geburt", "0 bis 3 Jahre", "3 bis 6 Jahre",
                                      "18 bis 27 Jahre (Übergang Schule – Beruf)", "Eltern und Familie", "65 Jahre und älter"}
    assert not view.without_offers and set(view.ranked["category"]) <= {"6-10", "10-14", "14-18"}

    export = coverage_tables.matrix_export(ctx, "sozialraum", "lebensphase", "offers_per_1000", 0.5, 5, m)
    status = export.table.set_index("Lebensphase")["Bewertung"]
    assert set(status.loc["0 bis 3 Jahre"]) == {"nicht erfasst"} and chain.STATUS_LABELS[chain.EMPTY] not in set(status)


def test_page_on_trier_saarburg(trier_saarburg: Context, monkeypatch: pytest.MonkeyPatch):
    at = open_page(Path(trier_saarburg.db.path).parent, monkeypatch, "pages/praeventionskette.py")
    table = at.dataframe[0].value.set_index("Lebensphase")
    assert set(table.loc["0 bis 3 Jahre"]) == {chain.NOT_CAPTURED_TEXT}
    assert not table.apply(lambda column: column.str.endswith("✕")).any().any(), "nothing red on real school data"
    assert any(i.value.startswith("Nicht erfasst (○, grau): Schwangerschaft und Geburt") for i in at.info)
