"""A folium map on a page through streamlit-folium's component, rendered to text once rather than on every run.

``st_folium`` renders the whole map (every GeoJSON feature, through Jinja templates) on each script run: 20–30 ms
for a county's Gemeinden, even when nothing changed. ``render`` does the same work once and keeps only what the
component receives (text); ``show`` hands that to the same component on every run. A view memoised per its inputs
thus costs nothing on a rerun, and the text may be shared by all sessions (a folium Map must not be: rendering
changes it). The steps follow ``streamlit_folium.st_folium`` of the pinned version (requirements.txt).
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import folium
import streamlit as st
import streamlit_folium as sf

_DEFAULTS = {
    "last_clicked": None, "last_object_clicked": None, "last_object_clicked_count": None,
    "last_object_clicked_tooltip": None, "last_object_clicked_popup": None, "all_drawings": None,
    "last_active_drawing": None, "last_circle_radius": None, "last_circle_polygon": None, "selected_layers": None,
    "selected_tags": None, "last_geocoder_result": None,
}  # fmt: skip


@dataclass(frozen=True)
class RenderedMap:
    """What the st_folium component receives for one map, as text."""

    script: str
    header: str
    html: str
    map_id: str
    bounds: dict
    zoom: object
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


def _assets(element) -> tuple[list[str], list[str]]:
    """CSS and JS files of the map and everything on it, in order, once each (Leaflet is served by the app)."""
    css, js = [], []
    stack = [element]
    while stack:
        node = stack.pop(0)
        if isinstance(node, folium.elements.JSCSSMixin):
            css.extend(href for _, href in getattr(node, "default_css", []))
            js.extend(src for _, src in getattr(node, "default_js", []))
        stack[0:0] = list(getattr(node, "_children", {}).values())  # depth first, as st_folium walks
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


def render(fmap: folium.Map) -> RenderedMap:
    """Render ``fmap`` once (it must not be used afterwards)."""
    fmap.get_root().render()
    fmap.render()
    html, header = sf._get_html(fmap), sf._get_header(fmap)  # before the script: that step changes the map
    script = sf._get_map_string(fmap)
    (south, west), (north, east) = fmap.get_bounds()
    bounds = {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}}
    css, js = _assets(fmap)
    return RenderedMap(script, header, html, sf.get_full_id(fmap), bounds, fmap.options.get("zoom"), tuple(css), tuple(js))


@functools.lru_cache(maxsize=64)
def _component_key(script: str, key: str | None) -> str:
    # st_folium keys the component by a hash of the script; hashing a county's script takes milliseconds
    return sf.generate_js_hash(script, key, False)


def show(
    rendered: RenderedMap, *, key: str, height: int, returned_objects: Sequence[str] = (), feature_group: str | None = None
) -> dict | None:
    """The map across the container's width, like ``st_folium(..., use_container_width=True)``; returns the
    ``returned_objects`` of the last interaction. ``feature_group``: a layer's script (``layer_script``)."""
    component_key = _component_key(rendered.script, key)

    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(component_key, {})

    defaults = {**_DEFAULTS, "bounds": rendered.bounds, "zoom": rendered.zoom}
    return sf._component_func(
        script=rendered.script, header=rendered.header, html=rendered.html, id=rendered.map_id, key=component_key,
        height=height, width=None, returned_objects=list(returned_objects),
        default={k: v for k, v in defaults.items() if k in returned_objects}, zoom=None, center=None,
        feature_group=feature_group, return_on_hover=False, layer_control=None, pixelated=False,
        css_links=list(rendered.css_links), js_links=list(rendered.js_links), on_change=_on_change, wrap_longitude=False,
    )  # fmt: skip


def layer_script(group: folium.FeatureGroup) -> str:
    """The script that adds ``group`` to a shown map without redrawing it (st_folium's ``feature_group_to_add``)."""
    return sf._get_feature_group_string(group, map=folium.Map(tiles=None), idx=0)
