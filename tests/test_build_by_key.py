"""Any Kreis by its key from the national files of ../shared/data (python -m etl build/init --kreis).

Expected figures are read from the files themselves (grep-able lines), not from the ETL:
- 12411-01-01-4 (Kreise, 31.12.2015): Eifelkreis Bitburg-Prüm 97,180; Altenburger Land 92,344; Berlin (Land row) 3,520,031.
- 12411-01-01-5 (Gemeinden, 31.12.2015): Brimingen 90 and Hisel 10 merged in 2019 into Brimingen 07232502 (BBSR
  PROVENANCE.md: row `2015;07232021;1.0;1.0;1.0;07232502`); in the Altenburger Land Nobitz 6,066 took in Frohnsdorf 255,
  Jückelberg 280 and Ziegelheim 841, Schmölln 11,361 took in Altkirchen 1,013, Drogen 131, Lumpzig 515,
  Nöbdenitz 870 and Wildenbörten 258.
"""
from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from etl.build import build
from etl.db import connect
from etl.errors import EtlError
from etl.config import load_config
from etl.kreis_config import kreis_config, write_kreis_config

PUBLISHED_2015 = {"07232": 97_180, "16077": 92_344, "11000": 3_520_031}
SUCCESSORS_2015 = {
    "07232502": 90 + 10,  # Brimingen + Hisel
    "16077036": 6_066 + 255 + 280 + 841,  # Nobitz + Frohnsdorf, Jückelberg, Ziegelheim
    "16077043": 11_361 + 1_013 + 131 + 515 + 870 + 258,  # Schmölln + Altkirchen, Drogen, Lumpzig, Nöbdenitz, Wildenbörten
}
NOTE = "umgerechnet auf Gebietsstand 31.12.2020 (BBSR-Umsteigeschlüssel, © BBSR Bonn)"


@pytest.fixture(scope="module")
def by_key(shared_data, tmp_path_factory):
    """One database per Kreis key, built on first use, and its summary."""
    built: dict[str, tuple[Path, object]] = {}

    def get(ags: str):
        if ags not in built:
            folder = tmp_path_factory.mktemp(f"kreis{ags}")
            out = folder / f"{ags}.duckdb"
            summary = build([kreis_config(ags, folder / "config")], out, say=lambda _msg: None)
            built[ags] = (out, summary)
        return built[ags]

    return get


def _query(db: Path, sql: str, *params) -> pd.DataFrame:
    con = connect(db, read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


@pytest.mark.parametrize("ags", ["07232", "16077"])
def test_kreis_by_key_reproduces_its_published_2015_total(by_key, ags):
    db, summary = by_key(ags)
    kreis = _query(db, "SELECT value, status FROM observations WHERE area_id = ? AND indicator_id = 'bev_insgesamt' AND year = 2015", ags)
    assert (kreis["value"].item(), kreis["status"].item()) == (PUBLISHED_2015[ags], "ok")
    assert summary.gebietsstand == "31.12.2020"


@pytest.mark.parametrize("ags", ["07232", "16077"])
def test_successor_gemeinden_carry_the_merged_population(by_key, ags):
    db, summary = by_key(ags)
    rows = _query(db, "SELECT area_id, value, status, derivation, note FROM observations WHERE indicator_id = 'bev_insgesamt' AND year = 2015 "
                  "AND area_id IN (SELECT area_id FROM areas WHERE level = 'gemeinde')").set_index("area_id")  # fmt: skip
    for successor, merged in SUCCESSORS_2015.items():
        if successor.startswith(ags):
            row = rows.loc[successor]
            assert (row["value"], row["status"], row["derivation"]) == (merged, "ok", "converted")
            assert row["note"].startswith(NOTE)
    # the other Gemeinden as published, and together the Kreis total
    assert (rows.loc[~rows.index.isin(SUCCESSORS_2015), "derivation"] == "source").all()
    assert rows["value"].sum() == PUBLISHED_2015[ags]
    conversions = [f for f in summary.findings if f.kind == "umrechnung"]
    assert conversions and all(s in " ".join(f.message for f in conversions) for s in SUCCESSORS_2015 if s.startswith(ags))


def test_every_merged_gemeinde_is_named(by_key):
    _, summary = by_key("16077")
    text = " ".join(f.message for f in summary.findings if f.kind == "umrechnung")
    for old in ("16077002", "16077004", "16077006", "16077019", "16077029", "16077037", "16077051", "16077055"):
        assert old in text, old


def test_build_log_says_the_gebietsstand_and_the_source_of_the_conversion(by_key):
    db, _ = by_key("07232")
    facts = _query(db, "SELECT topic, message FROM build_log WHERE kind = 'info'").set_index("topic")["message"]
    assert facts["gebietsstand"].startswith("31.12.2020") and "BBSR" in facts["gebietsstand"]
    crosswalk = _query(db, "SELECT attribution, publisher FROM sources WHERE kind = 'crosswalk'")
    assert list(crosswalk["attribution"]) == ["© BBSR Bonn"]


def test_berlin_builds_with_population(by_key):
    db, summary = by_key("11000")
    values = _query(db, "SELECT area_id, value FROM observations WHERE indicator_id = 'bev_insgesamt' AND year = 2015").set_index("area_id")["value"]
    assert values["11000"] == values["11000000"] == PUBLISHED_2015["11000"]
    assert any(f.kind == "stadtstaat" for f in summary.findings), "the build says why the Land row counts for the Kreis"


def test_dissolved_kreis_eisenach_still_gets_the_zensus_2022_of_its_gemeinde(by_key, shared_data):
    # Eisenach joined the Wartburgkreis in 2021: Zensus 2022 lists it as 16063105; at Gebietsstand 2020 it is 16056000
    db, _ = by_key("16056")
    zensus = _query(db, "SELECT value, derivation FROM observations WHERE area_id = '16056000' AND indicator_id = 'bev_zensus2022'")
    line = next(r for r in csv.reader((shared_data / "statistics/zensus2022_gemeinden_ffcsv/full_original").glob("*.csv").__next__().open(encoding="utf-8-sig"), delimiter=";")
                if r[7] == "160630105105")  # fmt: skip
    assert zensus["value"].item() == float(line[9]) and zensus["derivation"].item() == "converted"


def test_warnings_are_all_kept_beside_the_database(by_key):
    db, summary = by_key("16077")
    listing = db.with_name(f"{db.stem}.warnungen.csv")
    assert summary.findings_file == listing
    rows = list(csv.reader(listing.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["Art", "Kreis", "Meldung", "Kennung"]
    assert len(rows) - 1 == len(summary.findings) == len(_query(db, "SELECT * FROM build_log WHERE kind = 'warning'"))


def test_init_writes_an_editable_config_that_builds_the_same(shared_data, tmp_path):
    config, mapping, skipped = write_kreis_config("07232", tmp_path / "07232.toml")
    text = config.read_text(encoding="utf-8")
    assert 'ags = "07232"' in text and "full_original" in text
    assert any("2024_12411-15i" in s for s in skipped), "an NRW file does not cover a Kreis of Rheinland-Pfalz"
    loaded = load_config(config)
    assert loaded.sozialraum_mapping == mapping and len(loaded.statistics) >= 5
    rows = list(csv.DictReader(mapping.open(encoding="utf-8"), delimiter=";"))
    assert len(rows) == 234 and len({r["sozialraum"] for r in rows}) == 6  # 5 Verbandsgemeinden + Bitburg, Stadt


def test_unknown_kreis_key_is_refused_with_examples(shared_data, tmp_path):
    with pytest.raises(EtlError, match="Kreis '07299' kommt in den Grenzdaten") as info:
        write_kreis_config("07299", tmp_path / "x.toml")
    assert re.search(r'"07\d{3}" \(', str(info.value)), "real Kreis keys of the same Land as examples"


def test_cli_build_by_key(shared_data, tmp_path, repo_root):
    out = tmp_path / "bitburg.duckdb"
    done = subprocess.run([sys.executable, "-m", "etl", "build", "--kreis", "07232", "--out", str(out), "--quiet"],
                          cwd=repo_root, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Gebietsstand: 31.12.2020" in done.stdout and "Warnungen und Hinweise:" in done.stdout
    assert out.is_file() and out.with_name("bitburg.warnungen.csv").is_file()
