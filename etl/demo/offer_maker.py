"""The machinery of the demo offer list: rows, places, points, addresses, list order and the faulty rows.

OfferMaker holds, per populated Gemeinde of the demo county, its 2023 population, role (Kreisstadt, town,
Verbandsgemeinde seat, village), postcodes and an invented village centre; ``add`` turns an offer into a Row of the
format "planungsatlas" (docs/OFFERS.md) with a free address and a point. Which offers exist is decided by its
subclass in etl/demo/offers.py. ``rows`` sorts the list, numbers it and makes the deliberately faulty rows (QUIRKS,
documented in data/demo/README.md) for the import report.

Coordinates: a point near the invented village centre inside the Gemeinde polygon (the one written to VG250_GEM,
EPSG:25832; at least 100 m from its border), converted to WGS84 and rounded to 6 decimals. Own random stream
(SEED, 8): changing the offers leaves every other demo file as it is.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon

from etl.demo.county import CENTRE, CRS, SEED, TOWN_NAMES, County, Gemeinde, poorer_sozialraum
from etl.demo.offer_names import STREETS, TOWN_STREETS

OFFER_STREAM = 8  # SGB VIII: second element of the seed, a random stream of its own
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
    # for the public finder (docs/FINDER.md), filled by etl/demo/offer_details.py; kontakt_intern is never published
    oeffentlich: str = ""
    kontakt: str = ""
    telefon: str = ""
    email: str = ""
    webseite: str = ""
    zeiten: str = ""
    kosten: str = ""
    sprachen: str = ""
    barrierefrei: str = ""
    beschreibung: str = ""
    kontakt_intern: str = ""


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
    """Places and rows of the demo list; the subclass in etl/demo/offers.py adds the offers."""

    def __init__(self, county: County, counts: np.ndarray) -> None:
        self.rng = np.random.default_rng([SEED, OFFER_STREAM])
        self.county = county
        self.poorer = poorer_sozialraum(county)
        self.ageing = next(s for s, p in county.profiles.items() if p == "ageing")
        self.young = next(s for s, p in county.profiles.items() if p == "young")
        self.places = self._places(counts[:, -1].sum(axis=1))  # 2023 (YEARS[-1]), both sexes
        self.suburb = ""  # the under-supplied suburb's key, set by DemoOffers.kitas()
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

