"""Familienwegweiser (issue 15): the offer list's public columns, and the static site generated from a database.

What must hold for the public: only offers flagged public reach the site, and of them only public fields; every
text is escaped; the places a family can type lead to the right point. The browser half is in
tests/test_browser_finder.py.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from finder_fixture import CENTRE, HOSTILE_NAME, OFFERS, TEMPLATE_NAME, fixture_data

from etl.config import load_config
from etl.db import connect
from etl.errors import EtlError
from etl.sources.offers import DETAIL_FIELDS, detail_rules, read_offer_list
from finder.data import PUBLIC_OFFER_COLUMNS, still_valid
from finder.settings import FinderError, FinderSettings, load_settings
from finder.site import DETAIL_COLUMNS, build_site, publish
from finder.topics import topics

REPO = Path(__file__).resolve().parent.parent
DEMO_KREIS = "99001"
HEADER = "id;name;angebotsart;lon;lat;oeffentlich;telefon;email;webseite;barrierefrei;beschreibung;kontakt_intern\n"


def _list(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "liste.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------- the list's columns (etl)
def test_detail_columns_are_described_once() -> None:
    assert DETAIL_FIELDS == list(detail_rules())
    assert [name for name, rule in detail_rules().items() if not rule.get("public", True)] == ["kontakt_intern"]
    assert set(PUBLIC_OFFER_COLUMNS).isdisjoint({"kontakt_intern", "kapazitaet", "source_id", "source_row", "offer_id", "oeffentlich"})


def test_public_columns_are_checked_and_bad_values_reported(tmp_path: Path) -> None:
    long = "x" * 1600
    rows = [
        "1;Kita A;Kita;7,1;50,1;ja;06501 123-45;kita@beispiel.de;www.beispiel.de;ja;kurz;Frau Intern",
        "2;Kita B;Kita;7,1;50,1;vielleicht;Telefon?;kein-mail;javascript:alert(1);weiß nicht;" + long + ";",
        "3;Kita C;Kita;7,1;50,1;;;;https://ok.example/a?b=1;teilweise;;",
        "4;Kita D;Kita;7,1;50,1;nur intern;;;;nein;;",
    ]
    listed = read_offer_list(_list(tmp_path, rows), "planungsatlas")
    offers = listed.offers.set_index("source_id")
    assert offers["oeffentlich"].tolist() == [True, False, False, False], "empty = the list's default (not public)"
    assert offers.loc["1", "webseite"] == "https://www.beispiel.de" and offers.loc["1", "telefon"] == "06501 123-45"
    assert offers.loc["2", ["telefon", "email", "webseite", "barrierefrei"]].tolist() == ["", "", "", ""]
    assert len(offers.loc["2", "beschreibung"]) == 1500 and offers.loc["2", "beschreibung"].endswith("…")
    assert offers.loc["3", "barrierefrei"] == "teilweise" and offers.loc["4", "barrierefrei"] == "nein"
    assert offers.loc["1", "kontakt_intern"] == "Frau Intern"
    report = {(r.row, r.column): r for r in listed.report}
    assert report[(3, "oeffentlich")].action == "geladen als nicht öffentlich"
    assert "weder ja noch nein" in report[(3, "oeffentlich")].problem
    for column in ("telefon", "email", "webseite", "barrierefrei"):
        assert report[(3, column)].action == "geladen ohne diesen Wert", column
    assert report[(3, "beschreibung")].action == "geladen, gekürzt auf 1500 Zeichen"
    assert {row for row, _ in report} == {3}, "the valid rows load without a remark"
    public = read_offer_list(_list(tmp_path, rows), "planungsatlas", public=True).offers.set_index("source_id")
    assert public["oeffentlich"].tolist() == [True, False, True, False], "public = true: empty cells are public"


def test_config_public_flag(tmp_path: Path) -> None:
    demo = load_config(REPO / "config" / "demo_musterland.toml")
    assert [entry.public for entry in demo.offers] == [True]
    school_configs = [p for p in (REPO / "config").glob("0*.toml")]
    for path in school_configs:
        assert not any(entry.public for entry in load_config(path).offers), f"{path.name}: real school lists stay internal"
    text = (REPO / "config" / "demo_musterland.toml").read_text(encoding="utf-8").replace("public = true", 'public = "ja"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('data_root = "../data/demo"', f'data_root = "{REPO / "data" / "demo"}"'), encoding="utf-8")
    with pytest.raises(EtlError, match="offers.public"):
        load_config(bad)


# ---------------------------------------------------------------- the site from the demo database
@pytest.fixture(scope="module")
def demo_site(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("finder") / "site"
    result = build_site(demo_db, DEMO_KREIS, out, today=date(2024, 6, 1))
    assert result.offers > 250
    return out


def _every_file(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.is_file()}


def _query(db: Path, sql: str) -> pd.DataFrame:
    con = connect(db, read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def test_site_has_its_files(demo_site: Path) -> None:
    for name in ("index.html", "verzeichnis.html", "finder.css", "finder.js", "offers.json", "details.json", "places.json",
                 "outline.geojson", "vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css", "vendor/leaflet/LICENSE"):  # fmt: skip
        assert (demo_site / name).is_file(), name
    offers = json.loads((demo_site / "offers.json").read_text(encoding="utf-8"))
    assert len(list((demo_site / "angebot").glob("*.html"))) == len(offers["offers"])
    assert all((demo_site / "angebot" / f"{o[0]}.html").is_file() for o in offers["offers"])
    index = (demo_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in index and "Content-Security-Policy" in index and "default-src 'self'" in index
    assert "Landkreis Musterland (Demodaten)" in index and "https://www.musterland.example/impressum" in index
    assert not re.search(r"\son[a-z]+\s*=", index), "no inline event handlers"
    assert "<script>" not in index and " style=" not in index


def test_internal_offers_and_fields_are_in_no_generated_file(demo_db: Path, demo_site: Path) -> None:
    every = _every_file(demo_site)
    offers = _query(demo_db, "SELECT name, telefon, address, kontakt_intern, kapazitaet, offer_id, oeffentlich FROM offers")
    internal = offers[~offers["oeffentlich"]]
    assert len(internal) >= 5, "the demo list flags a few offers nur intern"
    public = offers[offers["oeffentlich"]]
    # names and addresses that only internal offers have (Kindertagespflege names repeat between villages)
    own_names = internal.loc[~internal["name"].isin(public["name"]), "name"]
    own_addresses = internal.loc[~internal["address"].isin(public["address"]), "address"]
    assert len(own_names) >= 1 and len(own_addresses) == len(internal)
    secrets = [*own_names, *own_addresses, *internal["telefon"], *offers["kontakt_intern"].replace("", None).dropna()]
    assert internal["telefon"].is_unique and len(secrets) > 100
    for path, text in every.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} in {path}"
        for field in ("kontakt_intern", "kapazitaet", "Kapazität", "source_row", "source_id", "offer_id", "oeffentlich"):
            assert field not in text, f"{field} in {path}"
        assert not re.search(r"\bS\d{2}-\d+\b", text), f"a list/row id in {path}"
    listed = json.loads(every["offers.json"])
    assert all(len(row) == 8 for row in listed["offers"]), "id, name, type, Gemeinde, x, y, ages only"
    details = json.loads(every["details.json"])["d"]
    assert all(len(row) == len(DETAIL_COLUMNS) for row in details)
    assert len(listed["offers"]) == int(offers["oeffentlich"].sum()), "every public offer (all valid on 2024-06-01)"


def test_offers_no_longer_valid_are_left_out(demo_db: Path, tmp_path: Path) -> None:
    ended = "Babylotsen am Kreisklinikum Musterstadt"  # gueltig_bis 2025-12-31 in the demo list
    build_site(demo_db, DEMO_KREIS, tmp_path / "a", today=date(2025, 12, 31))
    assert ended in (tmp_path / "a" / "offers.json").read_text(encoding="utf-8")
    build_site(demo_db, DEMO_KREIS, tmp_path / "b", today=date(2026, 1, 1))
    assert ended not in "".join(_every_file(tmp_path / "b").values())
    assert still_valid("31.12.2025", date(2025, 12, 31)) and not still_valid("2025-12-30", date(2025, 12, 31))
    assert still_valid("unbefristet", date(2030, 1, 1)) and still_valid(None, date(2030, 1, 1))


def test_hostile_texts_are_escaped_in_the_pages(demo_site: Path) -> None:
    pages = {p.name: p.read_text(encoding="utf-8") for p in (demo_site / "angebot").glob("*.html")}
    hostile = [text for text in pages.values() if "onerror" in text]
    assert len(hostile) == 1
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile[0] and "<img src=x" not in hostile[0]
    assert "{{7*7}} &lt;script&gt;" in hostile[0] and "<script>alert" not in hostile[0]
    assert "<img src=x" not in (demo_site / "verzeichnis.html").read_text(encoding="utf-8")
    names = [row[1] for row in json.loads((demo_site / "offers.json").read_text(encoding="utf-8"))["offers"]]
    assert HOSTILE_NAME in names, "JSON keeps the text as it is; finder.js shows it with textContent"


def test_places_of_the_demo_county(demo_site: Path) -> None:
    places = json.loads((demo_site / "places.json").read_text(encoding="utf-8"))["p"]
    kinds = pd.Series([p[2] for p in places]).value_counts()
    assert kinds["g"] == 61 and kinds["p"] >= 20, "every populated Gemeinde, postcodes from the offers' addresses"
    musterstadt = next(p for p in places if p[0] == "Musterstadt")
    assert {p[0] for p in places if p[5] and p[1] == "Musterstadt"} >= {"99401 Musterstadt", "99402 Musterstadt"}
    assert all(p[3:5] == musterstadt[3:5] for p in places if p[1] == "Musterstadt")


# ---------------------------------------------------------------- the hand-made Kreis: places, ids, refusals
def test_fixture_site_places_ids_and_topics(tmp_path: Path) -> None:
    data = fixture_data()
    publish(data, FinderSettings(name="Landkreis Prüfland"), tmp_path / "site", data_root=tmp_path)
    places = {p[0]: p for p in json.loads((tmp_path / "site" / "places.json").read_text(encoding="utf-8"))["p"]}
    assert places["Westdorf"][3:5] == list(CENTRE)
    assert places["99999 Westdorf"][3:5] == list(CENTRE) and places["99998 Ostheim"][3:5] == [7.3, 50.1]
    assert places["Unterwestdorf (Westdorf)"][3:5] == [7.1, 50.15], "an Ortsteil from an address: at its offers"
    listed = json.loads((tmp_path / "site" / "offers.json").read_text(encoding="utf-8"))
    names = [o[1] for o in listed["offers"]]
    assert sorted(names) == sorted(o[0] for o in OFFERS)
    ids = [o[0] for o in listed["offers"]]
    publish(data.__class__(**{**data.__dict__, "offers": data.offers.iloc[::-1].reset_index(drop=True)}),
            FinderSettings(), tmp_path / "site", data_root=tmp_path)  # fmt: skip
    again = json.loads((tmp_path / "site" / "offers.json").read_text(encoding="utf-8"))
    assert dict(zip([o[1] for o in again["offers"]], [o[0] for o in again["offers"]])) == dict(zip(names, ids)), "ids do not depend on list order"
    kita = listed["topics"].index("kita")
    by_name = {o[1]: listed["types"][o[2]][1] for o in listed["offers"]}
    assert kita in by_name["Kita Nah"] and kita not in by_name["Beratung Mitte"]
    assert listed["topics"].index("krise") in by_name["Beratung Mitte"]
    assert TEMPLATE_NAME in names


def test_topics_come_from_the_taxonomy() -> None:
    data = fixture_data()
    chosen = {t.id: t for t in topics(data.offer_types, data.lebensphasen["phase_id"].tolist())}
    assert list(chosen) == ["schwangerschaft", "0-3", "kita", "schulkind", "jugend", "eltern", "senioren", "krise"]
    assert {"kita", "kindertagespflege", "fruehe_hilfen"} <= chosen["0-3"].offer_types
    assert {"grundschule", "weiterfuehrende_schule"} <= chosen["schulkind"].offer_types
    assert "pflegeberatung" in chosen["senioren"].offer_types and "kita" not in chosen["senioren"].offer_types
    assert chosen["jugend"].ages == (14, 27) and chosen["krise"].ages is None
    broken = data.offer_types.assign(lebensphasen=[[] for _ in range(len(data.offer_types))])
    assert all(not t.offer_types - {"erziehungsberatung", "schwangerschaftsberatung", "fruehe_hilfen", "sozialraumzentrum",
                                    "schulsozialarbeit", "pflegeberatung"} for t in topics(broken, data.lebensphasen["phase_id"].tolist()))  # fmt: skip
    with pytest.raises(FinderError, match="unbekannte"):
        topics(data.offer_types, ["0-3"])


def test_config_and_target_are_checked(tmp_path: Path) -> None:
    config = tmp_path / "k.toml"
    config.write_text('[county]\nags = "99002"\n[finder]\nimpressum = "javascript:alert(1)"\n', encoding="utf-8")
    with pytest.raises(FinderError, match="keine Webadresse"):
        load_settings(config)
    config.write_text('[county]\nags = "99002"\nname = "Kreis X"\n[finder]\nfarbe = "rot"\n', encoding="utf-8")
    with pytest.raises(FinderError, match="unbekannte Angabe"):
        load_settings(config)
    config.write_text('[county]\nags = "99002"\nname = "Kreis X"\n[finder]\ndatenschutz = "/datenschutz"\n', encoding="utf-8")
    settings = load_settings(config)
    assert settings.name == "Kreis X" and settings.datenschutz == "/datenschutz" and len(settings.warnings) == 1
    foreign = tmp_path / "www"
    foreign.mkdir()
    (foreign / "wichtig.html").write_text("nicht löschen", encoding="utf-8")
    with pytest.raises(FinderError, match="kein früher erzeugter Familienwegweiser"):
        publish(fixture_data(), settings, foreign, data_root=tmp_path)
    assert (foreign / "wichtig.html").read_text(encoding="utf-8") == "nicht löschen"


def test_command_line(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "wegweiser"
    done = subprocess.run([sys.executable, "-m", "finder", "build", "--db", str(demo_db), "--kreis", DEMO_KREIS, "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Familienwegweiser geschrieben" in done.stdout and (out / "index.html").is_file()
    (out / "angebot" / "veraltet.html").write_text("alt", encoding="utf-8")
    again = subprocess.run([sys.executable, "-m", "finder", "build", "--db", str(demo_db), "--kreis", "12345", "--out", str(out)],
                           cwd=REPO, capture_output=True, text=True)  # fmt: skip
    assert again.returncode == 2 and "Kreis 12345 ist nicht in der Datenbank" in again.stderr
    assert (out / "angebot" / "veraltet.html").is_file(), "a failed build leaves the previous site"
    subprocess.run([sys.executable, "-m", "finder", "build", "--db", str(demo_db), "--kreis", DEMO_KREIS, "--out", str(out)],
                   cwd=REPO, check=True, capture_output=True)  # fmt: skip
    assert not (out / "angebot" / "veraltet.html").exists(), "every build replaces the whole folder"
