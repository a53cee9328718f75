"""BKG administrative boundaries (VG250 / VG5000 schema): shapefiles or GeoPackage, zipped or unpacked.

Reads the Gemeinden (GEM), Gemeindeverbände (VWG) and Kreise (KRS) of a scope straight from the release as
BKG ships it and returns them in EPSG:25832. A scope is a key prefix: a Kreis ("07235"), a Land ("07") or
Germany (""); each layer is read once for the whole scope.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
from pyproj import Transformer

from etl.errors import EtlError
from etl.keys import ags_from_ars, verband_id_from_ars
from etl.sources.text import require_file
from geo.geometry import DISPLAY_CRS, to_metric
from geo.placement import GERMANY_LONLAT

LAYERS = ("GEM", "VWG", "KRS", "LAN")
OPTIONAL_LAYERS = ("STA",)  # the Staat (Germany), for the Bund reference values; else the Länder dissolved
GERMANY_ID = "DG"  # the key the statistical offices give Germany
COLUMNS = ["ARS", "AGS", "GEN", "BEZ", "GF"]
LAND_AREAS = (4, 9)  # GF: 4 = land with structure (VG250), 9 = VG5000's only value; 1/2 are water without structure
_SHAPEFILE_PARTS = (".dbf", ".shx", ".prj")


class UnknownKreis(EtlError):
    """The configured Kreis key is not in the boundary release."""


@dataclass
class Boundaries:
    gemeinden: gpd.GeoDataFrame  # area_id (AGS), ars, name, bez, verband_id, kreis_id, geometry
    verbaende: gpd.GeoDataFrame  # area_id (ARS[:9]), name, bez, kreis_id, geometry; only real multi-Gemeinde Verbände
    kreis: gpd.GeoDataFrame  # area_id, name, bez, kreis_id, geometry: one row per Kreis of the scope
    laender: gpd.GeoDataFrame  # area_id (2 digits), name, bez, geometry: the Länder the scope touches
    source: Path
    layer_sources: dict[str, str]


def _shapefile_layers(path: Path) -> dict[str, str]:
    """Layer name -> GDAL path for *_GEM.shp etc. in a folder or zip, checking the sidecar files."""
    if path.is_dir():
        names = [str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()]
        prefix = f"{path}/"
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile as exc:
            raise EtlError(
                "Zip-Archiv ist beschädigt",
                file=path,
                expected="ein vollständiges Zip der BKG-Verwaltungsgebiete mit den Shapefiles *_GEM, *_VWG, *_KRS, *_LAN",
                fix="Archiv neu herunterladen (der Download ist vermutlich abgebrochen) oder entpackt als Ordner angeben.",
            ) from exc
        prefix = f"/vsizip/{path}/"
    layers = {}
    for layer in LAYERS + OPTIONAL_LAYERS:
        pattern = re.compile(rf"(^|/)[A-Za-z0-9]+_{layer}\.shp$", re.IGNORECASE)
        hits = sorted(n for n in names if pattern.search(n))
        if not hits:
            continue
        shp = hits[0]
        missing = [ext for ext in _SHAPEFILE_PARTS if not any(n.lower() == shp[:-4].lower() + ext for n in names)]
        if missing:
            raise EtlError(
                f"Zum Shapefile {shp} fehlen die Begleitdateien {', '.join(missing)}",
                file=path,
                expected=".shp, .shx, .dbf und .prj mit gleichem Namen",
                fix="Den vollständigen BKG-Download verwenden (Zip nicht teilweise entpacken).",
            )
        layers[layer] = prefix + shp
    return layers


def _geopackage_layers(path: Path) -> dict[str, str]:
    layers = {}
    for name, _ in pyogrio.list_layers(path):
        for layer in LAYERS + OPTIONAL_LAYERS:
            if name.lower().endswith(f"_{layer.lower()}"):
                layers[layer] = name
    return layers


def _read_layer(path: Path, layers: dict[str, str], layer: str, where: str) -> gpd.GeoDataFrame:
    if path.suffix.lower() == ".gpkg":
        frame = gpd.read_file(path, layer=layers[layer], where=where, engine="pyogrio")
    else:
        frame = gpd.read_file(layers[layer], where=where, engine="pyogrio")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise EtlError(
            f"Ebene {layer} hat nicht das BKG-Schema: Spalten {', '.join(missing)} fehlen",
            file=path,
            expected="VG250/VG5000-Attribute ARS, AGS, GEN, BEZ, GF",
            fix="Verwaltungsgebiete des BKG (VG250 oder VG5000) verwenden.",
        )
    if frame.crs is None:
        raise EtlError(f"Ebene {layer} hat kein Koordinatensystem (.prj fehlt?)", file=path, fix="Vollständigen BKG-Download verwenden.")
    frame = frame[frame["GF"].astype(int).isin(LAND_AREAS)]
    _check_crs_fits(frame, path, layer)
    frame = to_metric(frame)
    _check_in_germany(frame, path, layer)
    return frame


def _crs_name(crs) -> str:
    return crs.name + (f", EPSG:{crs.to_epsg()}" if crs.to_epsg() else "")


def _degrees(low: float, high: float) -> str:
    return f"{low:.1f}–{high:.1f}".replace(".", ",")


def _lon_lat_bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """The frame's bounding box in degrees (the box around the reprojected box: a little larger than the frame)."""
    return Transformer.from_crs(frame.crs, DISPLAY_CRS, always_xy=True).transform_bounds(*frame.total_bounds)


def _check_crs_fits(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """Coordinates outside the range of the .prj's system would reproject to infinity: refuse them here."""
    if frame.empty:
        return
    west, south, east, north = _lon_lat_bounds(frame)
    if np.isfinite([west, south, east, north]).all() and -180 <= west <= east <= 180 and -90 <= south <= north <= 90:
        return
    minx, miny, maxx, maxy = frame.total_bounds
    raise EtlError(
        f"Koordinaten der Ebene {layer} passen nicht zum Koordinatensystem der .prj-Datei ({_crs_name(frame.crs)}): "
        f"x {minx:.0f} bis {maxx:.0f}, y {miny:.0f} bis {maxy:.0f}",
        file=path,
        expected="Koordinaten im Wertebereich des angegebenen Koordinatensystems (Grad: Länge ±180, Breite ±90; "
        "BKG liefert Meter in EPSG:25832 oder EPSG:31467)",
        fix="Die .prj-Dateien aus dem Original-BKG-Download verwenden; eine .prj nicht austauschen oder von Hand schreiben.",
    )


def _check_in_germany(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """``frame`` in EPSG:25832; every polygon must lie in the (generous) box around Germany."""
    if frame.empty:
        return
    min_lon, min_lat, max_lon, max_lat = GERMANY_LONLAT
    germany = Transformer.from_crs(DISPLAY_CRS, frame.crs, always_xy=True).transform_bounds(*GERMANY_LONLAT)
    minx, miny, maxx, maxy = frame.total_bounds
    if germany[0] <= minx and maxx <= germany[2] and germany[1] <= miny and maxy <= germany[3]:
        return
    west, south, east, north = _lon_lat_bounds(frame)
    raise EtlError(
        f"Grenzen der Ebene {layer} liegen außerhalb Deutschlands (etwa {_degrees(west, east)}° Ost, {_degrees(south, north)}° Nord)",
        file=path,
        expected=f"Verwaltungsgebiete in Deutschland ({_degrees(min_lon, max_lon)}° Ost, {_degrees(min_lat, max_lat)}° Nord)",
        fix="Die Verwaltungsgebiete des BKG (VG250 oder VG5000) unverändert verwenden; passt die .prj-Datei nicht zu den "
        "Koordinaten, die .prj aus dem Original-Download nehmen.",
    )


def read_boundaries(path: Path, scope: str) -> Boundaries:
    """Gemeinden, Verbände and Kreise whose key starts with ``scope`` (Kreis, Land or "" for Germany)."""
    require_file(path, "Grenzdaten (BKG VG250/VG5000)")
    layers = _geopackage_layers(path) if path.suffix.lower() == ".gpkg" else _shapefile_layers(path)
    missing = [layer for layer in LAYERS if layer not in layers]
    if missing:
        raise EtlError(
            f"Ebenen {', '.join(missing)} nicht gefunden",
            file=path,
            expected="Dateien *_GEM, *_VWG, *_KRS und *_LAN (Shapefile oder GeoPackage) wie im BKG-Download",
            fix="Den Ordner bzw. das Zip der BKG-Verwaltungsgebiete „Ebenen“ angeben.",
        )
    kreis_frame = _read_layer(path, layers, "KRS", f"AGS LIKE '{scope}%'")
    if kreis_frame.empty:
        raise UnknownKreis(
            f"Kreis '{scope}' kommt in den Grenzdaten {path.name} nicht vor",
            file=path,
            column="county.ags",
            expected="ein Kreisschlüssel aus der KRS-Ebene, z. B. " + _kreis_examples(path, layers, scope),
            fix="Kreisschlüssel in der Konfiguration korrigieren (Stand der Grenzdaten beachten: Kreisreformen).",
        )
    gemeinden = _read_layer(path, layers, "GEM", f"AGS LIKE '{scope}%'")
    verbaende = _read_layer(path, layers, "VWG", f"ARS LIKE '{scope}%'")

    gemeinden = gemeinden.dissolve(by="AGS", aggfunc="first", as_index=False)  # VG250 may split a Gemeinde
    gemeinden = gpd.GeoDataFrame(
        {
            "area_id": gemeinden["AGS"],
            "ars": gemeinden["ARS"],
            "name": gemeinden["GEN"],
            "bez": gemeinden["BEZ"],
            "verband_id": gemeinden["ARS"].map(verband_id_from_ars),
            "kreis_id": gemeinden["AGS"].str[:5],
        },
        geometry=gemeinden.geometry.values,
        crs=gemeinden.crs,
    )
    assert (gemeinden["ars"].map(ags_from_ars) == gemeinden["area_id"]).all()
    members = gemeinden["verband_id"].value_counts()
    verbaende = verbaende.dissolve(by="ARS", aggfunc="first", as_index=False)
    # BKG lists verbandsfreie Gemeinden as their own VWG; only real Verbände form a planning level
    verbaende = verbaende[verbaende["ARS"].map(members).fillna(0) > 1]
    verbaende = gpd.GeoDataFrame(
        {"area_id": verbaende["ARS"], "name": verbaende["GEN"], "bez": verbaende["BEZ"], "kreis_id": verbaende["ARS"].str[:5]},
        geometry=verbaende.geometry.values,
        crs=verbaende.crs,
    )
    gemeinden.loc[~gemeinden["verband_id"].isin(verbaende["area_id"]), "verband_id"] = None
    kreis_frame = kreis_frame.dissolve(by="AGS", aggfunc="first", as_index=False)
    kreis_frame = gpd.GeoDataFrame(
        {"area_id": kreis_frame["AGS"], "name": kreis_frame["GEN"], "bez": kreis_frame["BEZ"], "kreis_id": kreis_frame["AGS"]},
        geometry=kreis_frame.geometry.values,
        crs=kreis_frame.crs,
    )
    laender = _read_layer(path, layers, "LAN", f"AGS LIKE '{scope[:2]}%'").dissolve(by="AGS", aggfunc="first", as_index=False)
    laender = gpd.GeoDataFrame(
        {"area_id": laender["AGS"], "name": laender["GEN"], "bez": laender["BEZ"]}, geometry=laender.geometry.values, crs=laender.crs
    )
    return Boundaries(gemeinden.reset_index(drop=True), verbaende.reset_index(drop=True), kreis_frame, laender, path, layers)


@lru_cache(maxsize=4)
def read_germany(path: Path, layers: tuple[tuple[str, str], ...]) -> gpd.GeoDataFrame:
    """Germany as one area (id 'DG', as the statistics name it) for the Bund reference values: the release's Staat
    layer (STA) where it has one, else its Länder dissolved. Read once per release (every Kreis of a build has it)."""
    by_name = dict(layers)
    if "STA" in by_name:
        frame = _read_layer(path, by_name, "STA", "1=1")
    else:
        frame = _read_layer(path, by_name, "LAN", "1=1")
    geometry = frame.geometry.union_all()
    attributes = {"area_id": [GERMANY_ID], "name": ["Deutschland"], "bez": ["Bundesrepublik"]}
    return gpd.GeoDataFrame(attributes, geometry=[geometry], crs=frame.crs)


def read_all_kreise(path: Path, layers: dict[str, str]) -> gpd.GeoDataFrame:
    """Every Kreis of the release (area_id, name, bez, geometry in EPSG:25832), one row each: for the neighbours."""
    frame = _read_layer(path, layers, "KRS", "1=1").dissolve(by="AGS", aggfunc="first", as_index=False)
    return gpd.GeoDataFrame({"area_id": frame["AGS"], "name": frame["GEN"], "bez": frame["BEZ"]}, geometry=frame.geometry.values,
                            crs=frame.crs)  # fmt: skip


def _kreis_examples(path: Path, layers: dict[str, str], kreis: str) -> str:
    """A few real Kreis keys with names, nearest to the wrong one, for the error message."""
    land = kreis[:2] if kreis[:2].isdigit() else ""
    frame = _read_layer(path, layers, "KRS", f"AGS LIKE '{land}%'") if land else gpd.GeoDataFrame()
    if frame.empty:
        frame = _read_layer(path, layers, "KRS", "1=1")
    rows = frame.sort_values("AGS").head(4)
    return ", ".join(f"\"{r.AGS}\" ({r.GEN})" for r in rows.itertuples())
