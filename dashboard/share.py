"""Shareable views: every page keeps its selections in the URL, and a link reproduces the view.

A page binds the session-state keys of its widgets to URL parameters with one call, before the widgets are
created. ``context.page_context()`` already binds the sidebar (``db``, ``kreis``, ``jahr``, ``praesentation``)
and shows the "Link zu dieser Ansicht" control; ``dashboard/app.py`` calls ``publish()`` after every page run.

Usage in a page::

    from dashboard import context, share

    ctx = context.page_context()
    share.bind(
        share.Param("level", "ebene"),                       # a str widget value, ?ebene=sozialraum
        share.Param("radius_km", "radius", int),             # parsed as int, ?radius=5
        share.Param("offer_types", "arten", many=True),      # a multiselect, ?arten=kita&arten=schule
        share.Param("show_grid", "raster", bool, default=False),  # ?raster=1; the default stays out of the URL
    )
    level = st.radio("Gebietsebene", levels, key="level")    # takes the value from the link

How it works:
- On a session's first run, or when a parameter in the URL differs from what this session last wrote there
  (a pasted link), ``bind`` parses the URL value and puts it into ``st.session_state[key]``; the widget then
  starts with it. Keys a page derives from others need no binding.
- After the run ``publish()`` writes the current values back into ``st.query_params`` (values equal to the
  ``default`` are left out) and fills the link control with the complete URL.
- A URL value that cannot be parsed, is longer than ``MAX_CHARS`` (``MAX_ITEMS`` for a list), is not among the
  param's ``choices``, or that the page does not accept (the widget or the page's own checks replace it, e.g. a
  year without data), is ignored; a hint at the top of the page says which one, as plain text (never Markdown).
- ``bind`` may be called more than once per run, e.g. for a widget whose key depends on earlier choices.
"""
from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import math

import streamlit as st

from dashboard.markdown import plain

_RUN = "_share_run"  # per-run state, replaced by begin()
_WRITTEN = "_share_written"  # URL name → value as this session last wrote (or read) it
_TRUE = {"1", "true", "ja", "wahr", "on"}
_FALSE = {"0", "false", "nein", "falsch", "off"}
MAX_CHARS = 200  # longer link values are ignored: ids, names and titles are shorter, and search costs grow with length
MAX_ITEMS = 100  # at most this many values of a repeated parameter
HINT_CHARS = 60  # a rejected value is quoted in the hint up to this length


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    raise ValueError(f"not a yes/no value: {text!r}")


@dataclass(frozen=True)
class Param:
    """A session-state key bound to a URL parameter.

    ``type``: str, int, float or bool (bool is written as 1/0). ``many``: a list (repeated parameter).
    ``from_url``/``to_url`` replace the conversion of one item, e.g. a database name ↔ its path; ``from_url``
    raises ValueError or KeyError for a value it does not know. ``choices``: the values a page can show at all
    (known before the data, e.g. the classification schemes); others are refused before any code sees them.
    """

    key: str
    name: str = ""
    type: type = str
    many: bool = False
    default: Any = None
    from_url: Callable[[str], Any] | None = None
    to_url: Callable[[Any], str] | None = None
    choices: Collection[Any] | None = None

    @property
    def url_name(self) -> str:
        return self.name or self.key

    def parse_item(self, text: str) -> Any:
        if self.from_url is not None:
            return self.from_url(text)
        if self.type is bool:
            return _parse_bool(text)
        value = self.type(text)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"not a finite number: {text!r}")
        return value

    def parse(self, raw: list[str]) -> Any:
        if len(raw) > MAX_ITEMS or any(len(t) > MAX_CHARS for t in raw):
            raise ValueError("link value too long")
        items = [self.parse_item(t) for t in raw] if self.many else [self.parse_item(raw[-1])]
        if self.choices is not None and any(item not in self.choices for item in items):
            raise ValueError("not one of the choices")
        return items if self.many else items[0]

    def dump_item(self, value: Any) -> str:
        if self.to_url is not None:
            return self.to_url(value)
        if self.type is bool:
            return "1" if value else "0"
        return str(value)

    def dump(self, value: Any) -> list[str]:
        """The URL values of a session value; empty for None, an empty list or the default."""
        if value is None or (self.default is not None and value == self.default):
            return []
        return [self.dump_item(v) for v in value] if self.many else [self.dump_item(value)]


@dataclass
class _Run:
    params: dict[str, Param] = field(default_factory=dict)  # by URL name
    requested: dict[str, tuple[str, Any]] = field(default_factory=dict)  # key → (URL text, value) taken from the URL
    hints: list[str] = field(default_factory=list)
    hint_slot: Any = None  # st.empty() at the top of the page
    link_slot: Any = None  # st.empty() inside the link popover


def begin() -> None:
    """Start a page run: a slot for hints at the top of the main area (called by ``context.page_context``)."""
    st.session_state[_RUN] = _Run(hint_slot=st.empty())


def _run() -> _Run:
    run = st.session_state.get(_RUN)
    if not isinstance(run, _Run):
        run = _Run()
        st.session_state[_RUN] = run
    return run


def _url_values(name: str) -> list[str]:
    return [v for v in st.query_params.get_all(name) if v != ""]


def bind(*params: Param) -> None:
    """Bind widget keys to URL parameters; call before the widgets are created (see the module docstring)."""
    run = _run()
    written: dict[str, list[str]] = st.session_state.setdefault(_WRITTEN, {})
    for param in params:
        name = param.url_name
        run.params[name] = param
        raw = _url_values(name)
        if not raw or written.get(name) == raw:
            continue  # nothing in the link, or what this session wrote itself: the session state is current
        written[name] = raw
        shown = ",".join(raw)
        try:
            value = param.parse(raw)
        except (ValueError, KeyError, TypeError, OverflowError):
            run.hints.append(f"{name}={shown}")
            continue
        st.session_state[param.key] = value
        run.requested[param.key] = (shown, value)


def current_values() -> dict[str, list[str]]:
    """URL values of every parameter bound in this run, from the session state (empty lists left out)."""
    run = _run()
    values = {name: [v for v in param.dump(st.session_state.get(param.key)) if v != ""] for name, param in run.params.items()}
    return {name: v for name, v in values.items() if v}


def view_url(values: dict[str, list[str]] | None = None) -> str:
    """The link to this view: the page's address in the browser plus the bound parameters."""
    query = urllib.parse.urlencode(current_values() if values is None else values, doseq=True)
    try:
        base = st.context.url or ""
    except Exception:  # noqa: BLE001 – no browser (AppTest, bare mode): a relative link still carries the view
        base = ""
    return f"{base}?{query}" if query else (base or "?")


def link_control(container: Any = None) -> None:
    """'Link zu dieser Ansicht': a popover with the URL to copy (filled again by ``publish`` after the page ran)."""
    target = container if container is not None else st
    with target.popover("Link zu dieser Ansicht", icon=":material/link:", width="stretch"):
        st.caption("Dieser Link öffnet die Seite mit denselben Einstellungen (Kreis, Jahr, Ebene, Kennzahl …).")
        run = _run()
        run.link_slot = st.empty()
        run.link_slot.code(view_url(), language=None, wrap_lines=True)


def _rejected(run: _Run) -> list[str]:
    """URL values the page did not take over (the widget or the page's checks chose something else)."""
    out = list(run.hints)
    for key, (shown, wanted) in run.requested.items():
        param = next((p for p in run.params.values() if p.key == key), None)
        if param is not None and param.dump(st.session_state.get(key)) != param.dump(wanted):
            out.append(f"{param.url_name}={shown}")
    return out


def publish() -> None:
    """After a page run: current values into the URL, the link control filled, hints for ignored link values."""
    run = st.session_state.get(_RUN)
    if not isinstance(run, _Run):
        return
    values = current_values()
    written: dict[str, list[str]] = st.session_state.setdefault(_WRITTEN, {})
    for name in run.params:
        new = values.get(name, [])
        if _url_values(name) != new:
            if new:
                st.query_params[name] = new if len(new) > 1 else new[0]
            elif name in st.query_params:
                del st.query_params[name]
        written[name] = new
    if run.link_slot is not None:
        run.link_slot.code(view_url(values), language=None, wrap_lines=True)
    rejected = _rejected(run)
    if rejected:
        quoted = ", ".join(plain(value, HINT_CHARS) for value in rejected)  # link text never becomes Markdown
        text = (
            f"Aus dem Link nicht übernommen: {quoted} – diese Auswahl gibt es hier nicht "
            "(z. B. ein Jahr ohne Daten); gezeigt wird die Voreinstellung."
        )
        (run.hint_slot or st).warning(text, icon=":material/link_off:")
    run.requested.clear()
    run.hints.clear()
