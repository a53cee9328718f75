"""What an upload or a new version changes against the published database: offers, indicators, years, Sozialräume.

Rules: an offer is the same offer when Angebotsart, name and address match after normalising case, umlauts and
punctuation (so a re-import of the same list shows no change); it is "geändert" when Träger, capacity, age range or
its Gemeinde differ. An uploaded list is compared with the published offers of the list with the same file name (a
new file name: every offer is new, none removed). Indicators and years: an indicator is new when the database does
not have it; a year is new for an indicator when the database has no value of it in that year.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

import contextlib
from collections.abc import Iterator

import duckdb

@contextlib.contextmanager
def connect(db_path: Path, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """The published database for reading tables without geometry: attached read-only to an in-memory instance
    (like etl.db.connect, so a database replaced by a publish is seen anew) but without loading the spatial
    extension, which costs most of a second per connection."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{str(db_path).replace(chr(39), chr(39) * 2)}' AS published (READ_ONLY)")
        con.execute("USE published")
        yield con
    finally:
        con.close()


CHANGE_COLUMNS = ["Änderung", "Art", "Bezeichnung", "Detail"]
NEW, CHANGED, REMOVED = "neu", "geändert", "entfernt"
COMPARED = {
    "traeger": "Träger", "kapazitaet": "Kapazität", "alter_von": "Alter von", "alter_bis": "Alter bis", "gemeinde_id": "Gemeinde",
    "oeffentlich": "öffentlich", "kontakt": "Kontakt", "telefon": "Telefon", "email": "E-Mail", "webseite": "Webseite",
    "zeiten": "Zeiten", "kosten": "Kosten", "sprachen": "Sprachen", "barrierefrei": "barrierefrei",
}  # fmt: skip  (the fields a family portal shows, where the database has them)


def _norm(text: object) -> str:
    value = str(text if text is not None and not (isinstance(text, float) and pd.isna(text)) else "").casefold()
    for a, b in (("ß", "ss"), ("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        value = value.replace(a, b)
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"\s*(?:strasse|str)\b", "str", " ".join(re.sub(r"[^0-9a-z]+", " ", value).split()))
    return value


def offer_match_keys(offers: pd.DataFrame) -> pd.Series:
    """Angebotsart|name|address normalised; the n-th equal row gets '#n'."""
    base = offers["offer_type"].astype(str) + "|" + offers["name"].map(_norm) + "|" + offers["address"].map(_norm)
    n = base.groupby(base).cumcount()
    return base.where(n == 0, base + "#" + (n + 1).astype(str))


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _text(values: pd.Series) -> pd.Series:
    """Cells as a planner reads them: ja/nein, whole numbers without '.0', '' for empty."""
    def one(x: object) -> str:
        if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
            return ""
        if isinstance(x, bool | np.bool_):
            return "ja" if x else "nein"
        if isinstance(x, float | np.floating) and float(x).is_integer():
            return str(int(x))
        return str(x).strip()

    return values.map(one)


def _same(new: pd.Series, old: pd.Series) -> pd.Series:
    """Cell by cell: equal as numbers, or as text (both empty counts as equal)."""
    a, b = _text(new), _text(old)
    x, y = pd.to_numeric(a.str.replace(",", "."), errors="coerce"), pd.to_numeric(b.str.replace(",", "."), errors="coerce")
    return (a == b) | (x.notna() & y.notna() & (x == y))


def offer_changes(new: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """New, changed and removed offers between two offer frames (offer_type, name, address, traeger, …)."""
    new, old = new.assign(_key=offer_match_keys(new)).set_index("_key"), old.assign(_key=offer_match_keys(old)).set_index("_key")
    added, gone = new.index.difference(old.index, sort=False), old.index.difference(new.index, sort=False)
    rows = [(NEW, "Angebot", name, f"{kind}, {address or 'ohne Adresse'}")
            for name, kind, address in zip(new.loc[added, "name"], new.loc[added, "offer_type"], new.loc[added, "address"])]  # fmt: skip
    rows += [(REMOVED, "Angebot", name, f"{kind}, {address or 'ohne Adresse'}")
             for name, kind, address in zip(old.loc[gone, "name"], old.loc[gone, "offer_type"], old.loc[gone, "address"])]  # fmt: skip
    common = new.index.intersection(old.index, sort=False)
    if len(common):
        now, before = new.loc[common], old.loc[common]
        texts = pd.Series("", index=common)
        for column, label in COMPARED.items():
            if column in now and column in before:
                differ = ~_same(now[column], before[column])
                if differ.any():
                    was, became = _text(before.loc[differ, column]).replace("", "leer"), _text(now.loc[differ, column]).replace("", "leer")
                    texts[differ] += "; " + label + ": " + was + " → " + became
        changed = texts != ""
        rows += [(CHANGED, "Angebot", name, text[2:]) for name, text in zip(now.loc[changed, "name"], texts[changed])]
    return _frame(rows)


def published_offers(db_path: Path, file_name: str | None = None) -> pd.DataFrame:
    """The offers of the database (of the list with this file name, when given)."""
    where, params = ("WHERE s.file = ?", [file_name]) if file_name else ("", [])
    with connect(db_path, read_only=True) as con:
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'offers'").fetchone()[0]:
            return pd.DataFrame(columns=["offer_type", "name", "address", *COMPARED])
        have = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'offers'").fetchall()}
        fields = "".join(f", o.{c}" for c in COMPARED if c in have)  # databases built before the finder fields lack some
        return con.execute(f"SELECT o.offer_type, o.name, coalesce(o.address, '') AS address{fields} "
                           f"FROM offers o JOIN sources s USING (source_id) {where}", params).df()  # fmt: skip


def value_changes(new: pd.DataFrame, db_path: Path, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Indicators and years the values ``new`` (indicator_id, area_id, year, value) add to the database, and how
    many values of years the database has they change."""
    with connect(db_path, read_only=True) as con:
        con.register("new_values", new[["indicator_id", "area_id", "year", "value"]])
        old = con.execute("SELECT o.indicator_id, o.area_id, o.year, o.value FROM observations o "
                          "JOIN (SELECT DISTINCT indicator_id FROM new_values) USING (indicator_id)").df()  # fmt: skip
        known = set(con.execute("SELECT indicator_id FROM indicators").df()["indicator_id"])
        names = dict(con.execute("SELECT indicator_id, label FROM indicators").fetchall()) | (labels or {})
    rows = []
    for ident, mine in new.groupby("indicator_id", sort=False):
        label = names.get(ident, ident)
        theirs = old[old["indicator_id"] == ident]
        if ident not in known:
            years = sorted(mine["year"].unique())
            rows.append((NEW, "Indikator", label, f"{_values_text(len(mine))}, {'Jahr' if len(years) == 1 else 'Jahre'} {', '.join(map(str, years))}"))
            continue
        for year in sorted(set(mine["year"]) - set(theirs["year"])):
            rows.append((NEW, "Jahr", label, f"{year}: {_values_text(int((mine['year'] == year).sum()))}"))
        both = mine.merge(theirs, on=["area_id", "year"], suffixes=("", "_old"))
        same = np.isclose(both["value"].astype(float), both["value_old"].astype(float), rtol=1e-9, atol=1e-9, equal_nan=True)
        differ = both[~same]
        for year, part in differ.groupby("year"):
            rows.append((CHANGED, "Werte", label, f"{year}: {_values_text(len(part))} anders als veröffentlicht"))
    return _frame(rows)


def _values_text(n: int) -> str:
    return "1 Wert" if n == 1 else f"{n} Werte"


def mapping_changes(new: pd.DataFrame, db_path: Path) -> pd.DataFrame:
    """Gemeinden that move to another Sozialraum, and Sozialräume that appear or disappear (``new``: area_id, sozialraum)."""
    with connect(db_path, read_only=True) as con:
        old = con.execute("SELECT g.area_id, g.name, s.name AS sozialraum FROM areas g LEFT JOIN areas s ON s.area_id = g.sozialraum_id "
                          "WHERE g.level = 'gemeinde'").df()  # fmt: skip
    rows = [(NEW, "Sozialraum", name, "") for name in sorted(set(new["sozialraum"]) - set(old["sozialraum"].dropna()))]
    rows += [(REMOVED, "Sozialraum", name, "") for name in sorted(set(old["sozialraum"].dropna()) - set(new["sozialraum"]))]
    both = new.merge(old, on="area_id", suffixes=("", "_old"))
    rows += [(CHANGED, "Zuordnung", r.name, f"{r.sozialraum_old or 'kein Sozialraum'} → {r.sozialraum}")
             for r in both.itertuples() if r.sozialraum != r.sozialraum_old]  # fmt: skip
    return _frame(rows)


def diff_databases(old: Path, new: Path) -> pd.DataFrame:
    """Everything that differs between two built databases: offers, indicators and years (for the version list)."""
    offers = offer_changes(published_offers(new), published_offers(old))
    before, after = _indicator_years(old), _indicator_years(new)
    labels = {**before[0], **after[0]}
    rows = [(NEW, "Indikator", labels[i], "") for i in after[0] if i not in before[0]]
    rows += [(REMOVED, "Indikator", labels[i], "") for i in before[0] if i not in after[0]]
    for i in (i for i in after[0] if i in before[0]):
        added, gone = sorted(after[1].get(i, set()) - before[1].get(i, set())), sorted(before[1].get(i, set()) - after[1].get(i, set()))
        rows += [(NEW, "Jahr", labels[i], ", ".join(map(str, added)))] if added else []
        rows += [(REMOVED, "Jahr", labels[i], ", ".join(map(str, gone)))] if gone else []
    return pd.concat([offers, _frame(rows)], ignore_index=True)


def _indicator_years(db_path: Path) -> tuple[dict[str, str], dict[str, set[int]]]:
    """Indicator id → label, and id → the years it has values of."""
    with connect(db_path, read_only=True) as con:
        labels = dict(con.execute("SELECT indicator_id, label FROM indicators ORDER BY position").fetchall())
        years: dict[str, set[int]] = {}
        for ident, year in con.execute("SELECT DISTINCT indicator_id, year FROM observations").fetchall():
            years.setdefault(ident, set()).add(int(year))
    return labels, years


def changes_text(changes: pd.DataFrame) -> str:
    """One German line: '12 Angebote neu, 3 geändert, 1 entfernt · 2 Indikatoren neu · 1 Jahr neu'."""
    if changes.empty:
        return "keine Änderungen"
    parts = []
    for kind, (one, many) in {"Angebot": ("Angebot", "Angebote"), "Indikator": ("Indikator", "Indikatoren"),
                              "Jahr": ("Jahr", "Jahre"), "Werte": ("Wertereihe", "Wertereihen"),
                              "Zuordnung": ("Gemeinde umgeordnet", "Gemeinden umgeordnet"), "Sozialraum": ("Sozialraum", "Sozialräume")}.items():  # fmt: skip
        mine = changes[changes["Art"] == kind]
        if mine.empty:
            continue
        counts = mine["Änderung"].value_counts()
        noun = one if len(mine) == 1 else many
        parts.append(f"{noun}: " + ", ".join(f"{counts[c]} {c}" for c in (NEW, CHANGED, REMOVED) if c in counts))
    return " · ".join(parts)
