"""Readers for the BBSR Umsteigeschlüssel: which territory of an old key goes, with which share, to which new key.

Two formats (../shared/data/statistics/gebietsaenderungen_bbsr/PROVENANCE.md):

- the long CSV ``year_xw;ags_xw;pop_conv;size_conv;emp_conv;ags20``: every Gemeinde of every year 1990–2019 (its
  Gebietsstand 31.12. of that year) to the Gemeinden of 31.12.2020, with population and area shares;
- BBSR's workbooks with one sheet per start year, integer keys without the leading zero (1001000 = 01001000):
  Gemeinden 31.12.2020 → 2021, 2021 → 2022, 2022 → 2023, and Kreise of every year 1990–2020 → 31.12.2021.
  The sheets differ in their columns (some have a Regionalschlüssel, an employment share, population in 100 or
  in 1000 or in persons), so columns are found by their headings, never by position.

Both come back as *links*: one row per (year, old key, new key) with the population share ``pop`` and the area share
``area`` of the old territory that goes to the new key. Parsing the workbooks takes seconds, so a parsed file is kept
as Parquet in the user's cache folder (keyed by path, size and modification time) and read from there next time.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pandas as pd

from etl.errors import EtlError
from etl.sources.text import require_file

FOLDER = "statistics/gebietsaenderungen_bbsr"  # relative to the data root
GEMEINDEN_CSV = "umsteigeschluessel_gemeinden_1990-2019_auf_gebietsstand_2020.csv"
GEMEINDEN_WORKBOOK = "ref-gemeinden-ab-2020.xlsx"
KREISE_WORKBOOK = "ref-kreise-umrech-2021-1990-2020.xlsx"
ATTRIBUTION = "© BBSR Bonn"
PUBLISHER = "Bundesinstitut für Bau-, Stadt- und Raumforschung (BBSR)"
LICENCE = "BBSR-Referenzdaten, freie Nutzung mit Quellenangabe „© BBSR Bonn“"
CSV_COLUMNS = ("year_xw", "ags_xw", "pop_conv", "size_conv", "ags20")
LINK_COLUMNS = ["year", "old", "new", "pop", "area"]
STEP_COLUMNS = ["year", "old", "new", "pop", "area", "old_population", "old_area_km2", "old_name", "new_name"]
SHARE_TOLERANCE = 0.01  # shares of one old key that add up to 1 within this are a usable split
_CACHE_VERSION = "3"
_KEY_HEADING = re.compile(r"^(Gemeinden|Kreise)\s+31\.12\.(\d{4})$")
_HYPHENATED = re.compile(r"(\w)- (?=\w)")  # 'bevölkerungs- proportionaler' → 'bevölkerungsproportionaler'
_POPULATION_UNIT = re.compile(r"in\s+(100|1000)\b")


def folder(data_root: Path) -> Path:
    return data_root / FOLDER


def available(data_root: Path) -> bool:
    """Whether the data root holds all three files of the Umsteigeschlüssel."""
    base = folder(data_root)
    return all((base / name).is_file() for name in (GEMEINDEN_CSV, GEMEINDEN_WORKBOOK, KREISE_WORKBOOK))


def read_long_csv(path: Path) -> pd.DataFrame:
    """Links of the long CSV (year = Gebietsstand of ``old``; ``new`` = AGS on 31.12.2020)."""
    return _cached(path, "long", lambda: _parse_long_csv(path))


def read_step_workbook(path: Path, level: str) -> pd.DataFrame:
    """Links of a one-sheet-per-year workbook with the old territory's population and area (``STEP_COLUMNS``).

    ``level`` "gemeinde" gives 8-digit AGS, "kreis" 5-digit Kreis keys. ``old_population`` is the old key's whole
    population, also where BBSR prints it per piece of a split (sheet 2020) instead of repeating the whole (2021 on).
    """
    return _cached(path, f"step-{level}", lambda: _parse_step_workbook(path, level))


def _parse_long_csv(path: Path) -> pd.DataFrame:
    require_file(path, "Umsteigeschlüssel (BBSR)")
    head = path.open(encoding="utf-8-sig").readline().strip().split(";")
    missing = [c for c in CSV_COLUMNS if c not in head]
    if missing:
        raise EtlError(
            f"Spalten {', '.join(missing)} fehlen im Umsteigeschlüssel",
            file=path,
            line=1,
            expected="Kopfzeile year_xw;ags_xw;pop_conv;size_conv;emp_conv;ags20",
            fix="Die Datei aus ../shared/data/statistics/gebietsaenderungen_bbsr unverändert verwenden.",
        )
    raw = pd.read_csv(path, sep=";", dtype={"ags_xw": str, "ags20": str}, usecols=list(CSV_COLUMNS), encoding="utf-8-sig")
    links = pd.DataFrame({
        "year": raw["year_xw"].astype("int16"),
        "old": raw["ags_xw"].str.zfill(8),
        "new": raw["ags20"].str.zfill(8),
        "pop": raw["pop_conv"].astype(float),
        "area": raw["size_conv"].astype(float),
    })  # fmt: skip
    bad = links[~links["old"].str.fullmatch(r"\d{8}") | ~links["new"].str.fullmatch(r"\d{8}") | links[["pop", "area"]].isna().any(axis=1)]
    if not bad.empty:
        raise EtlError(
            f"{len(bad)} Zeilen des Umsteigeschlüssels ohne gültigen Schlüssel oder Anteil, z. B. Zeile {bad.index[0] + 2}",
            file=path,
            line=int(bad.index[0]) + 2,
            expected="8-stellige AGS in ags_xw und ags20, Anteile in pop_conv und size_conv",
            fix="Die Datei unverändert aus dem Datenordner verwenden.",
        )
    return normalise_shares(links)


def normalise_shares(links: pd.DataFrame) -> pd.DataFrame:
    """Population shares that do not add up to 1 per old key (BBSR writes 1.0 to every piece of an uninhabited
    area that was split) are replaced by the area shares, and those, if they do not add up either, by equal parts."""
    key = ["year", "old"]
    pop_sum = links.groupby(key)["pop"].transform("sum")
    area_sum = links.groupby(key)["area"].transform("sum")
    pieces = links.groupby(key)["new"].transform("size")
    links = links.copy()
    bad_pop = (pop_sum - 1).abs() > SHARE_TOLERANCE
    bad_area = (area_sum - 1).abs() > SHARE_TOLERANCE
    links.loc[bad_pop, "pop"] = links.loc[bad_pop, "area"].where(~bad_area[bad_pop], 1 / pieces[bad_pop])
    links.loc[bad_area, "area"] = 1 / pieces[bad_area]
    return links.reset_index(drop=True)


def _parse_step_workbook(path: Path, level: str) -> pd.DataFrame:
    from openpyxl import load_workbook  # only needed when the cache is cold

    require_file(path, "Umsteigeschlüssel (BBSR, Arbeitsmappe)")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is no xlsx
        raise EtlError(
            f"Arbeitsmappe lässt sich nicht lesen: {exc}",
            file=path,
            expected="die xlsx-Datei des BBSR, wie veröffentlicht",
            fix="Datei erneut aus dem Datenordner kopieren.",
        ) from exc
    frames = []
    try:
        for sheet in workbook.worksheets:
            rows = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
            if rows:
                frames.append(_sheet_links(path, sheet.title, rows, level))
    finally:
        workbook.close()
    return normalise_shares(pd.concat(frames, ignore_index=True))[STEP_COLUMNS]


def _sheet_links(path: Path, title: str, rows: list[tuple], level: str) -> pd.DataFrame:
    headings = [_HYPHENATED.sub(r"\1", " ".join(str(h or "").split())) for h in rows[0]]
    keys = [(i, int(m[2])) for i, h in enumerate(headings) if (m := _KEY_HEADING.match(h))]
    wanted = {
        "area": _column(headings, "flächenproportional"),
        "pop": _column(headings, "bevölkerungsproportional"),
        "old_area_km2": _column(headings, "Fläche am"),
        "old_population": _column(headings, "Bevölkerung am"),
    }
    if len(keys) != 2 or None in wanted.values():
        raise EtlError(
            f"Blatt '{title}' hat nicht die Spalten des BBSR-Umsteigeschlüssels",
            file=path,
            line=1,
            expected="Spalten 'Gemeinden/Kreise 31.12.JJJJ' (alt und neu), flächen- und bevölkerungsproportionaler "
            "Umsteigeschlüssel, Fläche und Bevölkerung",
            fix="Die Arbeitsmappe des BBSR unverändert verwenden.",
        )
    (old_col, year), (new_col, _) = keys
    names = [i for i, h in enumerate(headings) if "name" in h.lower()]  # 'Gemeindename 2020', 'Kreisname 2021'
    body = pd.DataFrame(rows[1:])
    digits = 8 if level == "gemeinde" else 5
    unit = _POPULATION_UNIT.search(headings[wanted["old_population"]])
    frame = pd.DataFrame({
        "year": year,
        "old": _keys(body[old_col], digits),
        "new": _keys(body[new_col], digits),
        "pop": pd.to_numeric(body[wanted["pop"]], errors="coerce"),
        "area": pd.to_numeric(body[wanted["area"]], errors="coerce"),
        "old_population": pd.to_numeric(body[wanted["old_population"]], errors="coerce") * (int(unit[1]) if unit else 1),
        "old_area_km2": pd.to_numeric(body[wanted["old_area_km2"]], errors="coerce"),
        "old_name": body[names[0]].astype(str) if names else "",
        "new_name": body[names[-1]].astype(str) if names else "",
    })  # fmt: skip
    frame = frame.dropna(subset=["old", "new"])
    frame[["pop", "area"]] = frame[["pop", "area"]].fillna(0.0)
    frame["old_population"] = _whole(frame, "old_population")
    frame["old_area_km2"] = _whole(frame, "old_area_km2")
    return frame.astype({"year": "int16"})


def _column(headings: list[str], start: str) -> int | None:
    return next((i for i, h in enumerate(headings) if h.replace(" ", "").lower().startswith(start.replace(" ", "").lower())), None)


def _keys(column: pd.Series, digits: int) -> pd.Series:
    """Integer keys without leading zero → text keys: 1001000 → '01001000' (Gemeinde) or '01001' (Kreis)."""
    numbers = pd.to_numeric(column, errors="coerce")
    text = numbers.map(lambda n: None if pd.isna(n) else f"{int(n):08d}")
    return text.str[:digits]


def _whole(frame: pd.DataFrame, column: str) -> pd.Series:
    """The old key's whole population or area: BBSR repeats it on every piece of a split in some sheets and prints
    the piece's part in others; equal values on all pieces mean "repeated", different ones are summed."""
    grouped = frame.groupby(["year", "old"])[column]
    repeated = grouped.transform("nunique") <= 1
    return grouped.transform("first").where(repeated, grouped.transform("sum"))


# --- cache ----------------------------------------------------------------------------------------------------------


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "planungsatlas-familie"


_MEMO: dict[tuple, pd.DataFrame] = {}


def _cached(path: Path, kind: str, parse) -> pd.DataFrame:
    require_file(path, "Umsteigeschlüssel (BBSR)")
    return cached_frame(kind, [path], parse)


def cached_frame(kind: str, sources: list[Path], parse) -> pd.DataFrame:
    """``parse()`` of the ``sources``, memoised in this process and kept as Parquet in the cache folder; a changed
    source (size or modification time) is parsed again. A cache that cannot be written is no error."""
    stats = [(str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in sources]
    key = (kind, tuple(stats))
    if key in _MEMO:
        return _MEMO[key]
    digest = hashlib.sha256(repr((key, _CACHE_VERSION)).encode()).hexdigest()[:24]
    stored = cache_folder() / f"umsteigeschluessel-{kind}-{digest}.parquet"
    frame = None
    if stored.is_file():
        try:
            frame = pd.read_parquet(stored)
        except Exception:  # a damaged cache file is parsed again, never trusted
            frame = None
    if frame is None:
        frame = parse()
        try:
            stored.parent.mkdir(parents=True, exist_ok=True)
            tmp = stored.with_name(f"{stored.name}.tmp-{os.getpid()}")
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, stored)
        except OSError:  # no writable cache folder: parse again next time
            pass
    _MEMO[key] = frame
    return frame
