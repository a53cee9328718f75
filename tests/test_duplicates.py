"""Probable duplicate offers (planning/duplicates.py) on the demo county with planted duplicates and planted
look-alikes that are different offers; precision and recall are printed and held to 0.9."""
from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from planning.duplicates import better_offer, comparable_name, name_similarity, probable_duplicates

COLUMNS = "offer_key, offer_id, offer_type, name, address, lon, lat, traeger, email"
METRE_LAT, METRE_LON = 1 / 110_540, 1 / 73_000  # degrees per metre at ~50° N


@pytest.fixture(scope="module")
def demo_offers(demo_db) -> pd.DataFrame:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        return con.sql(f"SELECT {COLUMNS} FROM offers ORDER BY offer_id").df()


def _typo(name: str) -> str:
    """Two neighbouring letters of the last word swapped."""
    words = name.split()
    last = words[-1]
    if len(last) > 4:
        words[-1] = last[:2] + last[3] + last[2] + last[4:]
    return " ".join(words)


def _respelled(address: str) -> str:
    return address.replace("straße", "str.").replace("Straße", "Str.").replace(",", "")


def _plant(offers: pd.DataFrame, seed: int = 7) -> tuple[pd.DataFrame, set[frozenset[str]]]:
    """25 duplicates in four kinds of variation and 15 look-alikes that are other offers; returns the offers with
    them and the true duplicate pairs."""
    rng = np.random.default_rng(seed)
    with_street = offers[offers["address"].str.contains(r"\d", regex=True) & offers["address"].str.contains(",")]
    originals = with_street.sample(25, random_state=seed).reset_index(drop=True)
    planted, truth = [], set()
    for i, row in originals.iterrows():
        copy = row.copy()
        copy["offer_key"], copy["offer_id"] = f"dup{i}", f"X-{i}"
        kind = i % 4
        if kind == 0:  # written with abbreviations, a few metres away
            copy["name"] = row["name"].replace("Kindertagesstätte", "Kita").replace("Evangelische", "Ev.").upper()
            copy["lat"] += 25 * METRE_LAT
        elif kind == 1:  # same address written differently, coordinates of another source (far off)
            copy["address"] = _respelled(row["address"])
            copy["lon"] += 900 * METRE_LON
        elif kind == 2:  # a typo in the name, 60 m away
            copy["name"] = _typo(row["name"])
            copy["lon"] += 60 * METRE_LON
        else:  # the name with its place added, same point
            copy["name"] = f"{row['name']} {row['address'].split()[-1]}"
        planted.append(copy)
        truth.add(frozenset((row["offer_key"], copy["offer_key"])))
    # look-alikes: an offer of the same type 30 m from another under another offer's name, and the same address
    # with another Angebotsart (a Familienzentrum in the Kita's building)
    for i, row in offers.sample(15, random_state=seed + 1).reset_index(drop=True).iterrows():
        other = row.copy()
        other["offer_key"], other["offer_id"] = f"other{i}", f"Y-{i}"
        if i % 2:
            same_type = offers[(offers["offer_type"] == row["offer_type"]) & (offers["offer_key"] != row["offer_key"])]
            other["name"] = same_type["name"].iloc[int(rng.integers(len(same_type)))]
            other["lat"] += 30 * METRE_LAT
        else:
            other["offer_type"] = "familienzentrum" if row["offer_type"] != "familienzentrum" else "kita"
        planted.append(other)
    return pd.concat([offers, pd.DataFrame(planted)], ignore_index=True), truth


def test_planted_duplicates_found_with_precision_and_recall(demo_offers):
    offers, truth = _plant(demo_offers)
    pairs = probable_duplicates(offers)
    found = {frozenset((a, b)) for a, b in zip(pairs["offer_key_a"], pairs["offer_key_b"])}
    hits = found & truth
    precision, recall = len(hits) / max(len(found), 1), len(hits) / len(truth)
    print(f"\nDubletten: {len(found)} gemeldet, {len(hits)} von {len(truth)} gepflanzten gefunden – "
          f"Präzision {precision:.2f}, Trefferquote {recall:.2f}")  # fmt: skip
    missed = [sorted(p) for p in truth - found]
    assert recall >= 0.9, f"nicht gefunden: {missed}"
    assert precision >= 0.9, f"fälschlich gemeldet: {[sorted(p) for p in found - truth]}"
    assert pairs["reason"].str.startswith("gleiche Angebotsart; ").all()


def test_the_demo_county_alone_has_no_duplicate(demo_offers):
    """Day carers of one street share their first word, not their name: not reported."""
    assert probable_duplicates(demo_offers).empty


def test_a_pair_decided_different_is_not_listed_again(demo_offers):
    offers, truth = _plant(demo_offers)
    decided = next(iter(truth))
    pairs = probable_duplicates(offers, decided_different={decided})
    found = {frozenset((a, b)) for a, b in zip(pairs["offer_key_a"], pairs["offer_key_b"])}
    assert decided not in found and len(found & truth) == len(truth & found)


def test_reason_names_the_place_and_the_likeness():
    offers = pd.DataFrame({
        "offer_key": ["a", "b", "c"], "offer_id": ["S1-1", "S2-9", "S2-10"], "offer_type": ["kita"] * 3,
        "name": ["Kindertagesstätte Regenbogen", "Ev. Kita Regenbogen Saarburg", "Kita Sonnenschein"],
        "address": ["Hauptstraße 5, 54439 Saarburg", "Hauptstr. 5 54439 Saarburg", "Hauptstraße 7, 54439 Saarburg"],
        "lon": [6.55, 6.5501, 6.5502], "lat": [49.6, 49.6, 49.6],
    })  # fmt: skip
    pairs = probable_duplicates(offers)
    assert pairs[["offer_key_a", "offer_key_b"]].values.tolist() == [["a", "b"]]
    assert pairs.at[0, "reason"] == "gleiche Angebotsart; gleiche Adresse; Name 100 % ähnlich"


def test_names_compare_with_abbreviations_written_out():
    assert comparable_name("Ev. Kita St. Martin") == comparable_name("evangelische kindertagesstaette sankt martin").replace("evangelische", "evangelisch")
    assert name_similarity(comparable_name("FZ Sonnenblume"), comparable_name("Familienzentrum Sonnenblume")) == 1.0
    generic = frozenset({"kindertagespflege"})
    assert name_similarity("kindertagespflege knirpsenland", "kindertagespflege wuselbande", generic) < 0.6


def test_the_offer_with_more_fields_is_kept():
    a = pd.Series({"offer_key": "a", "name": "Kita", "email": "", "traeger": None})
    b = pd.Series({"offer_key": "b", "name": "Kita", "email": "kita@example.org", "traeger": "Stadt"})
    assert better_offer(a, b) == "b"
    assert better_offer(b, a) == "b"
