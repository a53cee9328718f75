"""Probable duplicate offers: the same offer in two lists, or twice in one, before anyone counts it twice.

The Leitstelle Familie keeps one inventory from many lists (Jugendamt, Kita-Aufsicht, Träger, Familienbildung).
Two entries are listed as a probable duplicate when all of this holds:

1. the same Angebotsart;
2. the same place: the same address once written one way (case, umlauts, "Str."/"Straße", punctuation), or
   points at most ``max_distance_m`` (100 m) apart;
3. similar names: after writing common abbreviations out ("Kita" = "Kindertagesstätte", "FZ" = "Familienzentrum",
   "ev." = "evangelisch") and leaving out the words that only say what kind of offer it is (see ``generic_words``),
   the names agree by at least ``min_name_similarity`` (difflib ratio, 0–1), or one name's distinctive words are
   all in the other's ("Kita Regenbogen" / "Ev. Kita Regenbogen Saarburg").

Each pair says why ("gleiche Adresse; Name 93 % ähnlich"). Pairs the planner decided are left out: "verschieden"
for good; "dasselbe Angebot" is merged at the next publish and so is no longer two offers.
"""
from __future__ import annotations

import math
from difflib import SequenceMatcher

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from etl.offer_keys import normalise_address, normalise_text

MAX_DISTANCE_M = 100.0
MIN_NAME_SIMILARITY = 0.85
# abbreviations written out before names are compared (normalised spelling: lower case, umlauts spelt out)
ABBREVIATIONS = {
    "kita": "kindertagesstaette", "kitas": "kindertagesstaette", "kindertagesstatte": "kindertagesstaette",
    "kiga": "kindergarten", "fz": "familienzentrum", "mgh": "mehrgenerationenhaus", "ev": "evangelisch",
    "evang": "evangelisch", "kath": "katholisch", "st": "sankt", "skf": "sozialdienst katholischer frauen",
    "awo": "arbeiterwohlfahrt", "drk": "deutsches rotes kreuz", "jfh": "jugendfreizeitheim", "ggs": "grundschule",
    "gs": "grundschule", "kts": "kindertagesstaette",
}  # fmt: skip
SMALL_WORDS = ("der", "die", "das", "dem", "den", "des", "am", "an", "im", "in", "fuer", "und", "von", "vom", "zu", "zum", "zur", "e", "v")
PAIR_COLUMNS = ["offer_key_a", "offer_key_b", "offer_id_a", "offer_id_b", "name_a", "name_b", "offer_type", "distance_m",
                "same_address", "name_similarity", "reason"]  # fmt: skip


def comparable_name(name: object) -> str:
    """A name as it is compared: normalised, abbreviations written out."""
    return " ".join(ABBREVIATIONS.get(word, word) for word in normalise_text(name).split())


def name_similarity(a: str, b: str, generic: frozenset[str] = frozenset()) -> float:
    """How alike two comparable names are, 0–1, on their distinctive words (``generic`` words such as
    "Kindertagespflege" left out, so two day carers of one street are not alike by their common first word): the
    difflib ratio, or 1 when one name's distinctive words are all in the other's."""
    words_a, words_b = [w for w in a.split() if w not in generic], [w for w in b.split() if w not in generic]
    if not words_a or not words_b:  # a name of generic words only: compare it whole
        words_a, words_b = a.split(), b.split()
    if set(words_a) <= set(words_b) or set(words_b) <= set(words_a):
        return 1.0
    return SequenceMatcher(None, " ".join(words_a), " ".join(words_b)).ratio()


def generic_words(offers: pd.DataFrame, names: list[str]) -> dict[str, frozenset[str]]:
    """Per Angebotsart the words that say what an offer is, not which one: the type's own name, written-out
    abbreviations, small words, and any word in at least a tenth of that type's names (and in 3 or more)."""
    common = set(SMALL_WORDS) | {w for full in ABBREVIATIONS.values() for w in full.split()}
    result = {}
    for offer_type, rows in offers.groupby("offer_type", sort=False).groups.items():
        counts = pd.Series([w for i in rows for w in set(names[i].split())], dtype=str).value_counts()
        frequent = set(counts[counts >= max(3, 0.1 * len(rows))].index)
        result[offer_type] = frozenset(common | frequent | set(str(offer_type).split("_")))
    return result


def _metres(offers: pd.DataFrame) -> np.ndarray:
    """Local east/north metres from lon/lat (equirectangular: exact enough over 100 m)."""
    lat0 = math.radians(float(offers["lat"].mean()))
    return np.column_stack([offers["lon"].to_numpy(float) * 111_320 * math.cos(lat0), offers["lat"].to_numpy(float) * 110_540])


def probable_duplicates(offers: pd.DataFrame, decided_different: set[frozenset[str]] | None = None,
                        max_distance_m: float = MAX_DISTANCE_M, min_name_similarity: float = MIN_NAME_SIMILARITY) -> pd.DataFrame:  # fmt: skip
    """Pairs of probable duplicates among ``offers`` (columns offer_key, offer_id, offer_type, name, address, lon, lat),
    most certain first; ``decided_different``: pairs of offer keys the planner marked "verschieden"."""
    decided_different = decided_different or set()
    offers = offers.reset_index(drop=True)
    if len(offers) < 2:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    names = offers["name"].map(comparable_name).tolist()
    addresses = offers["address"].fillna("").map(normalise_address).tolist()
    points = _metres(offers)
    candidates = set(cKDTree(points).query_pairs(max_distance_m))
    by_address: dict[str, list[int]] = {}
    for i, address in enumerate(addresses):
        if any(c.isalpha() for c in address) and any(c.isdigit() for c in address):  # a street with a number, not a place alone
            by_address.setdefault(address, []).append(i)
    candidates |= {(a, b) for rows in by_address.values() for n, a in enumerate(rows) for b in rows[n + 1:]}
    types, keys = offers["offer_type"].tolist(), offers["offer_key"].tolist()
    generic = generic_words(offers, names)
    rows = []
    for a, b in sorted(candidates):
        if types[a] != types[b] or frozenset((keys[a], keys[b])) in decided_different:
            continue
        similarity = name_similarity(names[a], names[b], generic[types[a]])
        if similarity < min_name_similarity:
            continue
        same_address = bool(addresses[a]) and addresses[a] == addresses[b]
        distance = float(np.hypot(*(points[a] - points[b])))
        place = "gleiche Adresse" if same_address else f"{distance:.0f} m voneinander entfernt"
        name = "gleicher Name" if names[a] == names[b] else f"Name {similarity * 100:.0f} % ähnlich"
        rows.append((keys[a], keys[b], offers.at[a, "offer_id"], offers.at[b, "offer_id"], offers.at[a, "name"], offers.at[b, "name"],
                     types[a], round(distance, 1), same_address, round(similarity, 3), f"gleiche Angebotsart; {place}; {name}"))  # fmt: skip
    pairs = pd.DataFrame(rows, columns=PAIR_COLUMNS)
    return pairs.sort_values(["name_similarity", "same_address", "distance_m"], ascending=[False, False, True], ignore_index=True)


def better_offer(a: pd.Series, b: pd.Series) -> str:
    """Which of two duplicates to keep (its offer_key): the one with more fields filled; the first on a tie. The
    merge fills the kept offer's empty fields from the other, so nothing known is lost."""
    def filled(row: pd.Series) -> int:
        return sum(1 for v in row.to_numpy() if v is not None and v == v and v != "")

    return str(a["offer_key"] if filled(a) >= filled(b) else b["offer_key"])
