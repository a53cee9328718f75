"""Static images of plotly figures through kaleido 1.x and Debian's chromium, fully offline.

One browser (kaleido's sync server) is started on the first export and reused: a fresh browser per image
costs 2–3 s, a reused one ~0.2 s. Offline means:
- MathJax is switched off (kaleido would load it from a CDN) and plotly.js comes from the plotly package;
- ``assets/print_margins.js`` sets the PDF page margin to 0 (kaleido 1.5 cuts 0.1 inch off otherwise);
- geo subplots get an empty world topojson from ``reports/assets`` (plotly.js fetches one from its CDN even
  when the base map is hidden, as soon as a choropleth uses GeoJSON);
- the browser's own background traffic (component updates, time sync, …) is sent to a proxy that does not
  exist, so no request leaves the machine whatever chromium decides to fetch.
"""
from __future__ import annotations

import os
import re
import struct
import tempfile
import threading
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

CHROMIUM = "/usr/bin/chromium"
ASSETS = Path(__file__).resolve().parent / "assets"
_DEAD_PROXY = "127.0.0.1:9"  # the discard port: nothing listens, every proxied request fails at once
_TIMEOUT_S = 60
_TABS = 2  # two tabs render a batch ~1.8× faster on the two-core machines; more only compete for the cores
_lock = threading.Lock()  # kaleido's sync server pairs requests and answers through shared queues


def _kaleido():
    import kaleido  # deferred: importing kaleido pulls in choreographer, not needed for tables

    if not kaleido._global_server.is_running():  # noqa: SLF001 (kaleido has no public "is running")
        if "BROWSER_PATH" not in os.environ and os.access(CHROMIUM, os.X_OK):
            os.environ["BROWSER_PATH"] = CHROMIUM
        page = kaleido.PageGenerator(mathjax=False, others=[str(ASSETS / "print_margins.js")])
        kaleido.start_sync_server(
            n=_TABS, page_generator=page, timeout=_TIMEOUT_S, enable_extensions=False, proxy_server=_DEAD_PROXY,
            silence_warnings=True,
        )  # fmt: skip
    return kaleido


def render_all(jobs: Sequence[tuple[go.Figure, str, float]]) -> list[bytes]:
    """(figure, format, scale) → image bytes, in one batch: the tabs render in parallel.

    A tab reloads plotly.js after every image; with two tabs one renders while the other reloads.
    """
    if not jobs:
        return []
    with _lock, tempfile.TemporaryDirectory(prefix="reports-") as tmp:
        kaleido = _kaleido()
        paths = [Path(tmp) / f"{i}.{fmt}" for i, (_, fmt, _) in enumerate(jobs)]
        kaleido.write_fig_from_object_sync([
            dict(fig=fig, path=path, topojson=ASSETS.as_uri() + "/",
                 opts=dict(format=fmt, width=_size(fig)[0], height=_size(fig)[1], scale=scale))
            for (fig, fmt, scale), path in zip(jobs, paths)
        ], cancel_on_error=True)  # fmt: skip
        return [path.read_bytes() for path in paths]


def _size(fig: go.Figure) -> tuple[int, int]:
    return int(fig.layout.width or 680), int(fig.layout.height or 480)


def stop() -> None:
    """Close the shared browser (tests and scripts; the app keeps it for the life of the process)."""
    import kaleido

    with _lock:
        kaleido.stop_sync_server(silence_warnings=True)


def png_pixels(width_cm: float, dpi: int) -> int:
    """Pixel width of a print image: cm / 2.54 × dpi."""
    return round(width_cm / 2.54 * dpi)


def pngs(items: Sequence[tuple[go.Figure, float]], dpi: int = 300) -> list[bytes]:
    """PNGs of (figure, width in cm) at ``dpi``, the dpi written into each file."""
    jobs = [(fig, "png", png_pixels(width_cm, dpi) / _size(fig)[0]) for fig, width_cm in items]
    return [with_dpi(png, dpi) for png in render_all(jobs)]


def png_bytes(fig: go.Figure, *, width_cm: float = 16.0, dpi: int = 300) -> bytes:
    """PNG ``width_cm`` wide at ``dpi`` (the dpi is written into the file, so Word and print place it right).

    The layout is kept and only the pixel density changes: a figure designed at 18 cm and exported at 16 cm
    prints everything 16/18 as large.
    """
    return pngs([(fig, width_cm)], dpi)[0]


def svg_bytes(fig: go.Figure) -> bytes:
    """SVG at the figure's layout size (1 px = 1/96 in)."""
    return render_all([(fig, "svg", 1.0)])[0]


def pdfs(figs: Sequence[go.Figure]) -> list[bytes]:
    return render_all([(fig, "pdf", 1.0) for fig in figs])


def pdf_bytes(fig: go.Figure) -> bytes:
    """A one-page vector PDF exactly the figure's size (680 px → 510 pt = 18 cm)."""
    return pdfs([fig])[0]


def with_dpi(png: bytes, dpi: int) -> bytes:
    """The PNG with a pHYs chunk saying ``dpi`` (replacing any); pixels stay as they are, no re-encoding.

    Pillow could do the same with ``Image.save(dpi=…)`` but would decode and recompress a 2000 px image.
    """
    signature, pos = png[:8], 8
    chunks = []
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        end = pos + 12 + length
        if kind != b"pHYs":
            chunks.append((kind, png[pos:end]))
        pos = end
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    phys = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    out = [signature]
    for kind, raw in chunks:
        out.append(raw)
        if kind == b"IHDR":  # pHYs must come before the image data
            out.append(phys)
    return b"".join(out)


@dataclass(frozen=True)
class ExportFile:
    """Bytes with the file name and MIME type a download needs."""

    name: str
    data: bytes
    mime: str


MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "–": "-", "—": "-"})


def slug(text: str) -> str:
    """ASCII-safe part of a file name: 'Landkreis Trier-Saarburg' → 'landkreis-trier-saarburg', ä → ae."""
    ascii_text = unicodedata.normalize("NFKD", str(text).translate(_TRANSLIT)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def file_stem(*parts: object) -> str:
    """'<indikator>_<ebene>_<jahr>_<kreis>': each part a slug, parts joined by '_'.

    Inside a part '_' becomes '-' (anteil_u18 → anteil-u18), so the parts can be told apart again.
    """
    return "_".join(slug(p) for p in parts if p not in (None, ""))


def export_name(*parts: object, ext: str) -> str:
    """File name that says what is inside, e.g. 'anteil-u18_sozialraum_2023_landkreis-musterland-demodaten.png'."""
    return f"{file_stem(*parts)}.{ext.lstrip('.')}"
