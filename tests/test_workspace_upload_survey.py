"""A family survey as an upload (kind "umfrage"): checked by the survey reader before publishing, open text listed
as not taken over, changes against the published version named, a faulty workbook stopped by sheet, row and column,
and the next version's config carrying the survey with its minimum base."""
from __future__ import annotations

import io

import openpyxl
import pytest

from etl.config import REPO_ROOT, load_config
from workspace.draft import check_upload, draft_config
from workspace_helpers import workspace, workspace_url  # noqa: F401  (fixtures: SQLite and PostgreSQL)

SURVEY = REPO_ROOT / "data" / "demo" / "befragung" / "familienbefragung_musterland_demodaten.xlsx"


@pytest.fixture(scope="module")
def config():
    return load_config(REPO_ROOT / "config" / "demo_musterland.toml")


def _edited(change) -> bytes:
    book = openpyxl.load_workbook(SURVEY)
    change(book["Ergebnisse"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_published_survey_again_changes_nothing_and_lists_open_text(config, demo_db):
    check = check_upload("umfrage", SURVEY.name, SURVEY.read_bytes(), {"min_base": 30}, config, demo_db)
    assert check.ok and check.rows > 100
    assert check.changes.empty
    assert (check.report["Ergebnis"] == "nicht übernommen (Freitext)").any()
    assert set(check.preview["ausgewiesen"]) == {"ja", "nein (Basis < 30)"}


def test_a_changed_count_is_named_as_a_change(config, demo_db):
    def more(sheet):
        """In the first area with a shown F01, the counts of 'sehr zufrieden' and 'sehr unzufrieden' swap."""
        rows = [r for r in sheet.iter_rows(min_row=2) if r[2].value == "F01" and (r[5].value or 0) >= 60]
        area = rows[0][0].value
        cells = {r[3].value: r[4] for r in rows if r[0].value == area}
        cells["sehr zufrieden"].value, cells["sehr unzufrieden"].value = cells["sehr unzufrieden"].value, cells["sehr zufrieden"].value

    check = check_upload("umfrage", SURVEY.name, _edited(more), {"min_base": 30}, config, demo_db)
    assert check.ok and len(check.changes) >= 1
    assert check.changes.astype(str).apply(lambda c: c.str.contains("Vereinbarkeit")).any().any()


def test_a_count_above_its_base_stops_the_survey_with_its_place(config, demo_db):
    def broken(sheet):
        sheet.cell(2, 5).value = 999

    check = check_upload("umfrage", SURVEY.name, _edited(broken), {"min_base": 30}, config, demo_db)
    assert not check.ok and check.rows == 0
    assert "Blatt „Ergebnisse“" in check.errors[0] and "Zeile 2" in check.errors[0]


def test_the_next_version_carries_the_uploaded_survey(config, tmp_path, workspace):
    workspace.add_upload("demo", "umfrage", SURVEY.name, SURVEY.read_bytes(), "anna", {"min_base": 50})
    drafted = draft_config(config, workspace.uploads("demo"), tmp_path / "draft", workspace, "demo")
    assert [(s.path.name, s.min_base) for s in drafted.surveys] == [(SURVEY.name, 50)]
    assert str(tmp_path / "draft") in str(drafted.surveys[0].path)
