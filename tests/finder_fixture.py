"""A tiny hand-made Kreis for the finder tests: two square Gemeinden and offers at positions chosen so that the
straight-line distances from the middle of Westdorf can be worked out by hand (tests/test_finder.py,
tests/test_browser_finder.py).

Westdorf is the square 7.0–7.2° E × 50.0–50.2° N; its middle, (7.1, 50.1), is where a search for "Westdorf"
measures from (no Gemeindeverzeichnis for this Kreis: the representative point of a square is its centre).
"""
from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from etl.offers_taxonomy import lebensphasen, offer_types
from finder.data import PUBLIC_OFFER_COLUMNS, FinderData

KREIS = "99002"
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
TEMPLATE_NAME = "{{7*7}} Familienzentrum"
CENTRE = (7.1, 50.1)  # lon, lat of Westdorf's middle
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG), as finder.js uses it

# name, Angebotsart, lon, lat, address, Gemeinde; in the order of their distance from CENTRE
OFFERS = [
    ("Kita Nah", "kita", 7.1, 50.11, "Dorfstraße 1, 99999 Westdorf", "Westdorf"),
    ("Beratung Mitte", "erziehungsberatung", 7.1, 50.15, "Am Bach 2, 99999 Unterwestdorf", "Westdorf"),
    (HOSTILE_NAME, "jugendtreff", 7.2, 50.1, "Grenzweg 3, 99999 Westdorf", "Westdorf"),
    (TEMPLATE_NAME, "familienzentrum", 7.3, 50.1, "Marktplatz 4, 99998 Ostheim", "Ostheim"),
]
GEMEINDE_IDS = {"Westdorf": f"{KREIS}001", "Ostheim": f"{KREIS}002"}


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance: 2R·asin(√(sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)))."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def fixture_data() -> FinderData:
    gemeinden = gpd.GeoDataFrame(
        {"area_id": list(GEMEINDE_IDS.values()), "name": list(GEMEINDE_IDS), "parent_name": ["Prüfland", "Prüfland"]},
        geometry=[box(7.0, 50.0, 7.2, 50.2), box(7.2, 50.0, 7.4, 50.2)], crs="EPSG:4326",
    )  # fmt: skip
    kreis = gpd.GeoDataFrame({"area_id": [KREIS], "name": ["Landkreis Prüfland"]}, geometry=[box(7.0, 50.0, 7.4, 50.2)], crs="EPSG:4326")
    rows = []
    for name, kind, lon, lat, address, gemeinde in OFFERS:
        row = dict.fromkeys(PUBLIC_OFFER_COLUMNS, "")
        row.update(name=name, offer_type=kind, address=address, lon=lon, lat=lat, alter_von=None, alter_bis=None,
                   gemeinde_id=GEMEINDE_IDS[gemeinde], telefon="069 90009 123", zeiten="Mo–Fr 9–12 Uhr",
                   beschreibung=f"Beschreibung von {name}")  # fmt: skip
        rows.append(row)
    offers = pd.DataFrame(rows).assign(stand="2024-03-01")
    types = offer_types().reset_index(drop=True)[["offer_type", "label", "lebensphasen", "position"]]
    phases = lebensphasen().reset_index(drop=True)[["phase_id", "label", "position"]]
    return FinderData(KREIS, "Landkreis Prüfland", False, offers, types, phases, gemeinden, kreis,
                      "© GeoBasis-DE / BKG 2021 (Daten verändert)", ["Angebotsliste Prüfland"])  # fmt: skip
