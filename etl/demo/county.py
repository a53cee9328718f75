"""The invented county of the demo: "Landkreis Musterland (Demodaten)", Kreis key 99001.

Generates the geometry and structure everything else builds on: a smooth county outline, 61 Voronoi cells as
Gemeinden (three towns, 57 villages in six Verbandsgemeinden, one unpopulated gemeindefreies Gebiet), their
invented names and official-style keys (ARS/AGS), five Sozialräume made of whole towns and Verbandsgemeinden, and
each Sozialraum's profile (young, ageing, mixed). Land 99 does not exist, so no demo key can ever collide with a
real one. Everything is drawn from the one random generator seeded with SEED.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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
TOWN_NAMES = ("Musterstadt", "Bad Quellenbrunn", "Altenmühl")  # the first is the Kreisstadt
FOREST_NAME = "Gutsbezirk Musterwald"
POORER_TOWN = TOWN_NAMES[2]  # Altenmühl, an old mill town: its Sozialraum is the poorer one (social, offers)

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


def poorer_sozialraum(county: County) -> str:
    """The Sozialraum of POORER_TOWN: more benefits and unemployment, fewer offers."""
    return next(g.sozialraum for g in county.gemeinden if g.name == POORER_TOWN)
