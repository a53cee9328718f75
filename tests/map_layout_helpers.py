"""What a planner sees of a map page in Chromium, measured: map size, overlapping map furniture, truncated control
labels, legend type size (shared by the browser tests of the map pages)."""
from __future__ import annotations

from browser_helpers import MAP_FRAME

# Boxes of the map's furniture inside the map frame: legend control, attribution, scale bar (and the zoom buttons).
FURNITURE_JS = """() => {
    const boxes = {};
    for (const [name, selector] of [['legend', '.pa-legend-control'], ['attribution', '.leaflet-control-attribution'],
                                    ['scale', '.leaflet-control-scale'], ['zoom', '.leaflet-control-zoom']]) {
        const node = document.querySelector(selector);
        if (node) { const r = node.getBoundingClientRect(); boxes[name] = [r.left, r.top, r.right, r.bottom]; }
    }
    boxes.map = [0, 0, window.innerWidth, window.innerHeight];
    return boxes;
}"""

# Text of controls that does not fit its box (an ellipsis or a clipped word): labels of every widget, the shown
# value of select boxes, button labels, radio and toggle labels. Hidden elements (folded away) are skipped; a button
# label broken over two lines counts as cut.
TRUNCATED_JS = """(scope) => {
    const selectors = ['[data-testid="stWidgetLabel"] p', '[data-testid="stWidgetLabel"] label', 'label p', 'button p',
                       '[data-testid="stSelectbox"] input', '[data-testid="stExpander"] summary p',
                       '[data-testid="stPopover"] button div'];
    const cut = [];
    for (const node of document.querySelector(scope).querySelectorAll(selectors.join(','))) {
        if (!node.offsetParent || node.clientWidth === 0 || node.children.length > 1) { continue; }
        if (node.closest('[data-testid="stSidebar"][data-collapsed="true"]')) { continue; }  // folded away
        const text = (node.tagName === 'INPUT' ? node.value : node.innerText || '').trim();  // a select box shows its value in an input
        if (!text) { continue; }
        const range = document.createRange();
        range.selectNodeContents(node);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        const wrapped = node.matches('button p') && lines > 1;  // "Grafi/k": a button label broken inside a word
        if (node.scrollWidth > node.clientWidth + 1 || wrapped) { cut.push(text); }
    }
    return cut;
}"""

# The smallest font size of any text inside the legend.
LEGEND_MIN_PX_JS = """() => {
    const legend = document.querySelector('.pa-legend');
    if (!legend) { return null; }
    let smallest = Infinity;
    const walker = document.createTreeWalker(legend, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        if (walker.currentNode.textContent.trim()) {
            smallest = Math.min(smallest, parseFloat(getComputedStyle(walker.currentNode.parentElement).fontSize));
        }
    }
    return smallest;
}"""


MAIN = '[data-testid="stMain"]'  # the page itself; the shared sidebar is checked by its own tests


def map_frame(page):
    return next(f for f in page.frames if "streamlit_folium" in f.url)


def overlaps(boxes: dict[str, list[float]]) -> list[tuple[str, str]]:
    """Pairs of map furniture whose boxes intersect (touching edges do not count)."""
    names = [n for n in boxes if n != "map"]
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            (al, at, ar, ab), (bl, bt, br, bb) = boxes[a], boxes[b]
            if al < br - 0.5 and bl < ar - 0.5 and at < bb - 0.5 and bt < ab - 0.5:
                pairs.append((a, b))
    return pairs


def outside(boxes: dict[str, list[float]]) -> list[str]:
    """Furniture that reaches beyond the map's edges."""
    _, _, width, height = boxes["map"]
    return [n for n, (l, t, r, b) in boxes.items() if n != "map" and (l < -0.5 or t < -0.5 or r > width + 0.5 or b > height + 0.5)]


def check_map_page(page) -> dict:
    """Measurements of the page as it stands: map box (in the page), furniture overlaps, truncated controls,
    smallest legend type."""
    map_box = page.locator(MAP_FRAME).bounding_box()
    frame = map_frame(page)
    boxes = frame.evaluate(FURNITURE_JS)
    return {
        "map": map_box,
        "overlaps": overlaps(boxes),
        "outside": outside(boxes),
        "truncated": page.evaluate(TRUNCATED_JS, MAIN),
        "legend_px": frame.evaluate(LEGEND_MIN_PX_JS),
    }
