"""Uploads on a real county (Trier-Saarburg from ../shared/data): the check of an offer list gives exactly what the
build loaded and reported for it, and an own-indicator table with the real keys (Gemeinden, a Verbandsgemeinde)
loads with its values carried up to the Sozialräume and the Kreis."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from etl.build import build
from etl.config import REPO_ROOT, load_config
from tests.own_indicator_fixtures import GOOD_META, filled
from workspace.draft import check_upload

CONFIG = REPO_ROOT / "config" / "07235_trier-saarburg.toml"
pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def trier_saarburg(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("upload_real") / "07235_trier-saarburg.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "build", "--config", str(CONFIG), "--out", str(out)],
                   cwd=REPO_ROOT, check=True, capture_output=True)  # fmt: skip
    return out


def test_checking_the_configured_school_list_gives_what_the_build_loaded_and_reported(trier_saarburg):
    config = load_config(CONFIG)
    entry = config.offers[0]
    check = check_upload("angebote", entry.path.name, entry.path.read_bytes(), {"format": entry.format}, config, trier_saarburg)
    with duckdb.connect(str(trier_saarburg), read_only=True) as con:
        loaded = con.execute("SELECT count(*) FROM offers o JOIN sources s USING (source_id) WHERE s.file = ?", [entry.path.name]).fetchone()[0]
        report = con.execute("SELECT row, problem, action FROM import_report r JOIN sources s USING (source_id) WHERE s.file = ? "
                             "ORDER BY row, problem", [entry.path.name]).fetchall()  # fmt: skip
    assert check.ok and check.rows == loaded > 50
    assert sorted(zip(check.report["Zeile"], check.report["Problem"], check.report["Ergebnis"])) == sorted(report)
    assert check.changes.empty  # the same list again: nothing new, changed or removed


def test_an_own_table_with_real_keys_loads_and_is_carried_up(trier_saarburg, tmp_path):
    with duckdb.connect(str(trier_saarburg), read_only=True) as con:
        gemeinden = con.sql("SELECT area_id, parent_id, sozialraum_id FROM areas WHERE level = 'gemeinde' ORDER BY area_id").df()
    rows = [["kita_warteliste", g, "", 2023, None, 2 + i % 5, 30 + i] for i, g in enumerate(gemeinden["area_id"])]
    verband = gemeinden["parent_id"].iloc[0]
    rows.append(["familienbesuche", verband, "", 2023, 41, None, None])  # a Verbandsgemeinde given directly
    path = filled(tmp_path / "eigene_ts.xlsx", GOOD_META, rows)
    config = load_config(CONFIG)
    check = check_upload("eigene_indikatoren", path.name, path.read_bytes(), {}, config, trier_saarburg)
    assert check.ok, check.errors
    assert check.rows == len(gemeinden) + 1
    out = tmp_path / "mit_eigenen.duckdb"
    build([replace(config, own_indicators=[path])], out, say=lambda _: None)
    with duckdb.connect(str(out), read_only=True) as con:
        obs = con.execute("SELECT area_id, value, numerator, denominator, derivation FROM observations WHERE indicator_id = 'kita_warteliste'").df()
        counts = con.execute("SELECT area_id FROM observations WHERE indicator_id = 'familienbesuche'").df()
    obs = obs.set_index("area_id")
    numerator = sum(2 + i % 5 for i in range(len(gemeinden)))
    denominator = sum(30 + i for i in range(len(gemeinden)))
    assert obs.at["07235", "value"] == pytest.approx(numerator / denominator * 100) and obs.at["07235", "derivation"] == "derived"
    assert {"07235-SR01", "07235-SR02", "07235-SR03", "07235-SR04"} <= set(obs.index)
    assert list(counts["area_id"]) == [verband]  # one Verbandsgemeinde value is not spread to anything
