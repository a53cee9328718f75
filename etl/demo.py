"""Generator of the demo county "Landkreis Musterland (Demodaten)", Kreis key 99001.

Everything is invented, but written in exactly the formats of the real sources (BKG VG250 shapefiles,
GENESIS classic-table CSVs, the Sozialraum mapping CSV), so the real loaders read it unchanged. The social tables
(benefits, area and density, unemployment) are made by etl/demo_social.py from the county and population here. Land 99
does not exist, so no demo key can ever collide with a real one. The output is a pure function of SEED:
running `python -m etl.demo` twice gives the same files (tests/test_demo_data.py checks the committed ones).
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from shapely.geometry import Polygon

SEED = 20231231
KREIS_AGS = "99001"  # Land 99 (fictional), no Regierungsbezirk, Kreis 01
KREIS_GEN = "Musterland (Demodaten)"
CRS = "EPSG:25832"
CENTRE = np.array([520_000.0, 5_620_000.0])
RADIUS_M = 20_000.0
N_CELLS = 61  # 60 Gemeinden + the gemeindefreies Gebiet
N_VERBANDSGEMEINDEN = 6
N_SOZIALRAEUME = 5
YEARS = list(range(2014, 2024))
STAND = "Stand: 01.07.2024 / 12:00:00"
DEMO_NOTICE = "Demodaten - erzeugt von Planungsatlas Familie, keine amtlichen Zahlen."  # latin-1 safe: no en dash
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "data" / "demo"

TOWN_NAMES = ("Musterstadt", "Bad Quellenbrunn", "Altenmühl")  # the first is the Kreisstadt
FOREST_NAME = "Gutsbezirk Musterwald"
AGE_GROUPS = (
    "unter 3 Jahre", "3 bis unter 6 Jahre", "6 bis unter 10 Jahre", "10 bis unter 15 Jahre",
    "15 bis unter 18 Jahre", "18 bis unter 20 Jahre", "20 bis unter 25 Jahre", "25 bis unter 30 Jahre",
    "30 bis unter 35 Jahre", "35 bis unter 40 Jahre", "40 bis unter 45 Jahre", "45 bis unter 50 Jahre",
    "50 bis unter 55 Jahre", "55 bis unter 60 Jahre", "60 bis unter 65 Jahre", "65 bis unter 75 Jahre",
    "75 Jahre und mehr",
)  # fmt: skip
# Persons per group in a generic German Gemeinde (relative), and the male share per group.
BASE_AGE_WEIGHTS = np.array([26, 27, 37, 47, 29, 20, 54, 56, 59, 60, 59, 66, 76, 74, 66, 113, 114], float)
MALE_SHARE = np.array([.513, .513, .512, .512, .515, .52, .525, .52, .51, .505, .5, .5, .5, .495, .49, .47, .4])
_GROUP = np.arange(len(AGE_GROUPS))
CHILD, YOUNG_ADULT = _GROUP < 5, (_GROUP >= 5) & (_GROUP < 8)  # under 18, 18 to 30
PARENT, SENIOR = (_GROUP >= 8) & (_GROUP < 11), _GROUP >= 15  # 30 to 45, 65 and over

_PREFIXES = """Birken Eichen Buchen Linden Tannen Erlen Eschen Ahorn Rosen Wald Berg Stein Mühl Kirch Brunn Hasel
    Weiden Fichten Kalk Sand Hohen Nieder Ober Alten Fuchs Wolfs Hirsch Raben Falken Schön Grün Kalten Sonnen Bären
    Lerchen Holler Wiesen Hafer Flachs Kranich""".split()
_SUFFIXES = """dorf bach feld hausen heim berg au tal rode stedt hagen weiler born brück wald kirchen hofen ingen stein
    scheid""".split()
_QUALIFIERS = (" am See", " im Grund", " (Hochwald)", " an der Muster", " ob der Heide")


@dataclass(frozen=True)
class Gemeinde:
    ars: str
    name: str  # as BKG writes it (GEN), without ", Stadt"
    bez: str  # "Stadt" | "Gemeinde" | "Gemeindefreies Gebiet"; its VWG row is ars[:9]
    sozialraum: str
    geometry: Polygon

    @property
    def ags(self) -> str:
        return self.ars[:5] + self.ars[9:]

    @property
    def genesis_name(self) -> str:
        return f"{self.name}, Stadt" if self.bez == "Stadt" else self.name


@dataclass(frozen=True)
class Verband:
    ars: str  # 9 digits
    name: str
    bez: str  # "Verbandsgemeinde" | "Gemeinschaftsfreie Gemeinde"
    seat_ars: str
    geometry: Polygon


@dataclass(frozen=True)
class County:
    gemeinden: list[Gemeinde]  # sorted by AGS, as the statistics list them
    verbaende: list[Verband]
    geometry: Polygon
    profiles: dict[str, str]  # Sozialraum -> "young" | "ageing" | "mixed"
    # the total row GENESIS writes above the Gemeinden (key, name); None for tables without one
    total_row: tuple[str, str] | None = (KREIS_AGS, f"{KREIS_GEN}, Landkreis")


# ---------------------------------------------------------------- geometry
def county_outline(rng: np.random.Generator) -> Polygon:
    """A smooth blob of ~1,250 km²: a circle perturbed by a few low-frequency sine terms."""
    theta = np.linspace(0, 2 * np.pi, 360, endpoint=False)
    radius = np.ones_like(theta)
    for k in (2, 3, 4, 5):
        radius += rng.uniform(0.02, 0.06) * np.sin(k * theta + rng.uniform(0, 2 * np.pi))
    xy = CENTRE + RADIUS_M * radius[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    return Polygon(np.round(xy))


def _clipped_voronoi(points: np.ndarray, outline: Polygon) -> list[Polygon]:
    diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=outline, ordered=True)
    return [cell.intersection(outline) for cell in diagram.geoms]


def tessellate(outline: Polygon, rng: np.random.Generator) -> list[Polygon]:
    """Voronoi cells of Lloyd-relaxed random seeds, snapped to a 1 m grid without gaps or overlaps."""
    xmin, ymin, xmax, ymax = outline.bounds
    candidates = rng.uniform((xmin, ymin), (xmax, ymax), size=(4 * N_CELLS, 2))
    points = candidates[shapely.contains_xy(outline, candidates[:, 0], candidates[:, 1])][:N_CELLS]
    for _ in range(10):  # Lloyd relaxation evens out cell sizes
        points = np.array([c.centroid.coords[0] for c in _clipped_voronoi(points, outline)])
    cells = _clipped_voronoi(points, outline)
    # Rounding each cell on its own would open slivers between neighbours; snapping the shared,
    # noded linework once and polygonising it keeps every shared edge identical in both cells.
    linework = shapely.set_precision(shapely.unary_union([c.boundary for c in cells]), 1.0)
    faces = list(shapely.polygonize(list(shapely.get_parts(linework))).geoms)
    if len(faces) != N_CELLS or not all(f.is_valid and isinstance(f, Polygon) for f in faces):
        raise RuntimeError(f"tessellation produced {len(faces)} faces for {N_CELLS} seeds; change SEED")
    # Stable order (north to south, west to east) so numbering does not depend on GEOS internals.
    return sorted(faces, key=lambda f: (-round(f.centroid.y), round(f.centroid.x)))


def adjacency(cells: list[Polygon]) -> list[set[int]]:
    """Neighbours sharing an edge (a common point only does not count)."""
    polygons = np.array(cells, dtype=object)
    shared = shapely.length(shapely.intersection(polygons[:, None], polygons[None, :]))
    return [{int(j) for j in np.flatnonzero(row > 1.0) if j != i} for i, row in enumerate(shared)]


def _centroids(cells: list[Polygon]) -> np.ndarray:
    return np.array([c.centroid.coords[0] for c in cells])


def _farthest_points(xy: np.ndarray, candidates: list[int], first: int, n: int) -> list[int]:
    chosen = [first]
    while len(chosen) < n:
        distance = np.min(np.linalg.norm(xy[candidates][:, None] - xy[chosen][None], axis=2), axis=1)
        chosen.append(candidates[int(np.argmax(distance))])
    return chosen


def grow_regions(seeds: list[int], free: set[int], neighbours: list[set[int]], xy: np.ndarray) -> list[set[int]]:
    """Contiguous regions grown from seeds; the smallest region with a free neighbour grows first."""
    regions = [{s} for s in seeds]
    free = free - set(seeds)
    while free:
        for k in sorted(range(len(regions)), key=lambda k: (len(regions[k]), k)):
            frontier = sorted({m for c in regions[k] for m in neighbours[c]} & free)
            if frontier:
                nearest = min(frontier, key=lambda c: np.linalg.norm(xy[c] - xy[seeds[k]]))
                regions[k].add(nearest)
                free.discard(nearest)
                break
        else:
            raise RuntimeError(f"cells {sorted(free)} are not reachable from any seed; change SEED")
    return regions


def merge_smallest(units: list[set[int]], neighbours: list[set[int]], n: int) -> list[set[int]]:
    """Merge the smallest unit into its smallest neighbour until n contiguous groups remain."""
    groups = [set(u) for u in units]
    while len(groups) > n:
        small = min(range(len(groups)), key=lambda k: (len(groups[k]), k))
        touching = {m for c in groups[small] for m in neighbours[c]}
        partner = min((k for k in range(len(groups)) if k != small and groups[k] & touching),
                      key=lambda k: (len(groups[k]), k))  # fmt: skip
        groups[partner].update(groups[small])
        del groups[small]
    return groups


def invent_names(rng: np.random.Generator, n: int) -> list[str]:
    """n unique German-sounding village names (prefix + suffix, a few with a qualifier)."""
    combos = [(p, s) for p in _PREFIXES for s in _SUFFIXES if p.lower() != s and not (s == "au" and p[-1] in "aeu")]
    names: list[str] = []
    used: dict[str, int] = {}
    for i in rng.permutation(len(combos)):
        prefix, suffix = combos[i]
        # Capping repeats keeps the map from filling up with Steindorf, Steinhagen, Steinbach, ...
        if len(names) < n and used.get(prefix, 0) < 2 and used.get(suffix, 0) < 4:
            names.append(prefix + suffix)
            used[prefix], used[suffix] = used.get(prefix, 0) + 1, used.get(suffix, 0) + 1
    qualified = rng.choice(n, size=len(_QUALIFIERS), replace=False)
    for i, qualifier in zip(qualified, _QUALIFIERS):
        names[i] += qualifier
    return names


def _sort_key(name: str) -> str:
    # AGS numbers follow the alphabet; umlauts sort like their base letter as in official lists.
    return name.translate(str.maketrans("ÄÖÜäöüß", "AOUaous"))


# ---------------------------------------------------------------- county layout
@dataclass(frozen=True)
class _Layout:
    forest: int
    towns: list[int]  # the Kreisstadt first
    vgs: list[set[int]]
    seats: list[int]  # seat (and namesake) of each Verbandsgemeinde


def _assign_roles(cells: list[Polygon], outline: Polygon, neighbours: list[set[int]], xy: np.ndarray) -> _Layout:
    on_border = [i for i, c in enumerate(cells) if c.exterior.intersection(outline.exterior).length > 1.0]
    forest = on_border[0]  # the northernmost border cell: an unpopulated state forest
    inner = [i for i in range(N_CELLS) if i not in on_border]
    kreisstadt = min(inner, key=lambda i: np.linalg.norm(xy[i] - CENTRE))
    towns = _farthest_points(xy, inner, kreisstadt, len(TOWN_NAMES))
    rest = sorted(set(range(N_CELLS)) - set(towns) - {forest})
    remotest = max(rest, key=lambda i: np.linalg.norm(xy[i] - CENTRE))
    vgs = grow_regions(_farthest_points(xy, rest, remotest, N_VERBANDSGEMEINDEN), set(rest), neighbours, xy)
    seats = [min(vg, key=lambda c: np.linalg.norm(xy[c] - xy[sorted(vg)].mean(axis=0))) for vg in vgs]
    return _Layout(forest, towns, vgs, seats)


def _area_keys(layout: _Layout, name: dict[int, str]) -> dict[int, str]:
    """12-digit ARS per cell. Gemeinde numbers follow the alphabet, Verband parts are RLP-style 50nn."""
    populated = sorted(set(range(N_CELLS)) - {layout.forest}, key=lambda c: _sort_key(name[c]))
    # The forest is keyed like Hessen's Gutsbezirke (Verband 9200, Gemeinde 200), towns as verbandsfrei (0ggg).
    number = {c: f"{i + 1:03d}" for i, c in enumerate(populated)} | {layout.forest: "200"}
    verband = {layout.forest: "9200"} | {t: "0" + number[t] for t in layout.towns}
    for rank, k in enumerate(sorted(range(len(layout.vgs)), key=lambda k: _sort_key(name[layout.seats[k]]))):
        verband |= {c: f"50{rank + 1:02d}" for c in layout.vgs[k]}
    return {c: KREIS_AGS + verband[c] + number[c] for c in range(N_CELLS)}


def build_county(rng: np.random.Generator) -> County:
    """Outline, Gemeinden, Verbände, Sozialräume and their names, all from rng."""
    outline = county_outline(rng)
    cells = tessellate(outline, rng)
    neighbours, xy = adjacency(cells), _centroids(cells)
    layout = _assign_roles(cells, outline, neighbours, xy)
    villages = sorted(set().union(*layout.vgs))
    name = dict(zip(villages, invent_names(rng, len(villages)))) | dict(zip(layout.towns, TOWN_NAMES))
    name[layout.forest] = FOREST_NAME
    ars = _area_keys(layout, name)

    # Sozialräume are unions of whole towns/Verbandsgemeinden, named after them as in Trier-Saarburg
    # ("Ruwer/Schweich/Trier-Land"); the forest only joins a neighbour.
    heads = layout.towns + layout.seats
    units = [{t} for t in layout.towns] + layout.vgs + [{layout.forest}]
    groups = merge_smallest(units, neighbours, N_SOZIALRAEUME)
    sr_names = ["/".join(name[h] for h, unit in zip(heads, units) if unit <= g) for g in groups]
    sozialraum = {c: sr_names[k] for k, g in enumerate(groups) for c in g}

    bez = dict.fromkeys(villages, "Gemeinde") | dict.fromkeys(layout.towns, "Stadt")
    bez[layout.forest] = "Gemeindefreies Gebiet"
    gemeinden = [Gemeinde(ars[c], name[c], bez[c], sozialraum[c], cells[c]) for c in range(N_CELLS)]
    # BKG lists every verbandsfreie Gemeinde (and gemeindefreies Gebiet) in VWG as its own Verband.
    verbaende = [Verband(ars[c][:9], name[c], "Gemeinschaftsfreie Gemeinde", ars[c], cells[c])
                 for c in [*layout.towns, layout.forest]]  # fmt: skip
    for seat, vg in zip(layout.seats, layout.vgs):
        verbaende.append(Verband(ars[seat][:9], name[seat], "Verbandsgemeinde", ars[seat], _union(cells, vg)))
    return County(
        gemeinden=sorted(gemeinden, key=lambda g: g.ags),
        verbaende=sorted(verbaende, key=lambda v: v.ars),
        geometry=_union(cells, range(N_CELLS)),
        profiles=_sozialraum_profiles(groups, sr_names, layout.towns[0], xy),
    )


def _union(cells: list[Polygon], members) -> Polygon:
    return shapely.union_all([cells[c] for c in sorted(members)])


def _sozialraum_profiles(groups: list[set[int]], names: list[str], kreisstadt: int, xy: np.ndarray) -> dict[str, str]:
    """The Kreisstadt's Sozialraum is the young suburban one; the most remote other one is ageing and rural."""
    young = next(k for k, g in enumerate(groups) if kreisstadt in g)
    remoteness = [np.linalg.norm(xy[sorted(g)].mean(axis=0) - CENTRE) for g in groups]
    remoteness[young] = -1.0
    ageing = int(np.argmax(remoteness))
    return {n: "young" if k == young else "ageing" if k == ageing else "mixed" for k, n in enumerate(names)}


# ---------------------------------------------------------------- population
# log-scale tilts of the age profile (children, young adults, parents, seniors) and yearly growth rate
PROFILE_TILTS = {"young": (0.22, 0, 0.18, -0.25), "ageing": (-0.18, -0.2, -0.12, 0.28), "mixed": (0, 0, 0, 0)}
PROFILE_GROWTH = {"young": 0.009, "ageing": -0.008, "mixed": 0.001}


def simulate_population(county: County, rng: np.random.Generator) -> np.ndarray:
    """Integer counts [gemeinde, year, sex (m, w), age group]; sums are formed from these parts only."""
    seats = {v.seat_ars for v in county.verbaende if v.bez == "Verbandsgemeinde"}
    counts = np.zeros((len(county.gemeinden), len(YEARS), 2, len(AGE_GROUPS)), dtype=np.int64)
    offset = np.array(YEARS) - YEARS[-1]
    for i, g in enumerate(county.gemeinden):
        if g.bez == "Gemeindefreies Gebiet":
            continue  # nobody lives in the state forest: every cell is "-"
        total = _population_2023(g, g.ars in seats, rng)
        profile = county.profiles[g.sozialraum]
        tilts = np.array(PROFILE_TILTS[profile]) + rng.normal(0, 0.04, 4)
        if g.bez == "Stadt":
            tilts[1] += 0.15  # trainees and students live in the towns
        log_weights = np.log(BASE_AGE_WEIGHTS) + np.column_stack([CHILD, YOUNG_ADULT, PARENT, SENIOR]) @ tilts
        log_weights += rng.normal(0, 0.05, len(AGE_GROUPS))
        shares = np.exp(log_weights) / np.exp(log_weights).sum()
        male = np.clip(MALE_SHARE + rng.normal(0, 0.01, len(AGE_GROUPS)), 0.3, 0.6)
        # Seniors grow faster than the rest everywhere (ageing), children shrink where the area ages.
        drift = PROFILE_GROWTH[profile] + rng.normal(0, 0.002) + 0.012 * SENIOR - 0.004 * CHILD * (profile == "ageing")
        expected = total * shares[None, :] * np.exp(offset[:, None] * drift[None, :])
        counts[i] = np.rint(np.stack([expected * male, expected * (1 - male)], axis=1))
    return counts


def _population_2023(g: Gemeinde, is_seat: bool, rng: np.random.Generator) -> float:
    # Ranges leave room for ten years of trend inside 8,000–30,000 (towns) and 250–3,000 (villages).
    if g.name == TOWN_NAMES[0]:
        return rng.uniform(25_000, 27_000)
    if g.bez == "Stadt":
        return rng.uniform(9_000, 16_000)
    if is_seat:
        return rng.uniform(1_800, 2_700)
    return float(np.clip(np.exp(rng.normal(np.log(700), 0.6)), 290, 1_800))


# ---------------------------------------------------------------- GENESIS classic table CSV
def _genesis_csv(
    title: list[str], header: list[list[str]], rows: list[list[str]], footnote: list[str], *, quoted_copyright: bool = True
) -> str:
    """Title block padded with ';' to the column count, header lines, data rows, footer, LF endings.

    Regionalstatistik quotes its © block, IT.NRW writes the © line bare (``quoted_copyright=False``)."""
    width = len(header[0])
    lines = [title[0]] + [t + ";" * (width - 1) for t in title[1:]]  # the first title line is not padded
    lines += [";".join(h) for h in header] + [";".join(r) for r in rows]
    quoted = [line.replace('"', '""') for line in footnote]
    quoted[0], quoted[-1] = '"' + quoted[0], quoted[-1] + '"'
    # Readers take the attribution from the © line, so it must say that these are no official figures.
    notice = f'"© {DEMO_NOTICE}"' if quoted_copyright else f"© {DEMO_NOTICE}"
    lines += ["__________", *quoted, notice, STAND]
    return "\n".join(lines) + "\n"


def _data_rows(county: County, values: np.ndarray, unknown: np.ndarray | None = None) -> list[list[str]]:
    """Kreis row (exact sum of the Gemeinde rows) first, then the Gemeinden; `unknown` marks '.' cells."""
    rows = []
    if county.total_row:
        key, name = county.total_row
        rows.append([key, f"      {name}", *map(str, values.sum(axis=0))])
    for i, g in enumerate(county.gemeinden):
        # GENESIS writes "-" where nothing exists (an unpopulated area), "0" for a count that happens to be 0.
        cells = ["-" if g.bez == "Gemeindefreies Gebiet" else str(v) for v in values[i]]
        if unknown is not None:
            cells = ["." if unknown[i, j] else c for j, c in enumerate(cells)]
        rows.append([g.ags, f"        {g.genesis_name}", *cells])
    return rows


def _with_total(parts: np.ndarray, axis: int, first: bool) -> np.ndarray:
    total = parts.sum(axis=axis, keepdims=True)
    return np.concatenate([total, parts] if first else [parts, total], axis=axis)


def age_table_csv(county: County, counts: np.ndarray, year: int) -> str:
    """Table 12411-02-03-5 for one Stichtag: Insgesamt, männlich, weiblich × 17 age groups + Insgesamt."""
    by_sex = _with_total(counts[:, YEARS.index(year)], axis=1, first=True)  # [gemeinde, sex, group]
    values = _with_total(by_sex, axis=2, first=False).reshape(len(counts), -1)
    n = len(AGE_GROUPS) + 1
    header = [
        ["", ""] + [s for s in ("Insgesamt", "männlich", "weiblich") for _ in range(n)],
        ["", ""] + ["Altersgruppen (unter 3 bis 75 u.m.)"] * (3 * n),
        ["", ""] + [*AGE_GROUPS, "Insgesamt"] * 3,
    ]
    title = [*_title("12411-02-03-5", "und Altersgruppen (17) - Stichtag 31.12. -"), f"31.12.{year}"]
    return _genesis_csv(title, header, _data_rows(county, values), _footnote('zu "gesamte Tabelle"', year))


def sex_table_csv(county: County, counts: np.ndarray, unknown_ags: str, unknown_years: tuple[int, ...]) -> str:
    """Table 12411-01-01-5: Insgesamt, männlich, weiblich per Stichtag, newest first."""
    years = YEARS[::-1]
    per_year = _with_total(counts.sum(axis=3)[:, ::-1], axis=2, first=True)  # [gemeinde, year, total/m/w]
    unknown = np.zeros(per_year.shape, dtype=bool)
    unknown[[g.ags == unknown_ags for g in county.gemeinden], [years.index(y) for y in unknown_years]] = True
    values, unknown = per_year.reshape(len(counts), -1), unknown.reshape(len(counts), -1)
    header = [
        ["", ""] + [f"31.12.{y}" for y in years for _ in range(3)],
        ["", ""] + ["Insgesamt", "männlich", "weiblich"] * len(years),
    ]
    title = _title("12411-01-01-5", "- Stichtag 31.12. -")
    footnote = _footnote('zu "gesamter Tabelle":', years[0])
    return _genesis_csv(title, header, _data_rows(county, values, unknown), footnote)


def _title(code: str, subtitle: str) -> list[str]:
    return [f"GENESIS-Tabelle: {code}", "Bevölkerungsstand: Bevölkerung nach Geschlecht", subtitle,
            "regionale Tiefe: Gemeinden, Samt-/Verbandsgemeinden", "Fortschreibung des Bevölkerungsstandes",
            "Bevölkerungsstand (Anzahl)"]  # fmt: skip


def _footnote(first_line: str, year: int) -> list[str]:
    return [first_line, "Demodaten: frei erfundene Werte für den fiktiven", "Landkreis Musterland (Land 99)", " ",
            f"Land 99 (fiktiv): Gebietsstand 31.12.{year}"]  # fmt: skip


# ---------------------------------------------------------------- shapefiles and mapping
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
    _write(folder / "README.md", GEO_README)


def sozialraum_csv(county: County) -> str:
    lines = ["gemeinde_ags;gemeinde_name;sozialraum"] + [f"{g.ags};{g.name};{g.sozialraum}" for g in county.gemeinden]
    return "\n".join(lines) + "\n"


def unknown_village(county: County, counts: np.ndarray) -> Gemeinde:
    """The Gemeinde shown as '.' (unknown) for 2014/2015 in 12411-01-01-5: the smallest village of 2023,
    with this SEED "Niederhofen". The Kreis row keeps the true total, as when only the breakdown is unknown."""
    totals = counts[:, -1].sum(axis=(1, 2))
    populated = [i for i, g in enumerate(county.gemeinden) if g.bez == "Gemeinde"]
    return county.gemeinden[min(populated, key=lambda i: (totals[i], i))]


# ---------------------------------------------------------------- entry points
def generate(out_dir: Path) -> None:
    """Write the complete demo source tree (geo/, statistics/, Sozialraum mapping, angebote/) into out_dir; the
    social tables (benefits, area, unemployment) come from etl/demo_social.py, the offer list from etl/demo_offers.py."""
    out_dir = Path(out_dir)
    rng = np.random.default_rng(SEED)
    county = build_county(rng)
    counts = simulate_population(county, rng)
    write_shapefiles(county, out_dir / "geo" / "vg250_musterland")
    statistics = out_dir / "statistics"
    for year in (2023, 2022, 2021, 2020):
        _write(statistics / f"12411-02-03-5_{year}_musterland.csv", age_table_csv(county, counts, year))
    # A normal regionalstatistik.de download is ISO-8859-1; one file keeps that so the decoder is exercised.
    _write(statistics / "12411-02-03-5_2019_musterland_latin1.csv", age_table_csv(county, counts, 2019), "latin-1")
    hidden = unknown_village(county, counts)
    _write(statistics / "12411-01-01-5_musterland.csv", sex_table_csv(county, counts, hidden.ags, (2014, 2015)))
    _write(out_dir / "sozialraeume_musterland.csv", sozialraum_csv(county))
    # Imported here: etl.demo_social builds on this module's county, table and writer helpers.
    from etl.demo_offers import write_offer_lists
    from etl.demo_social import write_social_tables

    write_social_tables(county, counts, statistics)
    write_offer_lists(county, counts, out_dir)  # angebote/: the offer list (etl/demo_offers.py)


def _write(path: Path, text: str, encoding: str = "utf-8") -> None:
    # Bytes, not write_text: no platform newline translation may turn the LF endings into CRLF.
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Regenerate the demo county 'Landkreis Musterland (Demodaten)'.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"target folder (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    generate(args.out)
    print(f"demo data written to {args.out}")


if __name__ == "__main__":
    main()
