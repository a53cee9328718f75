"""The projection of a real county (issue 13 point 5): the shipped Trier-Saarburg build has the 17 age groups per
Gemeinde for 31.12.2015 only, so the Zensus 2011 (09.05.2011) is the earlier base – the rule of the back-cast in
test_projection_backcast_real.py – and the projection says so."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from etl.build import build
from planning import projection as pr
from planning import queries
from planning.db import Database

REPO_ROOT = Path(__file__).resolve().parents[1]
KREIS = "07235"


@pytest.fixture(scope="module")
def trier_saarburg(shared_data, tmp_path_factory) -> Path:
    """The shipped Trier-Saarburg config built as it is (sozialraeume paths made absolute)."""
    shipped = REPO_ROOT / "config" / "07235_trier-saarburg.toml"
    folder = tmp_path_factory.mktemp("projection_real")
    config = folder / shipped.name
    text = shipped.read_text(encoding="utf-8").replace('path = "sozialraeume/', f'path = "{shipped.parent}/sozialraeume/')
    config.write_text(text, encoding="utf-8")
    out = folder / "07235_trier-saarburg.duckdb"
    build([config], out, say=lambda _msg: None)
    return out


def test_trier_saarburg_is_projected_from_the_zensus_2011(trier_saarburg):
    db = Database(str(trier_saarburg), os.path.getmtime(trier_saarburg))
    assert pr.complete_years(pr.county_counts(db, KREIS)) == [2015], "the premise: one complete year"
    started = time.perf_counter()
    projection = pr.county_projection(db, KREIS, years=[2020, 2030])
    print(f"\ncounty_projection Trier-Saarburg: {time.perf_counter() - started:.2f} s")
    assert projection.base == (2011, 2015) and projection.zensus_interval == pytest.approx(4.646, abs=0.001)
    assert "Basis: Zensus 09.05.2011 und Fortschreibung 31.12.2015, Intervall 4,65 Jahre" in projection.method_text
    children = pr.target_group(projection, ["bev_u3"])
    kreis = children[children["area_id"] == KREIS].set_index("year")
    assert list(kreis["kind"]) == [pr.OBSERVED_LABEL, pr.PROJECTION_LABEL, pr.PROJECTION_LABEL]
    gemeinden = queries.area_members(db, KREIS, "verbandsgemeinde")["gemeinde_id"].dropna().unique()
    in_2030 = children[children["year"] == 2030].set_index("area_id")["value"]
    assert set(gemeinden) <= set(in_2030.index) and len(gemeinden) == 104
    assert kreis.loc[2030, "value"] == pytest.approx(in_2030.reindex(gemeinden).sum())
    # plausible, not exact: the Kreis's children under 3 stay within ±40 % of 2015 (3.986) over 15 years
    assert 0.6 < kreis.loc[2030, "value"] / kreis.loc[2015, "value"] < 1.4


def test_places_per_100_in_2030_on_trier_saarburg(trier_saarburg):
    db = Database(str(trier_saarburg), os.path.getmtime(trier_saarburg))
    rows = pr.projected_supply(db, KREIS, "kita", "verbandsgemeinde", 2030)
    assert len(rows) == 6 and (rows["kind"] == pr.PROJECTION_LABEL).all()
    assert rows["target"].notna().all() and (rows["target_low"] == rows["target_high"]).all()


def test_the_page_shows_the_projection_with_the_zensus_base(trier_saarburg, monkeypatch):
    """Bedarf & Versorgung on the shipped Trier-Saarburg build: the section is there, marked, with the Zensus base
    and the back-cast against the Zensus 2022 (the shipped build has no later Kreis age groups)."""
    from page_helpers import open_page

    at = open_page(trier_saarburg.parent, monkeypatch, "pages/bedarf_versorgung.py",
                   {"sicht": "angebotsart", "auswahl": "kita", "ebene": "verbandsgemeinde"})  # fmt: skip
    assert "Vorausschau: Zielgruppe im Jahr 2030" in [s.value for s in at.subheader]
    table = next(t.value for t in at.dataframe if "Zielgruppe 2030 (Projektion)" in t.value.columns)
    assert len(table) == 6 and "Zielgruppe 2015 (gezählt)" in table.columns
    captions = " ".join(c.value for c in at.caption)
    assert "Basis: Zensus 09.05.2011 und Fortschreibung 31.12.2015, Intervall 4,65 Jahre" in captions
    assert "Ohne Spanne" in captions and "Rückrechnung Zensus 2011 + 2015 → Zensus 15.05.2022" in captions


def test_hermeskeils_carried_forward_jump_is_marked(trier_saarburg, monkeypatch):
    """Hermeskeil's population jumped in 2015 (7.122 after 5.811 in 2014): Hamilton–Perry carries that forward, so
    its children under 6 more than double by 2030 while the typical Verbandsgemeinde changes little – the page marks
    it and says why, instead of passing it as a plan figure."""
    from page_helpers import open_page

    from planning import projection_outlook as outlook

    db = Database(str(trier_saarburg), os.path.getmtime(trier_saarburg))
    rows = pr.projected_supply(db, KREIS, "kita", "verbandsgemeinde", 2030)
    flagged = outlook.outliers(rows).dropna()
    assert list(rows.loc[flagged.index, "name"]) == ["Hermeskeil"] and flagged.iloc[0] > 2
    at = open_page(trier_saarburg.parent, monkeypatch, "pages/bedarf_versorgung.py",
                   {"sicht": "angebotsart", "auswahl": "kita", "ebene": "verbandsgemeinde"})  # fmt: skip
    table = next(t.value for t in at.dataframe if "Zielgruppe 2030 (Projektion)" in t.value.columns).set_index("Gebiet")
    assert table.loc["Hermeskeil", "Zielgruppe 2030 (Projektion)"].endswith(outlook.OUTLIER_MARK)
    assert not table.drop(index="Hermeskeil")["Zielgruppe 2030 (Projektion)"].str.contains(outlook.OUTLIER_MARK).any()
    warning = " ".join(w.value for w in at.warning)
    assert "Auffällig – Zielgruppe bis 2030: Hermeskeil ×2,4" in warning and "Erstaufnahmeeinrichtung" in warning
