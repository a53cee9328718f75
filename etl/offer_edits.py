"""Planners' corrections of offers, checked like an import and applied on every build.

A planner edits an offer in the app ("Angebote pflegen") or marks two offers as the same one. Both are kept in the
workspace, keyed by the offer's stable key (etl/offer_keys.py), and handed to the build as one overlay file
(etl/sources/offer_overlay.py). The build applies them after reading the lists, so they survive the next import of
the same lists:

- an edit replaces one field of one offer; it is checked by the same rules as a list cell (ranges of
  offer_formats.toml, the finder's detail kinds); an edit that does not fit, or whose offer is no longer in any list,
  is reported and not applied – the list's value stays;
- a merge ("dasselbe Angebot") keeps one offer, fills its empty fields from the other and drops the other.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from etl.offers_taxonomy import offer_types
from etl.sources.offer_details import check_detail
from etl.sources.offers import DETAIL_FIELDS, ReportRow, _metadata, _number, _outside, _range_text, detail_rules, value_ranges
from etl.sources.text import control_characters

NOT_APPLIED = "Bearbeitung nicht übernommen"
MERGED = "verworfen (zusammengeführt)"
MAX_TEXT = 200
# lon/lat bounds of Germany with a margin: an edit outside is a typo, not an offer abroad
GERMANY_LON, GERMANY_LAT = (5.5, 15.5), (47.0, 55.2)
_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})|(\d{4})-(\d{2})-(\d{2})")

# field -> German label; the order is the editor's column order
EDITABLE_FIELDS: dict[str, str] = {
    "name": "Name", "offer_type": "Angebotsart", "traeger": "Träger", "address": "Adresse", "kapazitaet": "Kapazität",
    "alter_von": "Alter von", "alter_bis": "Alter bis", "gueltig_ab": "Gültig ab", "gueltig_bis": "Gültig bis",
    "lon": "Länge (WGS84)", "lat": "Breite (WGS84)", "oeffentlich": "Öffentlich", "kontakt": "Kontakt", "telefon": "Telefon",
    "email": "E-Mail", "webseite": "Webseite", "zeiten": "Zeiten", "kosten": "Kosten", "sprachen": "Sprachen",
    "barrierefrei": "Barrierefrei", "beschreibung": "Beschreibung", "kontakt_intern": "Kontakt (intern)",
}  # fmt: skip


@dataclass(frozen=True)
class EditCheck:
    value: object  # what the offer gets: text, float, bool or None (empty number)
    problem: str | None = None  # None: the edit fits
    expected: str = ""  # what would fit, for the message

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def message(self) -> str:
        return f"{self.problem} (erwartet: {self.expected})" if self.expected else str(self.problem)


def check_edit(field: str, raw: object) -> EditCheck:
    """One edited cell checked like the same cell of a list; ``raw`` as the editor gives it (text, number, bool)."""
    if field not in EDITABLE_FIELDS:
        return EditCheck(None, f"Feld '{field}' ist nicht bearbeitbar", "eines von " + ", ".join(EDITABLE_FIELDS.values()))
    if isinstance(raw, float) and math.isnan(raw):
        raw = None
    text = "" if raw is None else (("ja" if raw else "nein") if isinstance(raw, bool) else str(raw).strip())
    if found := control_characters(text):
        return EditCheck(None, f"Steuerzeichen im Text ({', '.join(found)})", "Text ohne Steuerzeichen")
    if field in ("kapazitaet", "alter_von", "alter_bis"):
        return _check_number(field, text)
    if field in ("lon", "lat"):
        return _check_coordinate(field, text)
    if field == "offer_type":
        known = offer_types()
        by_label = dict(zip(known["label"].str.lower(), known["offer_type"]))
        value = text if text in set(known["offer_type"]) else by_label.get(text.lower())
        return EditCheck(value) if value else EditCheck(None, f"unbekannte Angebotsart '{text}'", "eine Angebotsart aus der Liste")
    if field in ("gueltig_ab", "gueltig_bis"):
        return _check_date(text)
    if field in DETAIL_FIELDS:
        checked = check_detail(text, detail_rules()[field], _metadata()["yes_no"], default_public=False)
        return EditCheck(None, checked.problem) if checked.problem else EditCheck(checked.value)
    if field == "name" and not text:
        return EditCheck(None, "Name darf nicht leer sein", "der Name des Angebots")
    if len(text) > MAX_TEXT:
        return EditCheck(None, f"Text ist {len(text)} Zeichen lang", f"höchstens {MAX_TEXT} Zeichen")
    return EditCheck(text)


def _check_number(field: str, text: str) -> EditCheck:
    if not text:
        return EditCheck(None)
    value = _number(text)
    limits = value_ranges().get(field)
    expected = f"eine Zahl von {_range_text(limits)}" if limits else "eine Zahl ab 0"
    if value is None or (limits and bool(_outside(pd.Series([value]), limits).iloc[0])) or (not limits and value < 0):
        return EditCheck(None, f"'{text}' ist keine gültige Zahl", expected)
    return EditCheck(value)


def _check_coordinate(field: str, text: str) -> EditCheck:
    low, high = GERMANY_LON if field == "lon" else GERMANY_LAT
    value = _number(text)
    if value is None or not low <= value <= high:
        return EditCheck(None, f"'{text}' liegt nicht in Deutschland", f"eine Dezimalzahl von {low} bis {high} (Grad, WGS84)")
    return EditCheck(round(value, 6))


def _check_date(text: str) -> EditCheck:
    if not text:
        return EditCheck("")
    match = _DATE.fullmatch(text)
    try:
        if match and match.group(1):
            day = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        elif match:
            day = date(int(match.group(4)), int(match.group(5)), int(match.group(6)))
        else:
            raise ValueError
    except ValueError:
        return EditCheck(None, f"'{text}' ist kein Datum", "TT.MM.JJJJ, z. B. 01.08.2026")
    return EditCheck(day.isoformat())  # as the lists write it most often, and as the finder reads it


def latest_edits(edits: pd.DataFrame) -> pd.DataFrame:
    """The last edit per offer and field (columns offer_key, field, value), in the order they were made."""
    if edits.empty:
        return pd.DataFrame(columns=["offer_key", "field", "value"])
    return edits.drop_duplicates(["offer_key", "field"], keep="last")[["offer_key", "field", "value"]]


def apply_edits(offers: pd.DataFrame, edits: pd.DataFrame) -> tuple[pd.DataFrame, list[ReportRow], set[str]]:
    """Edits applied to one list's offers (list columns, with offer_key); returns the offers, the report rows of
    edits that do not fit, and the keys the edits found here. Coordinates are set in WGS84 as a pair."""
    offers = offers.copy()
    report: list[ReportRow] = []
    mine = latest_edits(edits)
    mine = mine[mine["offer_key"].isin(set(offers["offer_key"]))]
    position = dict(zip(offers["offer_key"], offers.index))
    for key, field, raw in mine.itertuples(index=False):
        index = position[key]
        checked = check_edit(field, raw)
        if not checked.ok:
            report.append(ReportRow(int(offers.at[index, "row"]), f"Bearbeitung {EDITABLE_FIELDS.get(field, field)}",
                                    checked.message, NOT_APPLIED))  # fmt: skip
        elif field == "address":
            offers.loc[index, ["strasse", "plz", "ort"]] = [checked.value, "", ""]
        elif field in ("lon", "lat"):
            _set_coordinate(offers, index, field, checked.value)
        else:
            offers.at[index, field] = checked.value
    return offers, report, set(mine["offer_key"])


def _set_coordinate(offers: pd.DataFrame, index, field: str, value: float) -> None:
    """A WGS84 edit of one coordinate; the other is taken over in WGS84 too (the list may be in metres)."""
    if offers.at[index, "crs"] != "EPSG:4326":
        from geo.placement import to_metric_points  # noqa: PLC0415 – only for lists in another system

        point = to_metric_points(offers.loc[[index], "x"], offers.loc[[index], "y"], offers.loc[[index], "crs"]).to_crs("EPSG:4326")
        offers.loc[index, ["x", "y", "crs"]] = [point.x.iloc[0], point.y.iloc[0], "EPSG:4326"]
    offers.at[index, "x" if field == "lon" else "y"] = value


def apply_merges(offers: pd.DataFrame, merges: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Merges applied to all placed offers of a build: the kept offer gets the dropped one's values where its own are
    empty; the dropped offer goes, with an import-report row naming the kept one."""
    if merges.empty:
        return offers, []
    offers = offers.copy()
    by_key = dict(zip(offers["offer_key"], offers.index))
    report, dropped = [], []
    for keep, drop in merges[["keep", "drop"]].itertuples(index=False):
        if keep not in by_key or drop not in by_key or by_key[drop] in dropped or by_key[keep] in dropped:
            continue
        kept_row, drop_row = by_key[keep], by_key[drop]
        for column in [*EDITABLE_FIELDS, "address"]:
            if column in offers.columns and _empty(offers.at[kept_row, column]) and not _empty(offers.at[drop_row, column]):
                offers.at[kept_row, column] = offers.at[drop_row, column]
        dropped.append(drop_row)
        report.append({"source_id": offers.at[drop_row, "source_id"], "row": int(offers.at[drop_row, "source_row"]),
                       "source_column": "Dublette", "problem": f"dasselbe Angebot wie „{offers.at[kept_row, 'name']}“ "
                       f"({offers.at[kept_row, 'offer_id']}), im Planungsatlas so entschieden", "action": MERGED})  # fmt: skip
    return offers.drop(index=dropped), report


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""
