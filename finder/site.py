"""Build the finder of one Kreis: read the public view of the database, write every file into a fresh folder, and
swap it in for the previous build, so an offer that is no longer public disappears with its page.

The site (docs/FINDER.md): index.html, verzeichnis.html, angebot/<id>.html, finder.css, finder.js, offers.json
(what the list needs to sort by distance), details.json (address, hours, … loaded after the first list),
places.json, outline.geojson, vendor/leaflet/ (copied from the npm-installed dashboard/static/vendor/leaflet) and
the logo. An offer's id is a hash of its public fields (type, name, address, position): stable across builds and
lists, and it says nothing about the list or the row it came from.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from finder.data import FinderData, read_finder_data
from finder.outline import outline_geojson
from finder.pages import Site, directory_page, index_page, offer_page
from finder.places import gemeindeverzeichnis, places
from finder.settings import REPO_ROOT, FinderError, FinderSettings, find_config, load_settings
from finder.topics import Topic, topics

STATIC = Path(__file__).resolve().parent / "static"
LEAFLET = REPO_ROOT / "dashboard" / "static" / "vendor" / "leaflet"
LEAFLET_FILES = ("leaflet.js", "leaflet.css", "LICENSE")
MARKER = ".familienwegweiser"  # in every built folder: only such a folder is ever replaced
SCALE = 100_000  # offers.json positions: integer steps of 1e-5 degrees (about 1 m) from the south-west corner
DETAIL_COLUMNS = ("address", "telefon", "zeiten", "kosten", "sprachen", "barrierefrei")
WRITERS = 4  # creating thousands of small files is disk latency, not CPU: a few threads halve the time


@dataclass
class BuildResult:
    out: Path
    offers: int
    pages: int
    seconds: float
    bytes_by_file: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def build_site(db: Path, kreis: str, out: Path, config: Path | None = None, today: date | None = None,
               data_root: Path | None = None) -> BuildResult:  # fmt: skip
    """Generate the finder of Kreis ``kreis`` from ``db`` into ``out`` (replaced as a whole). ``config``: the county
    config with [finder] (default: the config/*.toml whose county.ags is ``kreis``); ``data_root``: where the
    Gemeindeverzeichnis lies (default ../shared/data)."""
    started = time.perf_counter()
    _check_target(Path(out))
    settings = load_settings(config if config is not None else find_config(kreis))
    data = read_finder_data(Path(db), kreis, today)
    return publish(data, settings, Path(out), data_root, started)


def publish(data: FinderData, settings: FinderSettings, out: Path, data_root: Path | None = None,
            started: float | None = None) -> BuildResult:  # fmt: skip
    """Write the site of ``data`` into ``out`` (replaced as a whole; only an empty folder or an earlier build)."""
    started = time.perf_counter() if started is None else started
    _check_target(out)
    chosen = topics(data.offer_types, data.lebensphasen["phase_id"].tolist())
    staging = out.parent / f".{out.name}.bau-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        pages = _write_site(staging, data, settings, chosen, data_root)
        (staging / MARKER).write_text("Erzeugt von python -m finder build; der Ordner wird bei jedem Bau ersetzt.\n", encoding="utf-8")
        sizes = {str(p.relative_to(staging)): p.stat().st_size for p in staging.rglob("*") if p.is_file()}
        _swap(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    warnings = list(settings.warnings) + ([] if len(data.offers) else ["keine öffentlichen Angebote im Kreis"])
    return BuildResult(out, len(data.offers), pages, time.perf_counter() - started, sizes, warnings)


def _check_target(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise FinderError(f"{out} ist kein früher erzeugter Familienwegweiser (Datei {MARKER} fehlt) und nicht leer: "
                          "bitte einen leeren oder neuen Ordner angeben – der Ordner wird bei jedem Bau ganz ersetzt.")  # fmt: skip
    if not os.access(out.parent if out.parent.exists() else Path.cwd(), os.W_OK):
        raise FinderError(f"In {out.parent} darf nicht geschrieben werden.")


def _swap(staging: Path, out: Path) -> None:
    """Put the new folder in place of the old one: two renames, so a visitor never sees half a site for long."""
    old = out.parent / f".{out.name}.alt-{os.getpid()}"
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def public_ids(offers: pd.DataFrame) -> list[str]:
    """A short id per offer from its public fields; equal offers get -2, -3, …"""
    seen: dict[str, int] = {}
    ids = []
    for t, name, address, lon, lat in zip(offers["offer_type"], offers["name"], offers["address"], offers["lon"], offers["lat"]):
        base = hashlib.sha256(f"{t}|{name}|{address}|{lon:.5f}|{lat:.5f}".encode()).hexdigest()[:10]
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def _write_site(folder: Path, data: FinderData, settings: FinderSettings, chosen: list[Topic], data_root: Path | None) -> int:
    offers = data.offers.copy()
    offers["public_id"] = public_ids(offers)
    gv = gemeindeverzeichnis(data.kreis, data_root)
    place_rows = places(data.gemeinden, offers, gv)
    labels = {a: row[0] for a, row in zip(data.gemeinden["area_id"], place_rows)}  # the Gemeinden come first, in order
    site = _site_text(data, settings, offers)
    _json(folder / "offers.json", offers_json(offers, data, chosen, labels))
    _json(folder / "details.json", {"v": 1, "d": [[_text(v) for v in row] for row in offers[list(DETAIL_COLUMNS)].itertuples(index=False)]})
    _json(folder / "places.json", {"v": 1, "p": place_rows})
    (folder / "outline.geojson").write_text(outline_geojson(data.kreis_shape, data.gemeinden, labels), encoding="utf-8")
    (folder / "index.html").write_text(index_page(site, chosen, _examples(place_rows, offers, labels)), encoding="utf-8")
    type_label = dict(zip(data.offer_types["offer_type"], data.offer_types["label"]))
    phase_label = dict(zip(data.lebensphasen["phase_id"], data.lebensphasen["label"]))
    phases_of = dict(zip(data.offer_types["offer_type"], data.offer_types["lebensphasen"]))
    (folder / "angebot").mkdir()
    groups: dict[str, list[tuple[str, str, str]]] = {}
    pages: list[tuple[Path, str]] = []
    for offer in offers.to_dict("records"):
        offer = {k: _text(v) if k not in ("lon", "lat", "alter_von", "alter_bis") else v for k, v in offer.items()}
        gemeinde = labels.get(offer["gemeinde_id"], "")
        html = offer_page(site, offer, type_label.get(offer["offer_type"], ""), [phase_label[p] for p in phases_of.get(offer["offer_type"], [])], gemeinde)
        pages.append((folder / "angebot" / f"{offer['public_id']}.html", html))
        groups.setdefault(gemeinde, []).append((offer["public_id"], offer["name"], type_label.get(offer["offer_type"], "")))
    _write_many(pages)
    ordered = [(g, sorted(groups[g], key=lambda o: o[1].lower())) for g in sorted(groups, key=str.lower)]
    (folder / "verzeichnis.html").write_text(directory_page(site, ordered), encoding="utf-8")
    for name in ("finder.css", "finder.js", "favicon.svg"):
        shutil.copyfile(STATIC / name, folder / name)
    _copy_leaflet(folder / "vendor" / "leaflet")
    if settings.logo is not None:
        shutil.copyfile(settings.logo, folder / f"logo{settings.logo.suffix.lower()}")
    return len(offers) + 2


def offers_json(offers: pd.DataFrame, data: FinderData, chosen: list[Topic], labels: dict[str, str]) -> dict:
    """What the list needs to sort and show the offers, small: positions as integer metres-ish steps from a corner,
    Angebotsart and Gemeinde as indexes into their lists, ages (or null)."""
    types = data.offer_types["offer_type"].tolist()
    gemeinden = list(labels)
    lon0 = float(offers["lon"].min()) if len(offers) else 0.0
    lat0 = float(offers["lat"].min()) if len(offers) else 0.0
    rows = [
        [i, name, types.index(t), gemeinden.index(g) if g in labels else -1, round((lon - lon0) * SCALE),
         round((lat - lat0) * SCALE), _age(von), _age(bis)]
        for i, name, t, g, lon, lat, von, bis in zip(offers["public_id"], offers["name"].map(_text), offers["offer_type"],
                                                     offers["gemeinde_id"], offers["lon"], offers["lat"],
                                                     offers["alter_von"], offers["alter_bis"])
    ]  # fmt: skip
    return {
        "v": 1,
        "topics": [t.id for t in chosen],
        "topicAges": [list(t.ages) if t.ages else None for t in chosen],
        "types": [[label, [k for k, topic in enumerate(chosen) if t in topic.offer_types]]
                  for t, label in zip(types, data.offer_types["label"])],  # fmt: skip
        "gemeinden": [labels[g] for g in gemeinden],
        "origin": [round(lon0, 5), round(lat0, 5)],
        "scale": SCALE,
        "offers": rows,
    }


def _site_text(data: FinderData, settings: FinderSettings, offers: pd.DataFrame) -> Site:
    stands = sorted({str(s) for s in offers.get("stand", pd.Series(dtype=str)).dropna() if str(s)})
    stand = stands[-1] if stands else ""
    if len(stand) == 10 and stand[4] == "-" and stand[7] == "-":
        stand = f"{stand[8:]}.{stand[5:7]}.{stand[:4]}"
    name = settings.name or data.kreis_name
    logo = f"logo{settings.logo.suffix.lower()}" if settings.logo is not None else None
    return Site(settings.title, name, settings.intro, logo, settings.logo_alt or f"Logo {name}", settings.impressum,
                settings.datenschutz, settings.kontakt, stand, data.demo,
                tuple([data.boundary_attribution, *data.offer_attributions]))  # fmt: skip


def _examples(place_rows: list[list], offers: pd.DataFrame, labels: dict[str, str]) -> tuple[str, str]:
    """A Gemeinde and a postcode to show as examples under the place field: the Gemeinde with most offers."""
    counts = offers["gemeinde_id"].value_counts()
    busiest = labels.get(counts.index[0]) if len(counts) else None
    name = busiest or next((r[0] for r in place_rows if r[2] == "g"), "Ihr Ort")
    postcodes = [r for r in place_rows if r[2] == "p"]
    postcode = next((r[5] for r in postcodes if r[1] == name), postcodes[0][5] if postcodes else "")
    return name, postcode


def _copy_leaflet(target: Path) -> None:
    missing = [f for f in LEAFLET_FILES if not (LEAFLET / f).is_file()]
    if missing:
        raise FinderError(f"Leaflet fehlt in {LEAFLET} ({', '.join(missing)}): bash scripts/setup.sh lädt es aus der npm-Registry.")
    target.mkdir(parents=True)
    for name in LEAFLET_FILES:
        shutil.copyfile(LEAFLET / name, target / name)


def _write_many(files: list[tuple[Path, str]]) -> None:
    def write(item: tuple[Path, str]) -> None:
        descriptor = os.open(item[0], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            data = memoryview(item[1].encode("utf-8"))
            while data:
                data = data[os.write(descriptor, data) :]
        finally:
            os.close(descriptor)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, files))


def _json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _age(value: object) -> float | int | None:
    if value is None or value != value:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 1)
