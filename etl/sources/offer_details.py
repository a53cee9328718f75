"""The optional columns of an offer list that a family needs in the public finder: checked, one cell at a time.

Which columns exist, their kind and length limit are metadata (``[details]`` and ``[yes_no]`` in
etl/metadata/offer_formats.toml). Every check returns the value to store and, for a value that does not fit, the
problem and what happened, in German, for the import report. The rule a planner relies on: a bad value never makes
an offer more public – an unreadable 'oeffentlich' is 'nein', and a web address that is not http(s) is left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

YES, NO, PARTLY = "ja", "nein", "teilweise"
# a telephone number as lists write it: digits, spaces, + / - ( ) . and at least 3 digits
_PHONE = re.compile(r"[0-9 +()/.\-–]+")
# one address without spaces or characters that could end an attribute; the domain has a dot and a 2+ letter end
_EMAIL = re.compile(r"[^@\s<>\"'`]+@[^@\s<>\"'`]+\.[A-Za-z]{2,}")
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


@dataclass(frozen=True)
class Checked:
    value: object  # what is stored: bool for oeffentlich, text otherwise ('' = not stated)
    problem: str | None = None  # None: the value loads as it stands
    action: str = ""  # what happened, for the import report (e.g. "geladen ohne diesen Wert")


def public_detail_fields(rules: dict[str, dict]) -> list[str]:
    """The detail columns the public finder may show (all but those marked public = false)."""
    return [name for name, rule in rules.items() if rule.get("public", True)]


def check_detail(text: str, rule: dict, words: dict[str, list[str]], default_public: bool) -> Checked:
    """One cell of a detail column, by the kind its rule names (yes_no, accessibility, phone, email, url, text)."""
    kind = rule["kind"]
    if kind == "yes_no":
        return _yes_no(text, words, default_public)
    if not text:
        return Checked("")
    if kind == "accessibility":
        return _accessibility(text, words)
    limit = rule.get("max_length")
    if kind == "text":
        if limit and len(text) > limit:
            return Checked(text[: limit - 1].rstrip() + "…", f"Text ist {len(text)} Zeichen lang (erlaubt: {limit})",
                           f"geladen, gekürzt auf {limit} Zeichen")  # fmt: skip
        return Checked(text)
    pattern, expected = {
        "phone": (_PHONE, "Ziffern, Leerzeichen und + / - ( ), z. B. 06501 123-45"),
        "email": (_EMAIL, "eine E-Mail-Adresse wie beratung@beispiel.de"),
        "url": (_URL, "eine Webadresse, die mit https:// oder http:// beginnt"),
    }[kind]  # fmt: skip
    candidate = "https://" + text if kind == "url" and text.lower().startswith("www.") else text
    fits = pattern.fullmatch(candidate) and (kind != "phone" or sum(c.isdigit() for c in candidate) >= 3)
    if not fits or (limit and len(candidate) > limit):
        longer = f"; höchstens {limit} Zeichen" if limit else ""
        return Checked("", f"'{text}' ist keine gültige Angabe (erwartet: {expected}{longer})", "geladen ohne diesen Wert")
    return Checked(candidate)


def _yes_no(text: str, words: dict[str, list[str]], default_public: bool) -> Checked:
    word = text.strip().lower()
    if not word:
        return Checked(default_public)
    if word in words["yes"]:
        return Checked(True)
    if word in words["no"] or word in words["internal"]:
        return Checked(False)
    return Checked(False, f"'{text}' ist weder ja noch nein (erwartet: ja oder nein)", "geladen als nicht öffentlich")


def _accessibility(text: str, words: dict[str, list[str]]) -> Checked:
    word = text.strip().lower()
    for value, known in ((YES, words["yes"]), (NO, words["no"]), (PARTLY, words["partly"])):
        if word in known:
            return Checked(value)
    return Checked("", f"'{text}' ist keine gültige Angabe (erwartet: ja, nein oder teilweise)", "geladen ohne diesen Wert")
