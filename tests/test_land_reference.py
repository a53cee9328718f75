"""The Land value beside a Kreis is the national table's Land row (issue 11: 'Land always –' on real counties).

A Kreis built by key reads the national GENESIS files, whose Land rows become the reference the explorer, the
Steckbrief and the exports show next to the Kreis.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from planning import indicators, queries
from planning.context import Context

POPULATION_TABLE = "statistics/population_regionalstatistik/full_original/12411-01-01-5_00.csv"


def _land_row(path: Path, land: str) -> dict[int, float]:
    """Year → 'Insgesamt' of the Land row, read straight from the GENESIS file (header line with the dates)."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()  # only digits and dates are read
    dates = next(line for line in lines if line.startswith(";;31.12.")).split(";")
    kinds = lines[lines.index(next(line for line in lines if line.startswith(";;31.12."))) + 1].split(";")
    row = next(line for line in lines if line.startswith(f"{land};")).split(";")
    return {int(d[-4:]): float(row[i]) for i, (d, k) in enumerate(zip(dates, kinds)) if d.startswith("31.12.") and k == "Insgesamt" and row[i].isdigit()}


@pytest.fixture(scope="module")
def trier_saarburg_by_key(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("land") / "ts.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "build", "--kreis", "07235", "--out", str(out)],
                   cwd=Path(__file__).resolve().parent.parent, check=True, capture_output=True)  # fmt: skip
    return out


def test_land_value_equals_the_national_tables_land_row(shared_data: Path, trier_saarburg_by_key: Path) -> None:
    published = _land_row(shared_data / POPULATION_TABLE, "07")
    assert published[2015] == 4_052_803, "Rheinland-Pfalz, 31.12.2015, as the file prints it"
    db = queries.Database(str(trier_saarburg_by_key), trier_saarburg_by_key.stat().st_mtime)
    land = queries.land_series(db, "07235", "bev_insgesamt").set_index("year")["value"]
    for year, value in published.items():
        assert land.loc[year] == value, year
    refs = indicators.references(Context(db, "07235", "Landkreis Trier-Saarburg", 2015, False), "bev_insgesamt", 2015)
    assert refs.land is not None and refs.land.value == published[2015], "the explorer shows it beside the Kreis"
