"""A stable key per offer, so that a planner's edits and duplicate decisions survive the next import.

``offer_id`` (``<source_id>-<row>``) changes whenever a list is added before another or a row moves. The key is
made of what identifies an offer in its list – the list's file name, the Angebotsart, the name and the address,
each normalised (case, umlauts, punctuation, "Str." vs "Straße") – so the same list imported again gives the same
keys. Two equal rows in one list get "#2", "#3" in row order.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

import pandas as pd

_SPELLINGS = (("ß", "ss"), ("ä", "ae"), ("ö", "oe"), ("ü", "ue"))
_STREET = re.compile(r"\s*(?:strasse|str)\b")  # "Haupt-Str.", "Hauptstraße", "Haupt Strasse" → "hauptstr"
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise_text(text: object) -> str:
    """Lower case, umlauts spelt out, accents and punctuation removed, single spaces: 'Kita St. Martin-Süd' and
    'KITA st martin sued' are the same."""
    value = str(text or "").casefold()
    for letter, spelt in _SPELLINGS:
        value = value.replace(letter, spelt)
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return " ".join(_NOT_WORD.sub(" ", value).split())


def normalise_address(text: object) -> str:
    """An address normalised like a name, with 'Str.', 'str' and 'Straße' written one way."""
    return _STREET.sub("str", normalise_text(text))


def offer_keys(file_name: str, offers: pd.DataFrame) -> pd.Series:
    """Keys for the rows of one list (columns offer_type, name, strasse, plz, ort), in the rows' order."""
    bases = [
        "|".join((file_name, str(row.offer_type), normalise_text(row.name), normalise_address(f"{row.strasse} {row.plz} {row.ort}")))
        for row in offers[["offer_type", "name", "strasse", "plz", "ort"]].itertuples(index=False)
    ]
    digests = pd.Series([hashlib.sha1(b.encode("utf-8")).hexdigest()[:16] for b in bases], index=offers.index, dtype=str)
    occurrence = digests.groupby(digests).cumcount()
    return digests.where(occurrence == 0, digests + "#" + (occurrence + 1).astype(str))
