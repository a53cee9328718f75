"""What a family can type as its place, each with a point to measure from (offline: no geocoder).

- every Gemeinde of the Kreis: the centre coordinates of the Destatis Gemeindeverzeichnis where it is in
  ``../shared/data`` (statistics/gemeindeverzeichnis_destatis_gv100_auszug), else a point inside the Gemeinde's
  outline (its representative point, never outside it); two Gemeinden of the same name get their Verband's name;
- postcodes: the Gemeindeverzeichnis's postcode of each Gemeinde, and the postcodes in the addresses of the public
  offers, each as "PLZ Gemeinde" at that Gemeinde's point (a bare postcode is the middle of all its Gemeinden);
- Ortsteile: place names in the addresses of public offers that are not a Gemeinde ("54329 Konz-Könen"), at the
  middle of those offers. Official Ortsteil lists are not in the data at hand.
Only public offers feed these places, so the list reveals nothing that the offers do not.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl.config import shared_data_root

GV_FILE = Path("statistics/gemeindeverzeichnis_destatis_gv100_auszug/31122019_Auszug_GV.xlsx")
GV_SHEET = "Onlineprodukt_Gemeinden_311219"
GV_GEMEINDE = "60"  # Satzart of a Gemeinde record
_POSTCODE_PLACE = re.compile(r"(?:^|,\s*)(\d{5})\s+([^,]+?)\s*$")
PRECISION = 5  # decimals of a place's coordinates: about 1 m


def gemeindeverzeichnis(kreis: str, data_root: Path | None = None) -> dict[str, tuple[str, str, float, float]]:
    """AGS -> (name, postcode, lon, lat) of the Kreis's Gemeinden from the Gemeindeverzeichnis; {} without the file.

    Reading the 2 MB workbook takes seconds, so the Germany-wide extract is cached (in $XDG_CACHE_HOME or ~/.cache,
    keyed by the file's size and time) when that folder is writable."""
    path = (data_root or shared_data_root()) / GV_FILE
    if not path.is_file() or not (kreis[:2].isdigit() and 1 <= int(kreis[:2]) <= 16):
        return {}  # no file, or not a real Land (the demo county's Land 99): nothing to look up
    stat = path.stat()
    key = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "planungsatlas" / f"gv-{key}.json"
    try:
        every = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        every = _read_gv(path)
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(every, ensure_ascii=False), encoding="utf-8")
        except OSError:
            pass  # no writable cache: read the workbook each time
    return {ags: tuple(values) for ags, values in every.items() if ags.startswith(kreis)}


def _read_gv(path: Path) -> dict[str, list]:
    """Every Gemeinde record: AGS (Land + RB + Kreis + Gemeinde) -> [name, postcode, lon, lat]."""
    import openpyxl

    with open(path, "rb") as f:
        sheet = openpyxl.load_workbook(f, read_only=True, data_only=True)[GV_SHEET]
        found = {}
        for row in sheet.iter_rows(values_only=True):
            if len(row) < 16 or str(row[0] or "").strip() != GV_GEMEINDE:
                continue
            land, rb, kreis, gemeinde = (str(row[i] or "").strip() for i in (2, 3, 4, 6))
            try:
                lon, lat = (float(str(row[i]).replace(",", ".")) for i in (14, 15))
            except (TypeError, ValueError):
                continue
            found[land + rb + kreis + gemeinde] = [str(row[7] or "").strip(), str(row[13] or "").strip(), lon, lat]
    return found


def places(gemeinden: gpd.GeoDataFrame, offers: pd.DataFrame, gv: dict[str, tuple[str, str, float, float]]) -> list[list]:
    """[label, name, kind, lon, lat, postcode] per place; kind g = Gemeinde, p = postcode, o = Ortsteil/Ort.

    ``offers``: the public offers (address, gemeinde_id, lon, lat)."""
    inside = gemeinden.geometry.representative_point()
    points = {a: (gv[a][2], gv[a][3]) if a in gv else (p.x, p.y) for a, p in zip(gemeinden["area_id"], inside)}
    name_count = gemeinden["name"].value_counts()
    label_of = {}
    for area_id, name, parent in zip(gemeinden["area_id"], gemeinden["name"], gemeinden["parent_name"]):
        label_of[area_id] = f"{name} ({parent})" if name_count[name] > 1 and isinstance(parent, str) else name
    result = [[label_of[a], n, "g", *_rounded(points[a]), ""] for a, n in zip(gemeinden["area_id"], gemeinden["name"])]
    pairs = {(values[1], a) for a, values in gv.items() if a in points and re.fullmatch(r"\d{5}", values[1])}
    plain_name = {a: _plain(n) for a, n in zip(gemeinden["area_id"], gemeinden["name"])}
    towns: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for address, area_id, lon, lat in zip(offers["address"], offers["gemeinde_id"], offers["lon"], offers["lat"]):
        match = _POSTCODE_PLACE.search(str(address or ""))
        if not match or area_id not in points:
            continue
        pairs.add((match[1], area_id))
        town = match[2].strip()
        if _plain(town) != plain_name[area_id]:
            towns.setdefault((town, area_id), []).append((lon, lat))
    for plz, area_id in sorted(pairs):
        result.append([f"{plz} {label_of[area_id]}", label_of[area_id], "p", *_rounded(points[area_id]), plz])
    for (town, area_id), where in sorted(towns.items()):
        mean = (sum(x for x, _ in where) / len(where), sum(y for _, y in where) / len(where))
        result.append([f"{town} ({label_of[area_id]})", town, "o", *_rounded(mean), ""])
    return result


def _rounded(point: tuple[float, float]) -> list[float]:
    return [round(float(point[0]), PRECISION), round(float(point[1]), PRECISION)]


def _plain(text: str) -> str:
    return re.sub(r"\W+", " ", str(text).lower()).strip()
