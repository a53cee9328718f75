"""GENESIS markers and area keys: the small rules everything else relies on."""
from __future__ import annotations

import pytest

from etl import keys, markers
from etl.markers import NotAValue, parse_cell
from etl.sources.genesis import parse_period


@pytest.mark.parametrize(
    ("raw", "value", "status", "flag"),
    [
        ("1234", 1234.0, "ok", None),
        ("12,5", 12.5, "ok", None),
        ("0", 0.0, "ok", None),  # '0' = less than half the unit, not nothing
        ("-", 0.0, "zero", None),
        (".", None, "unknown", None),
        ("x", None, "locked", None),
        ("/", None, "unreliable", None),
        ("...", None, "pending", None),
        ("17p", 17.0, "ok", "p"),
        ("3,4 r", 3.4, "ok", "r"),
        (" 42 ", 42.0, "ok", None),
    ],
)
def test_markers_become_status_never_zero(raw, value, status, flag):
    cell = parse_cell(raw)
    assert (cell.value, cell.status, cell.flag) == (value, status, flag)


@pytest.mark.parametrize("raw", ["", "abc", "1.234", "12a", "--"])
def test_anything_else_is_refused(raw):
    with pytest.raises(NotAValue):
        parse_cell(raw)


def test_thousands_dots_only_on_request():
    assert parse_cell("1.234", thousands_dots=True).value == 1234.0


def test_every_missing_status_has_a_german_label():
    assert set(markers.MISSING_STATUSES) <= set(markers.STATUS_LABELS_DE)


@pytest.mark.parametrize(
    ("raw", "name", "level", "area_id"),
    [
        ("05358004", "Aldenhoven", "gemeinde", "05358004"),
        ("072355001112", "Rascheid", "gemeinde", "07235112"),  # ARS → AGS
        ("0723501005", "Bescheid", "gemeinde", "07235005"),  # RLP Kreis+VG+Gemeinde → AGS
        ("0723501", "Hermeskeil, Verbandsgem.", "verband", "0723501"),
        ("03151401002", "Barwedel", "gemeinde", "03151002"),  # Lower Saxony Samtgemeinde member
        ("03151401", "Boldecker Land, Samtgemeinde", "verband", "03151401"),
        ("05358", "Düren, Kreis", "kreis", "05358"),
        ("DG", "Deutschland", "higher", "DG"),
        ("07", "Rheinland-Pfalz", "land", "07"),
        ("051", "Düsseldorf, Regierungsbezirk", "higher", "051"),
        ("JH05358008", "Jugendamt Düren", "jugendamt", "JH05358008"),
    ],
)
def test_area_keys_normalise_to_ags(raw, name, level, area_id):
    key = keys.parse_area_key(raw, name)
    assert (key.level, key.id) == (level, area_id)


def test_non_keys_are_not_areas():
    assert keys.parse_area_key("JH0535") is None
    assert keys.parse_area_key("Insgesamt") is None


@pytest.mark.parametrize(
    ("text", "year", "iso"),
    [("31.12.2015", 2015, "2015-12-31"), ("2022-05-15", 2022, "2022-05-15"), ("2016", 2016, None), ("Jahr: 2016", 2016, None)],
)
def test_periods(text, year, iso):
    parsed_year, reference = parse_period(text)
    assert parsed_year == year
    assert (reference.isoformat() if reference else None) == iso


def test_unparseable_period():
    assert parse_period("Ende 2015") is None


def test_scope_membership():
    assert keys.parse_area_key("05").in_scope("05358") and keys.parse_area_key("05").in_scope("")
    assert not keys.parse_area_key("07").in_scope("05358")
    assert keys.parse_area_key("JH05358999").in_scope("05358")
    assert keys.parse_area_key("05358004").in_scope("05") and not keys.parse_area_key("05358004").in_scope("05970")
