"""The sidebar names the Gebietsstand of the statistics and offers every finding of the build ('Datenqualität')."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from page_helpers import open_page

from planning import data_quality, queries

REPO_ROOT = Path(__file__).resolve().parent.parent


def _db(path: Path) -> queries.Database:
    return queries.Database(str(path), path.stat().st_mtime)


def test_every_warning_of_the_build_is_offered(demo_db: Path, monkeypatch) -> None:
    log = queries.build_warnings(_db(demo_db))
    quality = data_quality.data_quality(_db(demo_db), "99001")
    assert quality.total == len(log), "nothing cut off"
    assert sum(quality.counts.values()) == quality.total
    at = open_page(demo_db.parent, monkeypatch, "pages/uebersichtskarte.py")
    captions = [c.value for c in at.sidebar.caption]
    assert quality.gebietsstand is None or any(c.startswith("Gebietsstand") for c in captions)


@pytest.fixture(scope="module")
def trier_saarburg(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dq") / "ts.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "build", "--config", "config/07235_trier-saarburg.toml", "--out", str(out)],
                   cwd=REPO_ROOT, check=True, capture_output=True)  # fmt: skip
    return out


def test_real_county_states_its_gebietsstand_and_findings(trier_saarburg: Path, monkeypatch) -> None:
    quality = data_quality.data_quality(_db(trier_saarburg), "07235")
    assert quality.gebietsstand.startswith("Gebietsstand 31.12.2020")
    assert quality.total == len(queries.build_warnings(_db(trier_saarburg)))
    assert any("Trittenheim" in m for m in quality.findings["Meldung"]), "the merger findings are shown"
    assert not quality.findings["Meldung"].str.startswith("[").any(), "the Kreis prefix is dropped"
    csv_lines = trier_saarburg.with_name("ts.warnungen.csv").read_text(encoding="utf-8-sig").splitlines()
    assert quality.total == len(csv_lines) - 1, "the panel shows what the CSV beside the database lists"
    at = open_page(trier_saarburg.parent, monkeypatch, "pages/uebersichtskarte.py")
    assert not at.exception
    assert any(c.value.startswith("Gebietsstand 31.12.2020") for c in at.sidebar.caption)
    shown = [d.value for d in at.sidebar.dataframe]
    assert any(len(frame) == quality.total and "Meldung" in frame.columns for frame in shown), "every finding in the panel"
