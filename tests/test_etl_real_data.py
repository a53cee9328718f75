"""The ETL against the real official files in ../shared/data (BKG VG5000, Regionalstatistik, IT.NRW, Zensus 2022).

Every test uses the `shared_data` fixture, so a checkout without the data folder skips them cleanly.
Expected figures come from the files' PROVENANCE.md and README.md, not from the ETL itself.
"""
from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from etl.build import build
from etl.catalogue import load_catalogue
from etl.config import load_config
from etl.db import connect
from etl.sources.bkg import read_boundaries
from etl.sources.genesis import GenesisTable, read_genesis
from etl.territory import load_crosswalk

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
CONFIGS = {
    "07235": "07235_trier-saarburg.toml",
    "05358": "05358_dueren.toml",
    "06636": "06636_werra-meissner.toml",
    "05970": "05970_siegen-wittgenstein.toml",
}
VG5000 = "geo/bkg-vg5000-2021/vg5000_01-01.gk3.shape.ebenen.zip"
POPULATION = "statistics/population_regionalstatistik"
GUTSBEZIRK = "06636200"  # Gutsbezirk Kaufunger Wald: unpopulated gemeindefreies Gebiet in Werra-Meißner

# (Gemeinden, Verbandsgemeinden) per county in VG5000 2021
BOUNDARIES = {
    "07235": (104, {"Hermeskeil", "Konz", "Ruwer", "Schweich an der Römischen Weinstraße", "Trier-Land", "Saarburg-Kell"}),
    "05358": (15, set()),
    "06636": (17, set()),
    "05970": (11, set()),
}
REGIONALSTATISTIK = "© Statistische Ämter des Bundes und der Länder, Deutschland"
# table -> (encoding, 'Stand' from the footer, attribution); flat files have no footer: publisher's default attribution
TABLE_FACTS = {
    "12411-02-03-5": ("utf-8", "10.10.2017 / 18:42:14", f"{REGIONALSTATISTIK}, 2017"),
    "12411-01-01-5": ("utf-8", "10.10.2017 / 11:01:03", f"{REGIONALSTATISTIK}, 2017"),
    "12411-15i": ("latin-1", "19.01.2026 / 13:58:12", "© IT.NRW, Düsseldorf, 2026"),
    "1000A-0000": ("utf-8-sig", None, "© Statistische Ämter des Bundes und der Länder, Zensus 2022"),
    "12411-01-01-4-flat": ("utf-8-sig", None, REGIONALSTATISTIK),
    "12411-04-02-4": ("utf-8", "10.10.2017 / 15:05:29", f"{REGIONALSTATISTIK}, 2017"),
    "12411-09i": ("latin-1", "16.02.2026 / 12:15:28", "© IT.NRW, Düsseldorf, 2026"),
    "12411-02-03-4": ("latin-1", "18.12.2025 / 12:13:08", f"{REGIONALSTATISTIK}, 2025"),  # the 2023 IT.NRW download
    "12111-02-01-5": ("utf-8", "10.10.2017 / 17:53:40", f"{REGIONALSTATISTIK}, 2017"),
    "12711-01-03-5": ("utf-8", "10.10.2017 / 13:00:29", f"{REGIONALSTATISTIK}, 2017"),
    "12612-01-01-4": ("utf-8", "10.10.2017 / 12:03:08", f"{REGIONALSTATISTIK}, 2017"),
    "12612-02-01-4": ("utf-8", "10.10.2017 / 10:53:53", f"{REGIONALSTATISTIK}, 2017"),
    "12111-32-01-4": ("utf-8", "10.10.2017 / 14:13:15", f"{REGIONALSTATISTIK}, 2017"),
    "22811-02-02-4": ("utf-8", "10.10.2017 / 14:42:58", f"{REGIONALSTATISTIK}, 2017"),
    "22811-01-01-4": ("utf-8", "10.10.2017 / 15:27:32", f"{REGIONALSTATISTIK}, 2017"),
    "22121-01-03-4": ("utf-8", "10.10.2017 / 12:46:24", f"{REGIONALSTATISTIK}, 2017"),
    "22811-05i": ("latin-1", "02.01.2026 / 19:06:32", "© IT.NRW, Düsseldorf, 2026"),
    "22811-01i": ("latin-1", "18.12.2025 / 14:36:32", "© IT.NRW, Düsseldorf, 2025"),
    "13211-01-03-5": ("utf-8", "10.10.2017 / 14:10:42", f"{REGIONALSTATISTIK}, 2017"),
    "13211-02-05-4": ("utf-8", "10.10.2017 / 19:20:37", f"{REGIONALSTATISTIK}, 2017"),
    "22541-01-04-4": ("utf-8", "10.10.2017 / 10:46:26", f"{REGIONALSTATISTIK}, 2017"),
    "22543-01-01-4": ("utf-8", "10.10.2017 / 18:21:55", f"{REGIONALSTATISTIK}, 2017"),
    "22543-01-02-4": ("utf-8", "10.10.2017 / 17:33:29", f"{REGIONALSTATISTIK}, 2017"),
    "22517-02i": ("latin-1", "19.01.2026 / 21:12:47", "© IT.NRW, Düsseldorf, 2026"),  # the first configured file: 2024
    **{
        table: ("utf-8", stand, f"{REGIONALSTATISTIK}, 2017")
        for table, stand in {
            "AI-S-03": "10.10.2017 / 13:34:48", "AI-S-05": "10.10.2017 / 12:37:50", "AI-S-01": "10.10.2017 / 14:30:52",
            "AI-N-07": "10.10.2017 / 17:14:19", "AI-N-04": "10.10.2017 / 19:05:05", "AI002-1": "10.10.2017 / 19:04:48",
            "AI003-3": "10.10.2017 / 16:11:23", "AI003-1": "10.10.2017 / 17:14:40", "AI-N-05": "10.10.2017 / 18:09:47",
            "AI-Z-2011": "10.10.2017 / 12:29:46", "AI-Z3-2011": "10.10.2017 / 10:33:07",
        }.items()
    },
}
TABLES_WITH_GEMEINDE_AND_KREIS_ROWS = ("12411-02-03-5", "12411-01-01-5", "12411-15i")
# national files with Land rows (the Zensus 2022 flat file has Gemeinden and Germany only) and with Germany's row
# (IT.NRW's all-NRW files end at the Land)
LAND_ROWS = {"12411-02-03-5", "12411-01-01-5", "22811-02-02-4", "13211-01-03-5", "12411-15i", "22811-05i", "22811-01i"}
BUND_ROWS = {"12411-02-03-5", "12411-01-01-5", "22811-02-02-4", "13211-01-03-5", "1000A-0000"}
ZENSUS_2022_SUMS = {"07235": 147_805, "05358": 275_392, "06636": 98_421, "05970": 273_746}  # PROVENANCE.md
KREIS_TOTAL_2015 = {"07235": 147_999, "05358": 262_828, "06636": 100_715, "05970": 280_800}  # PROVENANCE.md
# docs/SCHEMA.md, observations.status
STATUSES = {"ok", "zero", "unknown", "locked", "unreliable", "pending", "incomplete", "suppressed"}
MISSING = STATUSES - {"ok", "zero"}
MEASURE_TOLERANCE = 0.05  # areas in km² are published with 2 decimals; sums of rounded parts may differ by a few 0.01


@cache
def county_config(kreis: str):
    return load_config(CONFIG_DIR / CONFIGS[kreis])


def _statistics_params(tables=None) -> list:
    """(kreis, table) for every statistics entry of every real county config."""
    return [
        pytest.param(kreis, entry.table, id=f"{kreis}-{entry.table}")
        for kreis in CONFIGS
        for entry in county_config(kreis).statistics
        if tables is None or entry.table in tables
    ]


def _entry(kreis: str, table: str):
    return next(e for e in county_config(kreis).statistics if e.table == table)


@cache
def _read_table(kreis: str, table: str) -> GenesisTable:
    entry = _entry(kreis, table)
    return read_genesis(entry.path, table, kreis, entry.encoding)


@cache
def _read_boundaries(data_root: Path, kreis: str):
    return read_boundaries(data_root / VG5000, kreis)


@pytest.fixture
def genesis(shared_data):
    return _read_table


@pytest.fixture
def boundaries(shared_data):
    return lambda kreis: _read_boundaries(shared_data, kreis)


# --- BKG VG5000 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kreis", CONFIGS)
def test_boundaries_have_the_counties_gemeinden_and_verbaende(boundaries, kreis):
    n_gemeinden, verband_names = BOUNDARIES[kreis]
    b = boundaries(kreis)
    assert len(b.gemeinden) == n_gemeinden
    assert set(b.verbaende["name"]) == verband_names
    assert b.gemeinden["area_id"].is_unique
    assert b.gemeinden["area_id"].str.fullmatch(rf"{kreis}\d{{3}}").all()
    for frame in (b.gemeinden, b.verbaende, b.kreis):
        assert frame.crs.to_epsg() == 25832
    assert list(b.kreis["area_id"]) == [kreis]


def test_werra_meissner_includes_gutsbezirk_kaufunger_wald(boundaries):
    gemeinden = boundaries("06636").gemeinden.set_index("area_id")
    assert gemeinden.loc[GUTSBEZIRK, "name"] == "Gutsbezirk Kaufunger Wald"


def test_trier_saarburg_area_and_the_hole_of_the_city_of_trier(boundaries):
    b = boundaries("07235")
    assert b.gemeinden.area.sum() / 1e6 == pytest.approx(1105, rel=0.02)
    kreis = b.kreis.geometry.iloc[0]
    trier = boundaries("07211").kreis.geometry.iloc[0].centroid  # kreisfreie Stadt Trier
    assert not kreis.contains(trier), "the city of Trier is not part of Trier-Saarburg"
    assert kreis.convex_hull.contains(trier), "… but lies inside it: a hole, not a neighbour"
    assert kreis.geom_type == "Polygon" and len(kreis.interiors) == 1
    assert not b.gemeinden.union_all().contains(trier)


# --- GENESIS reader -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kreis", "table"), _statistics_params())
def test_genesis_reads_encoding_footer_and_only_the_county(genesis, boundaries, kreis, table):
    result = genesis(kreis, table)
    encoding, stand, attribution = TABLE_FACTS[table]
    assert (result.encoding, result.stand, result.attribution) == (encoding, stand, attribution)
    records = result.records
    assert not records.empty
    assert set(records["level"]) <= {"gemeinde", "verband", "kreis", "jugendamt", "land", "bund"}
    land = records["level"] == "land"  # national files (full_original) also give the Kreis's Land …
    assert (records.loc[land, "area_id"] == kreis[:2]).all()
    bund = records["level"] == "bund"  # … and the GENESIS ones Germany's row
    assert (records.loc[bund, "area_id"] == "DG").all()
    national = "full_original" in str(_entry(kreis, table).path)
    assert land.any() == (national and table in LAND_ROWS), "Land rows only from (and in each) national file that prints them"
    assert bund.any() == (national and table in BUND_ROWS), "the DG row only from (and in each) national GENESIS file"
    jugendamt = records["level"] == "jugendamt"  # youth offices: "JH" + AGS or Kreis + 999
    assert records.loc[jugendamt, "area_id"].str.startswith("JH" + kreis).all()
    assert records.loc[~land & ~bund & ~jugendamt, "area_id"].str.startswith(kreis).all()
    gemeinde_ids = set(records.loc[records["level"] == "gemeinde", "area_id"])
    assert gemeinde_ids <= set(boundaries(kreis).gemeinden["area_id"]), "Gemeinde keys are AGS of VG5000"
    assert set(records["status"]) <= STATUSES - {"incomplete"}
    assert records.loc[records["status"] == "ok", "value"].notna().all()


@pytest.mark.parametrize(("kreis", "table"), _statistics_params(TABLES_WITH_GEMEINDE_AND_KREIS_ROWS))
def test_genesis_gemeinde_sums_equal_published_kreis_totals(genesis, kreis, table):
    records = genesis(kreis, table).records
    key = ["indicator_id", "year"]
    published = records[records["level"] == "kreis"].set_index(key)["value"]
    summed = records[records["level"] == "gemeinde"].groupby(key)["value"].sum()
    assert not published.empty
    assert set(published.index) == set(summed.index)
    tolerance = MEASURE_TOLERANCE if table == "12411-15i" else 0  # 12411-15i also has the area in km²
    for (indicator, year), total in published.items():
        assert summed[(indicator, year)] == pytest.approx(total, abs=tolerance), f"{indicator} {year}"


@pytest.mark.parametrize("table", ["12411-02-03-5", "12411-01-01-5"])
def test_genesis_rlp_keys_become_ags_and_verband_rows_are_not_gemeinden(genesis, boundaries, table):
    records = genesis("07235", table).records
    gemeinden = records[records["level"] == "gemeinde"]
    assert set(gemeinden["area_id"]) == set(boundaries("07235").gemeinden["area_id"])  # 10-digit keys → AGS
    verbaende = records[records["level"] == "verband"]
    assert verbaende["area_id"].str.fullmatch(r"07235\d\d").all()
    assert verbaende["name"].str.endswith("Verbandsgem.").all()
    assert verbaende["area_id"].nunique() == 7  # the VGs of 2015 (Kell am See and Saarburg merged in 2019)
    total = records[(records["level"] == "kreis") & (records["indicator_id"] == "bev_insgesamt")].groupby("year")["value"].sum()
    by_year = lambda frame: frame[frame["indicator_id"] == "bev_insgesamt"].groupby("year")["value"].sum()  # noqa: E731
    pd.testing.assert_series_equal(by_year(gemeinden), total)
    pd.testing.assert_series_equal(by_year(verbaende), total)  # the subtotals would count everyone twice


def test_gutsbezirk_keeps_dash_as_zero_and_0_as_value(genesis):
    records = genesis("06636", "12411-01-01-5").records
    gutsbezirk = records[records["area_id"] == GUTSBEZIRK].set_index(["indicator_id", "year"])
    assert len(gutsbezirk) == 3 * 8  # Insgesamt/männlich/weiblich × 2008–2015
    in_2015 = gutsbezirk.xs(2015, level="year")
    assert (in_2015["status"] == "zero").all() and (in_2015["value"] == 0.0).all()  # '-' in the file
    earlier = gutsbezirk[gutsbezirk.index.get_level_values("year") < 2015]
    assert (earlier["status"] == "ok").all() and (earlier["value"] == 0).all()  # '0' in the file


@pytest.mark.parametrize("kreis", CONFIGS)
def test_zensus_2022_sums_per_county(genesis, kreis):
    table = genesis(kreis, "1000A-0000")
    records = table.records
    gemeinden = records[records["level"] == "gemeinde"]
    assert set(records["level"]) == {"gemeinde", "bund"}  # 12-digit ARS → AGS; the table has no Kreis or Land rows
    assert gemeinden["value"].sum() == ZENSUS_2022_SUMS[kreis]
    with table.file.open(encoding="utf-8-sig", newline="") as handle:  # Germany's row, read straight from the file
        germany = [row for row in csv.DictReader(handle, delimiter=";") if row["1_variable_attribute_code"] == "DG"]
    assert len(germany) == 1 and germany[0]["value_variable_code"] == "PRS001"
    assert records.loc[records["level"] == "bund", "value"].tolist() == [float(germany[0]["value"])]


# --- full builds ------------------------------------------------------------------------------------------------

BUILDS = {**{kreis: [kreis] for kreis in CONFIGS}, "all": list(CONFIGS)}
AREAS_PER_LEVEL = {  # each build also holds its Land and Germany (reference values from the national files' rows)
    "07235": {"gemeinde": 104, "verbandsgemeinde": 6, "sozialraum": 4, "kreis": 1, "land": 1, "bund": 1},
    "05358": {"gemeinde": 15, "kreis": 1, "land": 1, "bund": 1, "jugendamt": 2},  # Jugendamt Düren (town) and Kreisjugendamt
    "06636": {"gemeinde": 17, "kreis": 1, "land": 1, "bund": 1},
    "05970": {"gemeinde": 11, "kreis": 1, "land": 1, "bund": 1, "jugendamt": 2},
    "all": {"gemeinde": 147, "verbandsgemeinde": 6, "sozialraum": 4, "kreis": 4, "land": 3, "bund": 1, "jugendamt": 4},
}


@pytest.fixture(scope="module")
def built(shared_data, tmp_path_factory):
    """One database per real county config and one of all four; built on first use."""
    paths: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in paths:
            out = tmp_path_factory.mktemp("real") / f"{name}.duckdb"
            build([CONFIG_DIR / CONFIGS[k] for k in BUILDS[name]], out, say=lambda _msg: None)
            paths[name] = out
        return paths[name]

    return get


def _query(db: Path, sql: str, *params) -> pd.DataFrame:
    con = connect(db, read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def _values(db: Path, indicator: str, year: int, level: str) -> pd.Series:
    """value per area_id of one indicator/year on one level."""
    frame = _query(
        db,
        "SELECT o.area_id, o.value FROM observations o JOIN areas a USING (area_id) "
        "WHERE o.indicator_id = ? AND o.year = ? AND a.level = ?",
        indicator, year, level,
    )  # fmt: skip
    return frame.set_index("area_id")["value"]


@pytest.mark.parametrize("name", BUILDS)
def test_build_areas_per_level(built, name):
    counts = _query(built(name), "SELECT level, count(*) AS n FROM areas GROUP BY level")
    assert dict(zip(counts["level"], counts["n"])) == AREAS_PER_LEVEL[name]


# Warnings the real data cause and that are reviewed (a Gemeinde sum the ETL keeps differs from a printed Kreis row):
GENUINE_WARNINGS = (
    # 13211-01-03-5, footnote: "Die arithmetische Summierung der ausgewiesenen Gemeindeergebnisse kann in Einzelfällen
    # leicht von den Kreisergebnissen abweichen."
    r"^\[\d{5}\] .+ 2016, (Arbeitslose|Langzeitarbeitslose|Schwerbehinderte Arbeitslose)[^:]*: Summe der Gemeinden",
    # 22811-05i: IT.NRW rounds SGB XII and AsylbLG counts to multiples of 5 (secrecy), and the total includes them
    r"^\[05(358|970)\] .+ 2024, (Empfänger von Mindestsicherungsleistungen|Hilfe zum Lebensunterhalt außerhalb von "
    r"Einrichtungen \(SGB XII\)|Grundsicherung [^:]+|Regelleistungen nach dem Asylbewerberleistungsgesetz): Summe der Gemeinden",
    # 12111-02-01-5: Trittenheim (in the Kreis since after the Zensus day) is listed, but not in the Kreis row of 09.05.2011
    r"^\[07235\] Landkreis Trier-Saarburg 2011, [^:]+ laut Zensus 2011: Summe der Gemeinden",
    # Issue 10, at Gebietsstand 31.12.2020 (BBSR Umsteigeschlüssel): Trittenheim belonged to Bernkastel-Wittlich (07231)
    # until 2012, and the 4-county extracts have no row of 07231. Trier-Saarburg's values of those years are incomplete,
    # its published rates of those years (of a smaller territory) are left out, a table of such rates only keeps
    # nothing, and the '-' under Trittenheim's new key before the change is "not applicable".
    r"^\[07235\] [^:]+_4kreise\.csv\): Werte auf dem Gebietsstand der Grenzdaten unvollständig, weil die Datei den Kreis eines Teilgebiets .*Teil aus 07231",
    r"^\[07235\] [^:]+: veröffentlichte Quoten umgerechneter Gebiete nicht übernommen .*für 07235$",
    r"^\[07235\] [^:]+: nach der Umrechnung auf Gebietsstand 31\.12\.2020 bleibt kein Wert",
    r"^\[07235\] 12411-01-01-5 [^:]+: '-' für Gebiete, die es im Jahr unter diesem Schlüssel nicht gab .*: "
    r"Trittenheim \(07231207\) 2012–2015, Trittenheim \(07235207\) 2008–2010$",
    # The national files (full_original) do have the rows of 07231: Trittenheim's figures of 2008–2011 and
    # Bernkastel-Wittlich's share of the Kreis rows are converted instead, and the rows under Trittenheim's old key
    # after the change ('-' in 2012–2015, '.' in 2016) are "not applicable".
    r"^\[07235\] (12411-01-01-5|22811-02-02-4) \([^)]+_00\.csv\): 1 (Gemeinde|Kreis) auf den Gebietsstand der Grenzdaten umgerechnet "
    r"\(BBSR-Umsteigeschlüssel\): (Trittenheim \(07235207\) ← Trittenheim \(07231207\)|Trier-Saarburg \(07235\) ← Bernkastel-Wittlich, Landkreis \(07231, Anteile\))",
    r"^\[07235\] 12411-02-03-5 [^:]+: '-' für Gebiete, die es im Jahr unter diesem Schlüssel nicht gab .*: Trittenheim \(07231207\) 2015$",
    r"^\[07235\] 13211-01-03-5 [^:]+: Zeichen ohne Wert \('\.', 'x'\) für Schlüssel, die es im Jahr nicht mehr .*: Trittenheim \(07231207\) 2016$",
)


@pytest.mark.parametrize("name", BUILDS)
def test_build_statuses_values_and_no_warnings(built, name):
    db = built(name)
    statuses = _query(db, "SELECT status, count(*) FILTER (WHERE value IS NULL) AS nulls, count(*) AS n FROM observations GROUP BY status")
    statuses = statuses.set_index("status")
    assert set(statuses.index) <= STATUSES
    assert statuses.loc["ok", "nulls"] == 0, "no value NULL with status ok"
    for status in set(statuses.index) & MISSING:
        assert statuses.loc[status, "nulls"] == statuses.loc[status, "n"], f"{status} must have value NULL"
    zeros = _query(db, "SELECT DISTINCT value FROM observations WHERE status = 'zero'")
    assert list(zeros["value"]) in ([], [0.0])
    warnings = _query(db, "SELECT message FROM build_log WHERE kind = 'warning'")
    unexplained = [m for m in warnings["message"] if not any(re.search(p, m) for p in GENUINE_WARNINGS)]
    assert not unexplained, unexplained


@cache
def _changed_kreis_years(data_root: Path) -> set[tuple[str, int]]:
    """(Kreis, year) whose territory differs from that of 31.12.2020 per BBSR's Kreis Umsteigeschlüssel."""
    links = load_crosswalk(data_root).kreis
    same = (links["old"] == links["new"]) & (links["pop"] >= 0.9995)
    parts = links.groupby(["year", "new"])["old"].transform("size")
    received = links[(parts > 1) | ~same]
    gave = links[links["old"] != links["new"]]
    return set(zip(received["new"], received["year"].astype(int))) | set(zip(gave["old"], gave["year"].astype(int)))


@pytest.mark.parametrize("name", BUILDS)
def test_build_kreis_values_equal_published_kreis_totals(built, shared_data, name):
    db = built(name)
    changed = _changed_kreis_years(shared_data)
    kreis_values = _query(db, "SELECT area_id, indicator_id, year, value, status, derivation, s.file FROM observations "
                              "LEFT JOIN sources s USING (source_id) WHERE area_id IN (SELECT area_id FROM areas WHERE level = 'kreis')")
    kreis_values = kreis_values.set_index(["area_id", "indicator_id", "year"])
    warnings = " | ".join(_query(db, "SELECT message FROM build_log WHERE kind = 'warning'")["message"])
    labels = load_catalogue()["label"]
    checked = 0
    for kreis in BUILDS[name]:
        for entry in county_config(kreis).statistics:
            records = _read_table(kreis, entry.table).records
            for row in records[records["level"] == "kreis"].itertuples():
                key = (row.area_id, row.indicator_id, row.year)
                if (row.area_id, row.year) in changed:
                    # issue 10: a total printed for that year's territory is no value at today's boundaries: the Kreis
                    # holds the sum of the converted Gemeinden, or is incomplete where the file lacks a part; a
                    # published rate of it is left out
                    # – or, read from a national file that has the part's Kreis row too, the Kreis rows converted
                    if key in kreis_values.index:
                        stored = kreis_values.loc[key]
                        assert stored["status"] == "incomplete" or stored["derivation"] in ("sum", "derived", "converted"), key
                        if stored["derivation"] == "converted" and stored["status"] == "ok":  # not from an extract
                            assert not str(stored["file"]).endswith("_4kreise.csv"), key
                    continue
                stored = kreis_values.loc[key]
                if f"{row.year}, {labels[row.indicator_id]}: Summe der Gemeinden" in warnings:
                    continue  # the build kept the Gemeinde sum and said so (see GENUINE_WARNINGS)
                assert stored["status"] == row.status, (row.indicator_id, row.year)
                if pd.isna(row.value):  # a marker: no number on either side
                    assert pd.isna(stored["value"]), (entry.table, row.indicator_id, row.year)
                else:
                    assert stored["value"] == pytest.approx(row.value, abs=MEASURE_TOLERANCE), (entry.table, row.indicator_id, row.year)
                checked += 1
        assert kreis_values.loc[(kreis, "bev_insgesamt", 2015), "value"] == KREIS_TOTAL_2015[kreis]
    assert checked > 0





@pytest.mark.parametrize("kreis", CONFIGS)
def test_build_zensus_kreis_values_are_the_sums_of_the_gemeinden(built, kreis):
    assert _values(built(kreis), "bev_zensus2022", 2022, "kreis").to_dict() == {kreis: ZENSUS_2022_SUMS[kreis]}


@pytest.mark.parametrize("kreis", CONFIGS)
def test_single_county_build_equals_its_part_of_the_combined_build(built, kreis):
    sql = "SELECT * EXCLUDE (source_id) FROM observations WHERE area_id IN (SELECT area_id FROM areas WHERE kreis_id = ?) ORDER BY ALL"
    pd.testing.assert_frame_equal(_query(built(kreis), sql, kreis), _query(built("all"), sql, kreis))


# --- Trier-Saarburg: Verbandsgemeinden and Sozialräume ------------------------------------------------------------

# working assumption of ../shared/data/README.md: each Sozialraum is a union of today's Verbandsgemeinden
SOZIALRAUM_OF_VG = {
    "Hermeskeil": "Hermeskeil",
    "Saarburg-Kell": "Saarburg",
    "Konz": "Konz",
    "Ruwer": "Ruwer/Schweich/Trier-Land",
    "Schweich an der Römischen Weinstraße": "Ruwer/Schweich/Trier-Land",
    "Trier-Land": "Ruwer/Schweich/Trier-Land",
}


def _gemeinden(db: Path) -> pd.DataFrame:
    return _query(db, "SELECT area_id, parent_id, sozialraum_id, area_km2 FROM areas WHERE level = 'gemeinde' AND kreis_id = '07235'")


@pytest.mark.parametrize("name", ["07235", "all"])
def test_sozialraeume_are_unions_of_verbandsgemeinden_and_sum_their_gemeinden(built, name):
    db = built(name)
    names = _query(db, "SELECT area_id, name, area_km2 FROM areas WHERE level IN ('sozialraum', 'verbandsgemeinde')").set_index("area_id")
    gemeinden = _gemeinden(db).set_index("area_id")
    assert set(names.loc[names.index.str.contains("-SR"), "name"]) == set(SOZIALRAUM_OF_VG.values())
    assert gemeinden["sozialraum_id"].notna().all()
    assert (gemeinden["sozialraum_id"].map(names["name"]) == gemeinden["parent_id"].map(names["name"]).map(SOZIALRAUM_OF_VG)).all()
    area = gemeinden.groupby("sozialraum_id")["area_km2"].sum()
    pd.testing.assert_series_equal(names.loc[area.index, "area_km2"], area, check_names=False)
    population = _values(db, "bev_insgesamt", 2015, "gemeinde")
    expected = population.groupby(gemeinden["sozialraum_id"]).sum()
    pd.testing.assert_series_equal(_values(db, "bev_insgesamt", 2015, "sozialraum").sort_index(), expected.sort_index(), check_names=False)


@pytest.mark.parametrize(
    ("indicator", "numerator", "denominator"),
    [
        ("anteil_u6", ["bev_u3", "bev_3_6"], ["bev_insgesamt"]),
        ("altenquotient", ["bev_65_75", "bev_75plus"], [f"bev_{a}_{a + 5}" for a in range(20, 65, 5)]),
    ],
)
def test_sozialraum_rates_come_from_summed_counts_not_mean_rates(built, indicator, numerator, denominator):
    db = built("07235")
    membership = _gemeinden(db).set_index("area_id")["sozialraum_id"]
    summed = lambda ids: sum(_values(db, i, 2015, "gemeinde") for i in ids).groupby(membership).sum()  # noqa: E731
    expected = 100 * summed(numerator) / summed(denominator)
    stored = _values(db, indicator, 2015, "sozialraum")
    pd.testing.assert_series_equal(stored.sort_index(), expected.sort_index(), check_names=False)
    mean_of_rates = _values(db, indicator, 2015, "gemeinde").groupby(membership).mean()
    assert ((stored - mean_of_rates).abs() > 0.01).all(), "a plain mean of Gemeinde rates is not the Sozialraum rate"


def test_verbandsgemeinde_sums_equal_published_vg_subtotals(built, genesis):
    records = genesis("07235", "12411-02-03-5").records
    subtotals = records[(records["level"] == "verband") & (records["indicator_id"] == "bev_insgesamt")]
    published = dict(zip(subtotals["name"].str.strip().str.removesuffix(", Verbandsgem."), subtotals["value"]))
    published["Saarburg-Kell"] = published.pop("Saarburg") + published.pop("Kell am See")  # merged 2019
    db = built("07235")
    names = _query(db, "SELECT area_id, name FROM areas WHERE level = 'verbandsgemeinde'").set_index("area_id")["name"]
    assert _values(db, "bev_insgesamt", 2015, "verbandsgemeinde").rename(index=names).to_dict() == published


# --- markers survive the whole build ------------------------------------------------------------------------------

# cell written into the 31.12.2015 "Insgesamt" column of one Düren Gemeinde each -> (status, value, flag)
MARKER_CELLS = {
    ".": ("unknown", None, None),
    "x": ("locked", None, None),
    "/": ("unreliable", None, None),
    "...": ("pending", None, None),
    "-": ("zero", 0.0, None),
    "12p": ("ok", 12.0, "p"),
}
N_MISSING = sum(status in MISSING for status, _, _ in MARKER_CELLS.values())


def _write_marked_table(source: Path, target: Path, keep_kreis_row: bool) -> dict[str, str]:
    """Copy of the real 12411-01-01-5 extract with markers in some Düren Gemeinden; returns AGS -> cell."""
    lines = source.read_text(encoding="utf-8").split("\n")
    assert lines[7].split(";")[2] == "Insgesamt" and lines[6].split(";")[2] == "31.12.2015"
    dueren = [i for i, line in enumerate(lines) if line.startswith("05358") and len(line.split(";")[0]) == 8]
    marked = {}
    for i, cell in zip(dueren, MARKER_CELLS):
        fields = next(csv.reader([lines[i]], delimiter=";"))
        fields[2] = cell
        lines[i] = ";".join(fields)
        marked[fields[0]] = cell
    if not keep_kreis_row:
        lines = [line for line in lines if not line.startswith("05358;")]
    target.write_text("\n".join(lines), encoding="utf-8")
    return marked


def _dueren_config(repo_root: Path, shared_data: Path, folder: Path, statistics_file: str) -> Path:
    """config/05358_dueren.toml with data_root = folder, the real boundaries and only one statistics file."""
    head = (repo_root / "config" / "05358_dueren.toml").read_text(encoding="utf-8").split("[[statistics]]")[0]
    replacements = {'data_root = "shared"': f'data_root = "{folder}"', f'path = "{VG5000}"': f'path = "{shared_data / VG5000}"'}
    for old, new in replacements.items():
        assert head.count(old) == 1, old
        head = head.replace(old, new)
    config = folder / "05358_markers.toml"
    config.write_text(head + f'[[statistics]]\ntable = "12411-01-01-5"\npath = "{statistics_file}"\n', encoding="utf-8")
    return config


@pytest.mark.parametrize("keep_kreis_row", [False, True], ids=["without-kreis-row", "with-kreis-row"])
def test_markers_survive_reader_and_build(shared_data, repo_root, tmp_path, keep_kreis_row):
    marked = _write_marked_table(shared_data / POPULATION / "12411-01-01-5_00_4kreise.csv", tmp_path / "marked.csv", keep_kreis_row)
    config = _dueren_config(repo_root, shared_data, tmp_path, "marked.csv")
    assert load_config(config).statistics[0].path == tmp_path / "marked.csv"

    records = read_genesis(tmp_path / "marked.csv", "12411-01-01-5", "05358").records
    records = records[(records["indicator_id"] == "bev_insgesamt") & (records["year"] == 2015)].set_index("area_id")
    out = tmp_path / "markers.duckdb"
    build([config], out, say=lambda _msg: None)
    stored = _query(out, "SELECT * FROM observations WHERE indicator_id = 'bev_insgesamt' AND year = 2015").set_index("area_id")
    for ags, cell in marked.items():
        status, value, flag = MARKER_CELLS[cell]
        for source in (records, stored):
            row = source.loc[ags]
            assert (row["status"], None if pd.isna(row["flag"]) else row["flag"]) == (status, flag), cell
            assert row["value"] == value if value is not None else pd.isna(row["value"]), f"{cell!r} must not become a number"

    kreis = stored.loc["05358"]
    if keep_kreis_row:  # the published total fills in where the Gemeinde sum is incomplete
        assert (kreis["status"], kreis["value"], kreis["derivation"]) == ("ok", KREIS_TOTAL_2015["05358"], "source")
    else:
        assert (kreis["status"], kreis["derivation"]) == ("incomplete", "sum") and pd.isna(kreis["value"])
        assert kreis["note"] == f"{N_MISSING} von 15 Gemeinden ohne Wert"
    assert _query(out, "SELECT * FROM build_log WHERE kind = 'warning'").empty
