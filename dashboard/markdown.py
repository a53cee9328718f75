"""Text from data or from a link, shown inside Streamlit's Markdown as exactly that text.

Streamlit renders titles, captions, alerts and ``st.markdown`` as GitHub Markdown with its own extras (``:red[…]``,
``:material/…:`` icons, ``$…$`` formulas). A Sozialraum name or a link value like ``**Sitzung abgelaufen** [hier
anmelden](http://evil.example)`` must show as written: no bold, no outside link, no image fetched from elsewhere.
``plain`` escapes what could start Markdown, a Streamlit directive, a formula, an HTML tag or an autolink, drops
control characters and folds line breaks, so the text stays on its line. Ordinary names keep their characters
('Landkreis Musterland (Demodaten)', 'Trier-Saarburg', 'gibt_es_nicht'): brackets are escaped, so parentheses
can no longer form a link. Use it for every value that comes from data or the URL; fixed German UI text needs none.
"""
from __future__ import annotations

import re

# CommonMark lets any ASCII punctuation be escaped with a backslash. Escaped everywhere: emphasis, code, links and
# images, HTML and autolinks in <…>, strikethrough and Streamlit's $formulas$.
_ALWAYS = re.compile(r"([\\`*\[\]<~$])")
# '_' makes emphasis only at a word's edge ('gibt_es_nicht' stays as it is)
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-zÄÖÜäöüß])_|_(?![0-9A-Za-zÄÖÜäöüß])")
# Streamlit's :emoji: / :material/icon: shortcodes
_SHORTCODE_COLON = re.compile(r":(?=[\w/+-]+:)", re.ASCII)
# GFM links bare 'http://…', 'www.…' and e-mail addresses after parsing, so a backslash cannot stop it: an invisible
# word joiner (U+2060) between the parts does
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"
# what makes a heading, list, quote or rule when it starts the text
_LINE_START = re.compile(r"^(\d+)([.)])(?=\s|$)|^([#+=-])(?=\s|$|[-#+= ]*$)|^(>)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def plain(text: object, max_chars: int | None = None) -> str:
    """``text`` for a Markdown context, shown literally (optionally cut to ``max_chars`` with '…')."""
    value = " ".join(_CONTROL.sub(" ", str(text)).split())
    if max_chars is not None and len(value) > max_chars:
        value = value[: max_chars - 1] + "…"
    value = _ALWAYS.sub(r"\\\1", value)
    value = _EDGE_UNDERSCORE.sub(r"\\_", value)
    value = _SHORTCODE_COLON.sub(r"\\:", value)
    value = _AUTOLINK.sub(WORD_JOINER, value)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3] or m[4]}", value)
