"""Offer list of the demo county "Landkreis Musterland (Demodaten)", used by etl/demo.py.

Writes one invented Angebotsliste in the format "planungsatlas" (docs/OFFERS.md) twice: as Excel
(`angebote/angebote_musterland_demodaten.xlsx`, first sheet "Angebote" with the header in row 1, a second sheet
"Hinweis" saying that everything is invented) and as CSV (`;`, UTF-8 with BOM, CRLF, decimal comma: what German
Excel writes as "CSV UTF-8").

The model, per Gemeinde of the demo county and its 2023 population:
- Kitas in nearly every Gemeinde with more than 400 inhabitants, places ≈ 0.7–0.95 × children aged 1 to 6; in the
  poorer Sozialraum (that of Altenmühl, see etl/demo_social.py) only ≈ 0.45–0.6 and its three smallest Kita-worthy
  villages have none; the largest village of the young Sozialraum is clearly under-supplied (0.4, a new-build
  suburb) and the smallest Kita-worthy village of the ageing one has none
- Kindertagespflege spread with the children under 3; Grundschulen in the towns, the Verbandsgemeinde seats and
  the larger villages, places ≈ 1.1 × the children 6 to 10 of their catchment; weiterführende, Förder- and
  berufliche Schulen in the towns; Schulsozialarbeit at the schools of the towns and seats
- counselling, family and youth services in the towns and seats, thinner in the poorer Sozialraum; one
  Sozialraumzentrum per Sozialraum except the ageing one
- a few deliberately faulty rows (QUIRKS, documented in data/demo/README.md) for the import report

Coordinates: a point near an invented village centre inside the Gemeinde polygon (the one written to VG250_GEM,
EPSG:25832; at least 100 m from its border), converted to WGS84 and rounded to 6 decimals. Own random stream (SEED, 8): changing the offers leaves
every other demo file as it is.
"""
from __future__ import annotations

import csv
import io
import math
import zipfile
from dataclasses import astuple, dataclass, fields, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import shapely
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon

from etl.demo import CENTRE, CRS, SEED, TOWN_NAMES, County, Gemeinde
from etl.demo_social import poorer_sozialraum

OFFER_STREAM = 8  # SGB VIII: second element of the seed, a random stream of its own
LIST_DIR = Path("angebote")
XLSX_NAME = "angebote_musterland_demodaten.xlsx"
CSV_NAME = "angebote_musterland_demodaten.csv"
STAND = "2023-12-31"  # Datenstand of the list (config: [[offers]] stand)
FIXED_TIME = datetime(2024, 1, 15, 9, 0, 0)  # workbook created/modified and zip entry times: stable files
SHEET, NOTICE_SHEET = "Angebote", "Hinweis"
KREIS = "Landkreis Musterland"
CARITAS, DIAKONIE = "Caritasverband Musterland e. V.", "Diakonisches Werk Musterland e. V."
AWO, DRK = "AWO Kreisverband Musterland e. V.", "DRK-Kreisverband Musterland e. V."
LEBENSHILFE, FBW = "Lebenshilfe Musterland e. V.", "Familienbildungswerk Musterland e. V. (freier Träger)"
JUGENDAMT = f"{KREIS} (Kreisjugendamt)"
KITA_MIN_INHABITANTS = 400
BORDER_MARGIN_M = 100.0  # offers keep this distance from the Gemeinde border (generalisation, rounding)
OUTSIDE_DISTANCE_M = 4_000.0  # the row of a neighbouring county lies this far beyond the county border
_TO_WGS84 = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)


@dataclass
class Row:
    """One row of the list, in the column order of the format "planungsatlas"."""

    id: str
    name: str
    angebotsart: str
    traeger: str
    strasse: str
    plz: str
    ort: str
    gemeinde_ags: str
    lon: float | None
    lat: float | None
    kapazitaet: int | str | None
    alter_von: int | None
    alter_bis: int | None
    gueltig_ab: str
    gueltig_bis: str = ""


COLUMNS = [f.name for f in fields(Row)]

# Deliberately faulty rows: key -> what is wrong (the README and the Hinweis sheet say which row)
QUIRKS = {
    "capacity_text": "Kapazität als Text („ca. 40“)",
    "key_contradicts": "Gemeindeschlüssel der Verbandsgemeinde-Sitzgemeinde statt des Ortes",
    "latlon_swapped": "lon und lat vertauscht",
    "no_coordinates": "keine Koordinaten (aufsuchendes Angebot), nur Gemeindeschlüssel",
    "duplicate": "Dublette: dieselbe Zeile noch einmal",
    "unknown_type": "unbekannte Angebotsart „Tanzschule“",
    "outside": "Angebot im Nachbarkreis, 4 km außerhalb der Kreisgrenze",
    "html_name": "Name ist HTML-Code (Test, ob die App ihn als Text zeigt)",
    "ampersand_name": "Name mit &, \" und '",
}

# ---------------------------------------------------------------- invented names
STREETS = """Hauptstraße Kirchstraße Schulstraße Bahnhofstraße Lindenstraße Gartenstraße Mühlenweg Rosenweg Waldstraße
    Ringstraße Bergstraße Wiesenweg Talstraße Kirchgasse Brunnenstraße Feldstraße Birkenweg Burgstraße Jahnstraße
    Goethestraße Schillerstraße Friedhofstraße Sonnenhang Raiffeisenstraße Eichendorffweg Ahornweg""".split()
STREETS += ["Am Sportplatz", "Am Dorfbrunnen", "Im Wiesengrund", "Am Anger", "Lange Gasse", "Am Bach", "Zum Backhaus"]
TOWN_STREETS = ["Marktplatz", "Am Rathaus", "Bahnhofsplatz", "Nordring", "Südring", "Poststraße", "Am Schlossberg",
                "Friedrich-Ebert-Straße", "Konrad-Adenauer-Straße", "Lessingstraße", "Gerberstraße", "Am Stadtgraben",
                "Mühlenstraße", "Hospitalstraße"]  # fmt: skip

KITA_NAMES = {
    "kommunal": ["Kita Sonnenschein", "Kita Regenbogen", "Kita Pusteblume", "Kita Zwergenland", "Kita Löwenzahn",
                 "Kita Sternschnuppe", "Kita Kunterbunt", "Kita Wirbelwind", "Kita Schatzkiste", "Kita Abenteuerland",
                 "Kita Märchenland", "Kita Rasselbande", "Kita Spatzennest", "Kita Sonnenblume",
                 "Kita Wiesenwichtel", "Kita Mühlenzwerge", "Kita Bachstelze", "Kita Am Sportplatz",
                 "Kindergarten Schlossgeister", "Kindergarten Waldwichtel"],
    "kath": ["Kath. Kita St. Martin", "Kath. Kita St. Elisabeth", "Kath. Kita St. Josef", "Kath. Kita St. Marien",
             "Kath. Kita St. Michael", "Kath. Kita St. Laurentius", "Kath. Kindergarten St. Barbara",
             "Kath. Kita Heilig Kreuz", "Kath. Kita St. Nikolaus", "Kath. Kindergarten St. Hedwig"],
    "ev": ["Ev. Kita Arche Noah", "Ev. Kita Senfkorn", "Ev. Kindergarten Sonnenstrahl", "Ev. Kita Lutherhaus",
           "Ev. Kita Kirchenmäuse", "Ev. Kita Himmelszelt", "Ev. Kita Friedenskirche", "Ev. Kindergarten Regenbogen"],
    "awo": ["AWO-Kita Pusteblume", "AWO-Kita Kinderland", "AWO-Kita Am Park"],
    "drk": ["DRK-Kita Kleine Strolche", "DRK-Kita Kinderinsel"],
    "lebenshilfe": ["Integrative Kita der Lebenshilfe", "Lebenshilfe-Kita Miteinander"],
    "frei": ["Waldkindergarten Fuchsbau", "Elterninitiative Krabbelstube", "Montessori-Kinderhaus"],
}  # fmt: skip
FREE_TRAEGER = {"Waldkindergarten Fuchsbau": "Waldkinder Musterland e. V. (freier Träger)",
                "Elterninitiative Krabbelstube": "Elterninitiative Krabbelstube e. V. (freier Träger)",
                "Montessori-Kinderhaus": "Montessori-Verein Musterland e. V. (freier Träger)"}  # fmt: skip
KITA_TRAEGER_TOWN = {"kommunal": .34, "kath": .2, "ev": .2, "awo": .08, "drk": .07, "lebenshilfe": .05, "frei": .06}
KITA_TRAEGER_VILLAGE = {"kommunal": .6, "kath": .2, "ev": .2}
PFLEGE_NAMES = """Zwergennest Mäusehaus Spatzennest Krümelkiste Sonnenkinder Wichtelstube Purzelbaum Bärenhöhle
    Glückskäfer Marienkäfer Schneckenhaus Igelnest Kuschelecke Rappelkiste Hummelnest Rabennest Zaubergarten
    Entdeckerland Kinderstube Flohkiste Kükennest Wuselbande Sausewind Regentropfen Kleeblatt Mondschein Sternchen
    Wolkenschaf Knirpsenland Pünktchen""".split()
TOWN_SCHOOL_NAMES = ["Grundschule Nord", "Grundschule Süd", "Lindenschule", "Brüder-Grimm-Schule",
                     "Grundschule am Park", "Kirchbergschule", "Grundschule Im Wiesengrund",
                     "Grundschule Am Wasserturm"]  # fmt: skip
PARISHES = ["St. Martin", "St. Josef", "St. Marien", "St. Michael", "St. Laurentius", "St. Nikolaus"]


@dataclass
class Place:
    """A populated Gemeinde with what the offers need: people, role, a centre and where points may lie."""

    g: Gemeinde
    people: np.ndarray  # 2023, 17 age groups
    role: str  # kreisstadt | stadt | seat | village
    seat: Gemeinde  # its Verbandsgemeinde seat (itself for towns and seats)
    plz: list[str]
    centre: np.ndarray
    inner: Polygon
    sigma: float

    @property
    def total(self) -> int:
        return int(self.people.sum())

    @property
    def u3(self) -> int:
        return int(self.people[0])

    @property
    def children_1_6(self) -> float:
        return self.people[0] * 2 / 3 + self.people[1]

    @property
    def children_6_10(self) -> int:
        return int(self.people[2])

    @property
    def town(self) -> bool:
        return self.role in ("kreisstadt", "stadt")

    @property
    def municipality(self) -> str:
        return f"{'Stadt' if self.town else 'Gemeinde'} {self.g.name}"


@dataclass
class Offer:
    type_id: str  # offer type of etl/metadata/offer_types.toml, for the order of the list
    row: Row
    xy: tuple[float, float] | None  # EPSG:25832


class OfferMaker:
    def __init__(self, county: County, counts: np.ndarray) -> None:
        self.rng = np.random.default_rng([SEED, OFFER_STREAM])
        self.county = county
        self.poorer = poorer_sozialraum(county)
        self.ageing = next(s for s, p in county.profiles.items() if p == "ageing")
        self.young = next(s for s, p in county.profiles.items() if p == "young")
        self.places = self._places(counts[:, -1].sum(axis=1))  # 2023 (YEARS[-1]), both sexes
        self.suburb = ""  # the under-supplied suburb's key, set by kitas()
        self.offers: list[Offer] = []
        self._addresses: set[tuple[str, str, str]] = set()

    # ------------------------------------------------------------ places
    def _places(self, people: np.ndarray) -> list[Place]:
        seats = {v.seat_ars: v for v in self.county.verbaende if v.bez == "Verbandsgemeinde"}
        by_ars = {g.ars: g for g in self.county.gemeinden}
        seat_of = {v.ars: by_ars[v.seat_ars] for v in seats.values()}
        vg_rank = {ars: k for k, ars in enumerate(sorted(seat_of))}
        places = []
        for i, g in enumerate(self.county.gemeinden):
            if g.bez == "Gemeindefreies Gebiet":
                continue  # nobody lives in the state forest
            if g.bez == "Stadt":
                role = "kreisstadt" if g.name == TOWN_NAMES[0] else "stadt"
                town = TOWN_NAMES.index(g.name)
                plz = [f"994{town * 3 + k + 1:02d}" for k in range(3 if role == "kreisstadt" else 1)]
                seat, margin, sigma = g, 1_500.0, 1_300.0 if role == "kreisstadt" else 900.0
            else:
                role = "seat" if g.ars in seats else "village"
                seat = seat_of[g.ars[:9]]
                plz = [f"994{vg_rank[g.ars[:9]] + 1}{1 + int(g.ars[-2:]) % 9}"]
                margin, sigma = (800.0, 450.0) if role == "seat" else (1_000.0, 250.0)
            inner = g.geometry.buffer(-BORDER_MARGIN_M)
            cores = (g.geometry.buffer(-margin), g.geometry.buffer(-margin / 2), inner)
            core = next(c for c in cores if not c.is_empty)
            centre = self._uniform_point(core)
            places.append(Place(g, people[i], role, seat, plz, centre, inner, sigma))
        return places

    def _uniform_point(self, polygon: Polygon) -> np.ndarray:
        xmin, ymin, xmax, ymax = polygon.bounds
        while True:
            xy = self.rng.uniform((xmin, ymin), (xmax, ymax))
            if shapely.contains_xy(polygon, *xy):
                return xy

    def point(self, place: Place) -> tuple[float, float]:
        """A point near the place's centre (houses cluster in the village), inside the Gemeinde."""
        for _ in range(1_000):
            xy = place.centre + self.rng.normal(0, place.sigma, 2)
            if shapely.contains_xy(place.inner, *xy):
                return float(xy[0]), float(xy[1])
        raise RuntimeError(f"no point found in {place.g.name}; change the sigma")

    def place(self, name: str) -> Place:
        return next(p for p in self.places if p.g.name == name)

    def in_role(self, *roles: str) -> list[Place]:
        return [p for p in self.places if p.role in roles]

    def head(self, sozialraum: str) -> Place:
        """Main place of a Sozialraum: its town, else its largest Verbandsgemeinde seat."""
        members = [p for p in self.places if p.g.sozialraum == sozialraum]
        towns = [p for p in members if p.town]
        return towns[0] if towns else max((p for p in members if p.role == "seat"), key=lambda p: p.total)

    # ------------------------------------------------------------ rows
    def choice(self, options):
        return options[int(self.rng.integers(len(options)))]

    def date(self, first_year: int, last_year: int, month: int | None = None) -> str:
        year = int(self.rng.integers(first_year, last_year + 1))
        return f"{year}-{month or int(self.rng.integers(1, 13)):02d}-01"

    def address(self, place: Place, street: str | None = None) -> str:
        pool = STREETS + TOWN_STREETS if place.town else STREETS
        for _ in range(1_000):
            candidate = street or self.choice(pool)
            number = str(int(self.rng.integers(1, 15 if street else 60)))
            if (place.g.ags, candidate, number) not in self._addresses:
                self._addresses.add((place.g.ags, candidate, number))
                return f"{candidate} {number}"
        raise RuntimeError(f"no free address in {place.g.name}")

    def add(
        self, type_id: str, place: Place, name: str, angebotsart: str, traeger: str, *, kapazitaet: int | None = None,
        alter: tuple[int | None, int | None] | None = None, since: str = "", until: str = "", street: str | None = None,
        at: Offer | None = None,
    ) -> Offer:
        """An offer in ``place``; ``at``: same address and point as another offer (Schulsozialarbeit at a school)."""
        if at is not None:
            strasse, plz, xy = at.row.strasse, at.row.plz, at.xy
        else:
            strasse, plz, xy = self.address(place, street), self.choice(place.plz), self.point(place)
        lon, lat = wgs84(xy)
        von, bis = alter if alter else (None, None)
        row = Row("", name, angebotsart, traeger, strasse, plz, place.g.name, place.g.ags, lon, lat, kapazitaet,
                  von, bis, since or self.date(1990, 2022), until)  # fmt: skip
        offer = Offer(type_id, row, xy)
        self.offers.append(offer)
        return offer

    # ------------------------------------------------------------ Betreuung
    def kitas(self) -> None:
        eligible = [p for p in self.places if p.total > KITA_MIN_INHABITANTS]
        villages = [p for p in eligible if p.role == "village"]
        poorer = sorted((p for p in villages if p.g.sozialraum == self.poorer), key=lambda p: (p.total, p.g.ags))
        ageing = sorted((p for p in villages if p.g.sozialraum == self.ageing), key=lambda p: (p.total, p.g.ags))
        without = {p.g.ags for p in poorer[:3] + ageing[:1]}
        suburb = max((p for p in villages if p.g.sozialraum == self.young), key=lambda p: p.total)
        self.suburb = suburb.g.ags
        for place in eligible:
            if place.g.ags in without:
                continue
            if place.g.sozialraum == self.poorer:
                factor = self.rng.uniform(0.45, 0.6)
            elif place is suburb:
                factor = 0.4
            else:
                factor = self.rng.uniform(0.7, 0.95)
            places_total = factor * place.children_1_6
            n = max(1, math.ceil(places_total / (80 if place.town else 70)))
            shares = self.rng.dirichlet(np.full(n, 6.0))
            used: set[str] = set()
            for share in shares:
                capacity = max(15, 5 * round(places_total * share / 5))
                self._kita(place, capacity, used)

    def _kita(self, place: Place, capacity: int, used: set[str]) -> None:
        weights = KITA_TRAEGER_TOWN if place.town else KITA_TRAEGER_VILLAGE
        kinds, p = list(weights), np.array(list(weights.values())) / sum(weights.values())
        free: list[str] = []
        while not free:
            kind = kinds[int(self.rng.choice(len(kinds), p=p))]
            free = [n for n in KITA_NAMES[kind] if n not in used]
        name = self.choice(free)
        used.add(name)
        patron = name.split(" ", 2)[-1]  # "Kath. Kita St. Martin" -> "St. Martin"
        traeger = {
            "kommunal": place.municipality,
            "kath": CARITAS if place.town else f"Kath. Kirchengemeinde {patron}, {place.g.name}",
            "ev": DIAKONIE if place.town else f"Ev. Kirchengemeinde {place.g.name}",
            "awo": AWO, "drk": DRK, "lebenshilfe": LEBENSHILFE, "frei": FREE_TRAEGER.get(name, ""),
        }[kind]  # fmt: skip
        if place.town and kind == "kommunal" and name.startswith("Kita ") and self.rng.random() < 0.25:
            name, art, alter = name.replace("Kita", "Kinderkrippe"), "Krippe", (0, 3)
        else:
            art = "Kindergarten" if "Kindergarten" in name else self.choice(["Kita", "Kita", "Kindertagesstätte"])
            alter = (1, 6)
        self.add("kita", place, name, art, traeger, kapazitaet=int(capacity), alter=alter,
                 since=self.date(1965, 2022, 8))  # fmt: skip

    def tagespflege(self, n: int = 90) -> None:
        # spread with the children under 3, thinner in the poorer Sozialraum (fewer parents look for care there)
        weights = np.array([p.u3 * (0.6 if p.g.sozialraum == self.poorer else 1.0) for p in self.places])
        chosen = self.rng.choice(len(self.places), size=n, p=weights / weights.sum())
        used: dict[str, set[str]] = {}
        for i in sorted(chosen):
            place = self.places[int(i)]
            taken = used.setdefault(place.g.ags, set())
            nick = self.choice([x for x in PFLEGE_NAMES if x not in taken])
            taken.add(nick)
            if self.rng.random() < 0.15:
                name, capacity = f"Großtagespflege {nick}", int(self.rng.integers(8, 11))
            else:
                name, capacity = f"Kindertagespflege {nick}", int(self.choice([5, 5, 5, 5, 5, 4, 3]))
            art = self.choice(["Kindertagespflege", "Kindertagespflege", "Tagespflege"])
            self.add("kindertagespflege", place, name, art, "Kindertagespflegeperson (selbstständig)",
                     kapazitaet=capacity, alter=(0, 3), since=self.date(2008, 2023))  # fmt: skip

    # ------------------------------------------------------------ Schulen
    def schools(self) -> dict[str, list[Offer]]:
        """Grundschulen, weiterführende, Förder- and berufliche Schulen; returns the schools per Gemeinde key."""
        schools: dict[str, list[Offer]] = {}
        n_by_place = {}
        for p in self.places:
            if p.role == "kreisstadt":
                n_by_place[p.g.ags] = 6
            elif p.town:
                n_by_place[p.g.ags] = 3
            elif p.role == "seat" or p.total >= 1_000 or (p.total >= 800 and self.rng.random() < 0.4):
                n_by_place[p.g.ags] = 1
        # catchment: every Gemeinde without a school goes to the nearest school place of its Verbandsgemeinde
        catchment = {ags: 0 for ags in n_by_place}
        for p in self.places:
            if p.g.ags in n_by_place:
                catchment[p.g.ags] += p.children_6_10
                continue
            options = [q for q in self.places if q.g.ags in n_by_place and q.g.ars[:9] == p.g.ars[:9]]
            nearest = min(options, key=lambda q: np.linalg.norm(q.centre - p.centre))
            catchment[nearest.g.ags] += p.children_6_10
        for p in self.places:
            n = n_by_place.get(p.g.ags, 0)
            names = [f"Grundschule {p.g.name}"] if n == 1 else list(self.rng.permutation(TOWN_SCHOOL_NAMES)[:n])
            traeger = p.municipality if p.town else f"Verbandsgemeinde {p.seat.name}"
            for name in names:
                capacity = max(50, 25 * math.ceil(1.1 * catchment[p.g.ags] / n / 25))
                street = "Schulstraße" if n == 1 else None
                offer = self._school("grundschule", p, name, "Grundschule", traeger, capacity, (6, 10), street)
                schools.setdefault(p.g.ags, []).append(offer)
        kreisstadt, bad, alt = (self.place(n) for n in TOWN_NAMES)
        secondary = [
            (kreisstadt, "Kreisgymnasium Musterstadt", "Gymnasium", 1_050, (10, 19)),
            (kreisstadt, "Gymnasium am Schlossberg", "Gymnasium", 850, (10, 19)),
            (kreisstadt, "Realschule plus Musterstadt", "Realschule Plus", 620, (10, 16)),
            (kreisstadt, "Integrierte Gesamtschule Musterstadt", "Integrierte Gesamtschule", 1_100, (10, 19)),
            (kreisstadt, "Freie Waldorfschule Musterland", "Waldorfschule", 380, (6, 19)),
            (bad, "Gymnasium Bad Quellenbrunn", "Gymnasium", 900, (10, 19)),
            (bad, "Realschule plus am Kurpark", "Realschule Plus", 540, (10, 16)),
            (alt, "Realschule plus Altenmühl", "Realschule Plus", 580, (10, 16)),
        ]  # fmt: skip
        for seat in self.in_role("seat"):
            if seat.g.sozialraum in (self.ageing, self.poorer) and seat is self.head(seat.g.sozialraum):
                secondary.append((seat, f"Realschule plus {seat.g.name}", "Realschule Plus", 450, (10, 16)))
        for place, name, art, capacity, alter in secondary:
            traeger = "Freie Waldorfschule Musterland e. V." if art == "Waldorfschule" else KREIS
            schools.setdefault(place.g.ags, []).append(
                self._school("weiterfuehrende_schule", place, name, art, traeger, capacity, alter, None))
        special = [
            ("foerderschule", kreisstadt, "Pestalozzischule (Förderschule Lernen)", "Förderschule", KREIS, (6, 16)),
            ("foerderschule", alt, "Schule am Mühlbach (Förderschwerpunkt ganzheitliche Entwicklung)", "Förderschule",
             LEBENSHILFE, (6, 18)),
            ("berufliche_schule", kreisstadt, "Berufsbildende Schule Musterstadt", "Berufsbildende Schule", KREIS,
             (16, 25)),
            ("berufliche_schule", bad, "Berufsbildende Schule Bad Quellenbrunn – Wirtschaft und Gesundheit",
             "Berufsbildende Schule", KREIS, (16, 25)),
        ]  # fmt: skip
        for type_id, place, name, art, traeger, alter in special:
            schools[place.g.ags].append(self._school(type_id, place, name, art, traeger, None, alter, None))
        return schools

    def _school(self, type_id, place, name, art, traeger, capacity, alter, street) -> Offer:
        return self.add(type_id, place, name, art, traeger, kapazitaet=capacity, alter=alter,
                        since=self.date(1960, 2005, 8), street=street)  # fmt: skip

    def school_social_work(self, schools: dict[str, list[Offer]]) -> None:
        traeger = [CARITAS, DIAKONIE, AWO, JUGENDAMT]
        k = 0
        for place in self.places:
            for school in schools.get(place.g.ags, []):
                if school.type_id == "grundschule" and place.role not in ("kreisstadt", "stadt", "seat"):
                    continue
                name = school.row.name
                preposition = "am" if name.split()[0].lower().endswith("gymnasium") else "an der"
                self.add("schulsozialarbeit", place, f"Schulsozialarbeit {preposition} {name}", "Schulsozialarbeit",
                         traeger[k % len(traeger)], alter=(school.row.alter_von, school.row.alter_bis),
                         since=self.date(2009, 2023, 8), at=school)  # fmt: skip
                k += 1

    # ------------------------------------------------------------ Beratung, Familie, Jugend, Senioren
    def services(self) -> None:
        kreisstadt, bad, alt = (self.place(n) for n in TOWN_NAMES)
        seats = self.in_role("seat")
        outside_poorer = [s for s in seats if s.g.sozialraum != self.poorer]
        ageing_head = self.head(self.ageing)
        add = self.add
        # Familienzentren: 3 in the Kreisstadt, 2 in Bad Quellenbrunn, 1 in Altenmühl, 1 per seat outside the poorer
        # Sozialraum
        centres = [
            (kreisstadt, "Kinder- und Familienzentrum Regenbogen", "Kinder- und Familienzentrum", AWO),
            (kreisstadt, "Familienzentrum St. Elisabeth", "Familienzentrum", CARITAS),
            (kreisstadt, "Familienzentrum Nordstadt", "Familienzentrum", kreisstadt.municipality),
            (bad, "Familienzentrum Arche", "Familienzentrum", DIAKONIE),
            (bad, "Familienzentrum am Kurpark", "Familienzentrum", bad.municipality),
            (alt, "Familienzentrum Altenmühl", "Familienzentrum", alt.municipality),
        ]  # fmt: skip
        centres += [(s, f"Familienzentrum {s.g.name}", "Familienzentrum", self.vg(s)) for s in outside_poorer]
        for place, name, art, traeger in centres:
            add("familienzentrum", place, name, art, traeger, alter=(0, 10), since=self.date(2008, 2021))
        # Familienbildung: Familienbildungsstätte, Außenstellen, Elternkurse in the seats, parish groups in villages
        add("familienbildung", kreisstadt, "Familienbildungsstätte Haus der Familie", "Familienbildungsstätte", FBW)
        add("familienbildung", bad, "Ev. Familienbildung Bad Quellenbrunn", "Familienbildung", DIAKONIE)
        add("familienbildung", alt, "Familienbildung Außenstelle Altenmühl", "Familienbildung", FBW)
        for s in outside_poorer:
            add("familienbildung", s, f"Elternkurs „Gelassen durch die Pubertät“ {s.g.name}", "Elternkurs", FBW,
                alter=(10, 16), since=self.date(2021, 2023))  # fmt: skip
        for p in self.in_role("village"):
            if p.total >= 500 and self.rng.random() < 0.3:
                parish = self.choice([f"Ev. Kirchengemeinde {p.g.name}",
                                      f"Kath. Pfarrei {self.choice(PARISHES)}, {p.g.name}"])  # fmt: skip
                add("familienbildung", p, f"Eltern-Kind-Gruppe {p.g.name}", "Familienbildung", parish, alter=(0, 3))
        # Erziehungsberatung: two offices, office hours in Altenmühl and in the ageing Sozialraum
        counselling = [
            (kreisstadt, "Psychologische Beratungsstelle für Eltern, Kinder und Jugendliche",
             "Erziehungs- und Familienberatung", CARITAS),
            (bad, "Erziehungs- und Familienberatung der Diakonie", "Erziehungsberatung", DIAKONIE),
            (alt, "Außensprechstunde Erziehungsberatung Altenmühl", "Erziehungsberatung", CARITAS),
            (ageing_head, f"Außensprechstunde Familienberatung {ageing_head.g.name}", "Familienberatung", DIAKONIE),
        ]  # fmt: skip
        for place, name, art, traeger in counselling:
            add("erziehungsberatung", place, name, art, traeger, alter=(0, 27))
        # Frühe Hilfen
        add("fruehe_hilfen", kreisstadt, "Koordinierungsstelle Frühe Hilfen", "Frühe Hilfen", JUGENDAMT, alter=(0, 3))
        add("fruehe_hilfen", kreisstadt, "Babylotsen am Kreisklinikum Musterstadt", "Babylotsen", DRK, alter=(0, 1),
            since="2019-04-01", until="2025-12-31")  # fmt: skip
        add("fruehe_hilfen", bad, "Familienhebammen Musterland", "Familienhebamme", DRK, alter=(0, 1))
        for s in seats:
            if s.g.sozialraum not in (self.poorer, self.ageing):
                add("fruehe_hilfen", s, f"Eltern-Baby-Café {s.g.name}", "Frühe Hilfen", AWO, alter=(0, 1))
            elif s.g.sozialraum == self.ageing:  # outreach: becomes the row without coordinates
                add("fruehe_hilfen", s, f"Willkommensbesuche für Neugeborene, VG {s.g.name} (aufsuchend)",
                    "Frühe Hilfen", JUGENDAMT, alter=(0, 1))  # fmt: skip
        # Schwangerschaftsberatung
        add("schwangerschaftsberatung", kreisstadt, "Schwangerschaftsberatung der Diakonie", "Schwangerschaftsberatung",
            DIAKONIE)  # fmt: skip
        add("schwangerschaftsberatung", kreisstadt, "Kath. Beratungsstelle für Schwangerschaftsfragen",
            "Schwangerschaftsberatung", CARITAS)  # fmt: skip
        add("schwangerschaftsberatung", bad, "Schwangerschafts- und Schwangerschaftskonfliktberatung",
            "Schwangerschaftskonfliktberatung", AWO)  # fmt: skip
        # Jugend: Jugendtreffs in the towns and seats, Jugendräume in some villages (fewer in the poorer Sozialraum)
        youth = [
            (kreisstadt, "Jugendzentrum Musterstadt (JuZ)", "Jugendzentrum", kreisstadt.municipality),
            (kreisstadt, "Jugendtreff Nordstadt", "Jugendtreff", AWO),
            (kreisstadt, "Jugendcafé am Bahnhof", "Offene Jugendarbeit", DIAKONIE),
            (bad, "Jugendhaus Bad Quellenbrunn", "Jugendzentrum", bad.municipality),
            (bad, "Mobile Jugendarbeit Bad Quellenbrunn", "Offene Jugendarbeit", CARITAS),
            (alt, "Jugendtreff Altenmühl", "Jugendtreff", alt.municipality),
        ]  # fmt: skip
        youth += [(s, f"Jugendtreff {s.g.name}", "Jugendtreff", self.vg(s)) for s in seats]
        for place, name, art, traeger in youth:
            add("jugendtreff", place, name, art, traeger, alter=(10, 21))
        for p in self.in_role("village"):
            chance = 0.25 if p.g.sozialraum == self.poorer else 0.45
            if p.total >= 600 and self.rng.random() < chance:
                add("jugendtreff", p, f"Jugendraum {p.g.name}", "Jugendtreff", p.municipality, alter=(12, 18))
        # Übergang Schule – Beruf
        add("jugendberufshilfe", kreisstadt, "Jugendberufsagentur Musterland", "Jugendberufsagentur",
            f"{KREIS}, Jobcenter und Agentur für Arbeit", alter=(15, 25))  # fmt: skip
        add("jugendberufshilfe", alt, "Jugendwerkstatt Altenmühl", "Jugendberufshilfe", AWO, alter=(16, 25))
        add("jugendberufshilfe", bad, "Übergangscoaching Schule – Beruf", "Übergang Schule-Beruf", CARITAS,
            alter=(14, 20))  # fmt: skip
        # Generationen und Senioren
        add("mehrgenerationenhaus", bad, "Mehrgenerationenhaus Bad Quellenbrunn", "Mehrgenerationenhaus", DIAKONIE)
        add("mehrgenerationenhaus", ageing_head, f"MGH {ageing_head.g.name} – Treffpunkt Jung und Alt", "MGH",
            self.vg(ageing_head))  # fmt: skip
        for place in (kreisstadt, bad, alt, ageing_head):
            add("pflegeberatung", place, f"Pflegestützpunkt {place.g.name}", "Pflegestützpunkt",
                f"{KREIS} und Pflegekassen", alter=(60, None))  # fmt: skip
        for s in outside_poorer:
            if s is not ageing_head:
                add("pflegeberatung", s, f"Seniorenberatung der Verbandsgemeinde {s.g.name}", "Seniorenberatung",
                    self.vg(s), alter=(60, None))  # fmt: skip
        # Sozialraumzentren: one per Sozialraum, none (yet) in the ageing one
        for sozialraum in sorted({p.g.sozialraum for p in self.places} - {self.ageing}):
            art = self.choice(["Sozialraumzentrum", "Sozialraumbüro"])
            add("sozialraumzentrum", self.head(sozialraum), f"Sozialraumzentrum {sozialraum}", art, JUGENDAMT,
                since=self.date(2016, 2022))  # fmt: skip
        # Familienbüros
        add("familienbuero", kreisstadt, "Familienbüro des Landkreises Musterland", "Familienbüro",
            f"{KREIS} (Kreisverwaltung)")  # fmt: skip
        add("familienbuero", bad, "Familienservicebüro im Rathaus", "Familienservicebüro", bad.municipality)

    @staticmethod
    def vg(seat: Place) -> str:
        return f"Verbandsgemeinde {seat.g.name}"

    # ------------------------------------------------------------ the list
    def rows(self) -> tuple[list[Row], dict[str, int]]:
        """All rows in list order (Angebotsart, Gemeinde, name), ids, and the faulty rows: quirk -> index."""
        from etl.offers_taxonomy import offer_types

        position = offer_types()["position"].to_dict()
        self.offers.sort(key=lambda o: (position[o.type_id], o.row.gemeinde_ags, o.row.name))
        for k, offer in enumerate(self.offers, start=1):
            offer.row.id = f"ML-{k:04d}"
        self._check_unique()
        quirks = self._modify_rows()
        rows = [o.row for o in self.offers]
        for key, row in self._extra_rows(rows, quirks):
            quirks[key] = len(rows)
            rows.append(row)
        return rows, quirks

    def _check_unique(self) -> None:
        keys = [(o.row.name, o.row.angebotsart, o.row.strasse, o.row.plz) for o in self.offers]
        if len(set(keys)) != len(keys):
            raise RuntimeError("two demo offers share name, Angebotsart and address; change the names")

    def _modify_rows(self) -> dict[str, int]:
        index = {id(o): i for i, o in enumerate(self.offers)}
        places = {p.g.ags: p for p in self.places}
        kitas = [o for o in self.offers if o.type_id == "kita" and places[o.row.gemeinde_ags].role == "village"]
        # a village Kita keyed with the Gemeindeschlüssel of its Verbandsgemeinde seat
        contradicts = next(o for o in kitas if places[o.row.gemeinde_ags].g.sozialraum not in (self.poorer, self.young))
        contradicts.row.gemeinde_ags = places[contradicts.row.gemeinde_ags].seat.ags
        # the village Kita nearest to 40 places (not in the suburb, whose gap should show): "ca. 40"
        candidates = [o for o in kitas if o is not contradicts and o.row.gemeinde_ags != self.suburb]
        vague = min(candidates, key=lambda o: (abs(o.row.kapazitaet - 40), index[id(o)]))
        vague.row.kapazitaet = "ca. 40"
        # the first Jugendraum of a village: lat and lon swapped
        swapped = next(o for o in self.offers if o.row.name.startswith("Jugendraum "))
        swapped.row.lon, swapped.row.lat = swapped.row.lat, swapped.row.lon
        # the outreach offer: no address and no coordinates, only the Gemeindeschlüssel
        mobile = next(o for o in self.offers if "(aufsuchend)" in o.row.name)
        mobile.row.strasse, mobile.row.lon, mobile.row.lat, mobile.xy = "", None, None, None
        return {"capacity_text": index[id(vague)], "key_contradicts": index[id(contradicts)],
                "latlon_swapped": index[id(swapped)], "no_coordinates": index[id(mobile)]}  # fmt: skip

    def _extra_rows(self, rows: list[Row], quirks: dict[str, int]) -> list[tuple[str, Row]]:
        """Rows added at the end of the list, as late additions: a duplicate, an unknown Angebotsart, an offer of
        the neighbouring county, two awkward names."""
        kreisstadt, bad = self.place(TOWN_NAMES[0]), self.place(TOWN_NAMES[1])
        next_id = len(rows) + 1
        town_kitas = [r for r in rows if r.ort == kreisstadt.g.name and r.angebotsart in ("Kita", "Kindertagesstätte")]
        extra = [("duplicate", replace(town_kitas[0]))]
        lon, lat = wgs84(self.point(bad))
        extra.append(("unknown_type", Row("", "Tanzschule Taktvoll", "Tanzschule", "Taktvoll GmbH", self.address(bad),
                                          bad.plz[0], bad.g.name, bad.g.ags, lon, lat, None, 4, None,
                                          "2012-09-01")))  # fmt: skip
        lon, lat = wgs84(self.outside_point(bad))
        extra.append(("outside", Row("", "Erziehungsberatungsstelle Nachbarstadt", "Erziehungsberatung",
                                     "Diakonisches Werk Nachbarland e. V.", "Am Markt 3", "99599", "Nachbarstadt", "",
                                     lon, lat, None, 0, 27, "1998-01-01")))  # fmt: skip
        lon, lat = wgs84(self.point(kreisstadt))
        extra.append(("html_name", Row("", "<img src=x onerror=alert(1)>", "Jugendtreff", "Stadt Musterstadt",
                                       self.address(kreisstadt), kreisstadt.plz[1], kreisstadt.g.name, kreisstadt.g.ags,
                                       lon, lat, None, 12, 18, "2023-11-01")))  # fmt: skip
        lon, lat = wgs84(self.point(bad))
        extra.append(("ampersand_name", Row("", "Eltern & Kind Café \"Kunterbunt\" (Oma's Stube)", "Familienbildung",
                                            "Kunterbunt & Co. e. V. (freier Träger)", self.address(bad), bad.plz[0],
                                            bad.g.name, bad.g.ags, lon, lat, None, 0, 6, "2023-10-01")))  # fmt: skip
        for k, (key, row) in enumerate(extra):
            if key != "duplicate":  # a copy keeps the id of the row it copies
                row.id = f"ML-{next_id + k:04d}"
        return extra

    def outside_point(self, towards: Place) -> tuple[float, float]:
        """A point beyond the county border, in the direction of ``towards`` as seen from the county centre."""
        direction = (towards.centre - CENTRE) / np.linalg.norm(towards.centre - CENTRE)
        ray = LineString([CENTRE, CENTRE + direction * 100_000])
        crossing = shapely.get_parts(ray.intersection(self.county.geometry.exterior))
        border = max(crossing, key=lambda p: Point(CENTRE).distance(p))
        xy = np.array(border.coords[0]) + direction * OUTSIDE_DISTANCE_M
        if self.county.geometry.distance(Point(xy)) < OUTSIDE_DISTANCE_M / 2:
            raise RuntimeError("the neighbour's offer lies too close to the county")
        return float(xy[0]), float(xy[1])


def wgs84(xy: tuple[float, float] | None) -> tuple[float | None, float | None]:
    if xy is None:
        return None, None
    lon, lat = _TO_WGS84.transform(*xy)
    return round(lon, 6), round(lat, 6)


def offer_list(county: County, counts: np.ndarray) -> tuple[list[Row], dict[str, int]]:
    """The rows of the demo list and the index of each faulty row (QUIRKS)."""
    maker = OfferMaker(county, counts)
    maker.kitas()
    maker.tagespflege()
    schools = maker.schools()
    maker.school_social_work(schools)
    maker.services()
    return maker.rows()


# ---------------------------------------------------------------- files
def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".replace(".", ",")  # German Excel writes the decimal comma
    return str(value)


def offer_csv(rows: list[Row]) -> bytes:
    """`;`-separated, UTF-8 with BOM, CRLF: what German Excel saves as "CSV UTF-8"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([[_csv_cell(v) for v in astuple(r)] for r in rows])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def notice_lines(rows: list[Row], quirks: dict[str, int]) -> list[str]:
    lines = [
        "DEMODATEN – frei erfunden, keine echten Angebote",
        "",
        "Diese Angebotsliste gehört zum fiktiven „Landkreis Musterland (Demodaten)“ (AGS 99001; Land 99 gibt es",
        "nicht). Alle Namen, Träger, Adressen, Postleitzahlen, Koordinaten und Platzzahlen sind erfunden und von",
        "„python -m etl.demo“ (Planungsatlas Familie) erzeugt. Ähnlichkeiten mit echten Einrichtungen sind Zufall;",
        "auch die Postleitzahlen 99xxx sind erfunden (echte Orte mit diesen Postleitzahlen sind nicht gemeint).",
        "",
        f"Format „planungsatlas“ (docs/OFFERS.md): Blatt „{SHEET}“, Kopfzeile in Zeile 1, Koordinaten WGS84 (Grad).",
        f"Stand der Liste: {STAND[8:]}.{STAND[5:7]}.{STAND[:4]}",
        "",
        "Absichtlich fehlerhafte Zeilen (damit der Importbericht etwas zeigt, siehe data/demo/README.md):",
    ]
    for key, index in sorted(quirks.items(), key=lambda kv: kv[1]):
        what = QUIRKS[key]
        if key == "duplicate":
            what += f" (wie Zeile {rows.index(rows[index]) + 2})"
        lines.append(f"Zeile {index + 2}: {what}")
    return lines


def offer_workbook(rows: list[Row], quirks: dict[str, int]) -> bytes:
    """The list as .xlsx; fixed document and zip times, so regenerating changes no byte with the same libraries."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(COLUMNS)
    for row in rows:
        ws.append(list(astuple(row)))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    text_columns = {"plz", "gemeinde_ags"}
    for column, name in enumerate(COLUMNS, start=1):
        letter = ws.cell(1, column).column_letter
        for cell in ws[letter][1:]:
            if name in text_columns:
                cell.number_format = "@"
            elif name in ("lon", "lat"):
                cell.number_format = "0.000000"
        width = max(len(str(cell.value)) for cell in ws[letter] if cell.value is not None)
        ws.column_dimensions[letter].width = min(width + 2, 60)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    notice = wb.create_sheet(NOTICE_SHEET)
    for line in notice_lines(rows, quirks):
        notice.append([line])
    notice["A1"].font = Font(bold=True, size=14)
    notice.column_dimensions["A"].width = 110
    wb.properties.title = "Angebotsliste Landkreis Musterland (Demodaten)"
    wb.properties.subject = "Demodaten – frei erfunden"
    wb.properties.creator = "Planungsatlas Familie (etl/demo_offers.py)"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()  # wb.save() would stamp "modified" now
    # zip entries carry the time they were written: copy them with a fixed time
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info))
    return out.getvalue()


def write_offer_lists(county: County, counts: np.ndarray, out_dir: Path) -> None:
    """Write angebote/angebote_musterland_demodaten.xlsx and .csv (the same rows) into out_dir."""
    rows, quirks = offer_list(county, counts)
    folder = Path(out_dir) / LIST_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / XLSX_NAME).write_bytes(offer_workbook(rows, quirks))
    (folder / CSV_NAME).write_bytes(offer_csv(rows))
