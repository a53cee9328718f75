"""The GENESIS classic-table CSV layout shared by the demo's statistics tables, and the writer of its text files.

Every demo table (population in etl/demo/population.py, benefits, area and unemployment in etl/demo/social.py) is
written as a title block padded with ';', header lines, a Kreis row that is the exact sum of the Gemeinde rows,
the Gemeinde rows, and a footer whose © line says that these are no official figures.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from etl.demo.county import County

STAND = "Stand: 01.07.2024 / 12:00:00"
DEMO_NOTICE = "Demodaten - erzeugt von Planungsatlas Familie, keine amtlichen Zahlen."  # latin-1 safe: no en dash


def genesis_csv(
    title: list[str], header: list[list[str]], rows: list[list[str]], footnote: list[str], *, quoted_copyright: bool = True
) -> str:
    """Title block padded with ';' to the column count, header lines, data rows, footer, LF endings.

    Regionalstatistik quotes its © block, IT.NRW writes the © line bare (``quoted_copyright=False``)."""
    width = len(header[0])
    lines = [title[0]] + [t + ";" * (width - 1) for t in title[1:]]  # the first title line is not padded
    lines += [";".join(h) for h in header] + [";".join(r) for r in rows]
    quoted = [line.replace('"', '""') for line in footnote]
    quoted[0], quoted[-1] = '"' + quoted[0], quoted[-1] + '"'
    # Readers take the attribution from the © line, so it must say that these are no official figures.
    notice = f'"© {DEMO_NOTICE}"' if quoted_copyright else f"© {DEMO_NOTICE}"
    lines += ["__________", *quoted, notice, STAND]
    return "\n".join(lines) + "\n"


def data_rows(county: County, values: np.ndarray, unknown: np.ndarray | None = None) -> list[list[str]]:
    """Kreis row (exact sum of the Gemeinde rows) first, then the Gemeinden; `unknown` marks '.' cells."""
    rows = []
    if county.total_row:
        key, name = county.total_row
        rows.append([key, f"      {name}", *map(str, values.sum(axis=0))])
    for i, g in enumerate(county.gemeinden):
        # GENESIS writes "-" where nothing exists (an unpopulated area), "0" for a count that happens to be 0.
        cells = ["-" if g.bez == "Gemeindefreies Gebiet" else str(v) for v in values[i]]
        if unknown is not None:
            cells = ["." if unknown[i, j] else c for j, c in enumerate(cells)]
        rows.append([g.ags, f"        {g.genesis_name}", *cells])
    return rows


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    # Bytes, not Path.write_text: no platform newline translation may turn the LF endings into CRLF.
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
