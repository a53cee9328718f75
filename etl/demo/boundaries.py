"""Boundaries and the Sozialraum mapping of the demo county, in the formats of the real sources.

write_shapefiles writes the layers VG250_GEM (Gemeinden), VG250_VWG (Verbandsgemeinden and verbandsfreie
Gemeinden), VG250_KRS (the Kreis) and VG250_LAN (a fictitious Land 99 around it) in the BKG VG250 attribute schema
(EPSG:25832, UTF-8) with a README saying that this is no BKG data; sozialraum_csv is the Gemeinde → Sozialraum
mapping CSV that a county config points to.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pyogrio

from etl.demo.county import CRS, KREIS_AGS, KREIS_GEN, TOWN_NAMES, County
from etl.demo.tables import write_text


def _vg250_row(objid: int, ars: str, ags: str, gen: str, bez: str, ibz: int, bem: str, ade: int, sdv_ars: str) -> dict:
    """One row in the VG250/VG5000 attribute schema; SN_* are the parts of the 12-digit ARS."""
    ars_0 = ars.ljust(12, "0")
    return {
        "OBJID": f"DEDEMOVG250{objid:05d}", "BEGINN": date(2023, 1, 1), "ADE": ade, "GF": 4, "BSG": 1,
        "ARS": ars, "AGS": ags, "SDV_ARS": sdv_ars, "GEN": gen, "BEZ": bez, "IBZ": ibz, "BEM": bem, "NBD": "ja",
        "SN_L": ars_0[:2], "SN_R": ars_0[2], "SN_K": ars_0[3:5], "SN_V1": ars_0[5:7], "SN_V2": ars_0[7:9],
        "SN_G": ars_0[9:], "FK_S3": "K", "NUTS": "DEX01", "ARS_0": ars_0,
        "AGS_0": ags.ljust(8, "0") if ags != "--------" else ags, "WSK": date(2019, 1, 1),
    }  # fmt: skip


GEO_README = """# VG250-style boundaries of the demo county (generated)

Invented geometry of "Landkreis Musterland (Demodaten)", AGS 99001 (Land 99 does not exist), written by
`python -m etl.demo` in the BKG VG250 schema (EPSG:25832, UTF-8). NOT BKG data; do not edit by hand.
"""
_GEM_KIND = {"Stadt": (61, "--"), "Gemeinde": (64, "gemeinschaftsangehörig"), "Gemeindefreies Gebiet": (65, "--")}
_VWG_KIND = {"Verbandsgemeinde": (52, "--"), "Gemeinschaftsfreie Gemeinde": (88, "gemeinschaftsfrei")}


def write_shapefiles(county: County, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    gem = [_vg250_row(i + 1, g.ars, g.ags, g.name, g.bez, *_GEM_KIND[g.bez], 6, g.ars)
           for i, g in enumerate(county.gemeinden)]  # fmt: skip
    vwg = [_vg250_row(i + 101, v.ars, "--------", v.name, v.bez, *_VWG_KIND[v.bez], 5, v.seat_ars)
           for i, v in enumerate(county.verbaende)]  # fmt: skip
    seat = next(g.ars for g in county.gemeinden if g.name == TOWN_NAMES[0])
    krs = [_vg250_row(201, KREIS_AGS, KREIS_AGS, KREIS_GEN, "Landkreis", 43, "--", 4, seat)]
    # a fictitious Land 99 around the county, so the demo has every layer of a BKG release
    lan = [_vg250_row(301, KREIS_AGS[:2], KREIS_AGS[:2], "Demoland", "Land", 20, "--", 2, seat)]
    layers = {
        "VG250_GEM": (gem, [g.geometry for g in county.gemeinden]),
        "VG250_VWG": (vwg, [v.geometry for v in county.verbaende]),
        "VG250_KRS": (krs, [county.geometry]),
        "VG250_LAN": (lan, [county.geometry.buffer(15_000, quad_segs=4).simplify(500)]),
    }
    for layer, (rows, geometries) in layers.items():
        frame = gpd.GeoDataFrame(rows, geometry=geometries, crs=CRS)
        # Arrow turns datetime.date into a dbf Date field as BKG has it (the default path writes text);
        # RESIZE shrinks the text fields to their longest value instead of 80 characters each.
        pyogrio.write_dataframe(frame, folder / f"{layer}.shp", driver="ESRI Shapefile", encoding="UTF-8",
                                use_arrow=True, layer_options={"RESIZE": "YES"})  # fmt: skip
    write_text(folder / "README.md", GEO_README)


def sozialraum_csv(county: County) -> str:
    lines = ["gemeinde_ags;gemeinde_name;sozialraum"] + [f"{g.ags};{g.name};{g.sozialraum}" for g in county.gemeinden]
    return "\n".join(lines) + "\n"

