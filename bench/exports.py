"""Print exports (issue #5): one chart as PNG and the Kreistag report for one Sozialraum and ten indicators.

Run by bench/run.py as a worker in its own process (``exports_worker``), so the kaleido browser starts cold
exactly once: the first PNG includes the browser start, the second one is what a user waits for afterwards.
"""
from __future__ import annotations

import time
from pathlib import Path

CHART_TARGET_S = 2.0
REPORT_TARGET_S = 20.0
REPORT_INDICATORS = 10
SOZIALRAUM = "99001-SR03"  # Musterstadt/Rabenbach in the demo county


def exports_worker(db: str) -> dict:
    """Seconds for: first PNG (browser start included), a PNG with the browser running, the Kreistag report."""
    from etl.db import connect
    from reports import figures, kreistag, render

    con = connect(Path(db), read_only=True)
    try:
        indicators = con.execute(
            "SELECT i.indicator_id FROM indicators i WHERE i.listed AND EXISTS (SELECT 1 FROM observations o "
            "WHERE o.indicator_id = i.indicator_id AND o.area_id = ?) ORDER BY i.position LIMIT ?",
            [SOZIALRAUM, REPORT_INDICATORS],
        ).df()["indicator_id"].tolist()  # fmt: skip
        timings = {}
        for run in ("first_png_s", "png_s"):
            started = time.perf_counter()
            fig = figures.ranking_figure(con, "99001", "sozialraum", "anteil_u18", highlight=[SOZIALRAUM])
            png = render.png_bytes(fig, width_cm=16, dpi=300)
            timings[run] = time.perf_counter() - started
        started = time.perf_counter()
        report = kreistag.kreistag_report(con, [SOZIALRAUM], indicators)
        timings["report_s"] = time.perf_counter() - started
        render.stop()
    finally:
        con.close()
    return {**timings, "png_bytes": len(png), "indicators": indicators, "pdf_bytes": len(report.pdf.data),
            "docx_bytes": len(report.docx.data)}  # fmt: skip


def export_lines(result: dict) -> list[tuple[str, str, str, bool | None]]:
    """(name, target, value, ok) for bench/run.py's table."""
    n = len(result["indicators"])
    return [
        ("export: chart PNG 16 cm, 300 dpi, incl. browser start", "–", f"{result['first_png_s']:.2f} s", None),
        ("export: chart PNG 16 cm, 300 dpi", f"< {CHART_TARGET_S:g} s", f"{result['png_s']:.2f} s", result["png_s"] < CHART_TARGET_S),
        (f"export: Kreistag report PDF + docx, 1 Sozialraum, {n} indicators", f"< {REPORT_TARGET_S:g} s",
         f"{result['report_s']:.1f} s", result["report_s"] < REPORT_TARGET_S),
    ]  # fmt: skip
