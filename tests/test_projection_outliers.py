"""The Vorausschau marks an area whose projected target group changes far faster or slower than the typical
area's (Hamilton–Perry carries one-off jumps of the base period forward); small areas are not marked."""
from __future__ import annotations

import pandas as pd

from planning import projection_outlook as outlook


def _rows(now: list[float], projected: list[float]) -> pd.DataFrame:
    n = len(now)
    return pd.DataFrame({"name": [f"G{i}" for i in range(n)], "capacity": [10.0] * n, "target_now": now, "target": projected,
                         "target_low": projected, "target_high": projected, "per_100": [1.0] * n,
                         "per_100_low": [1.0] * n, "per_100_high": [1.0] * n})  # fmt: skip


def test_only_sizeable_areas_far_from_the_typical_change_are_marked() -> None:
    # typical change ×1.1; G3 ×2.5 and G4 ×0.5 are marked, G5 ×3 is too small (20 people) to tell
    rows = _rows([100, 200, 300, 100, 100, 20], [110, 220, 330, 250, 50, 60])
    flagged = outlook.outliers(rows)
    assert list(flagged.dropna().index) == [3, 4] and flagged[3] == 2.5 and flagged[4] == 0.5
    text = outlook.outlier_text(rows, 2030)
    assert text.startswith("⚠ Auffällig – Zielgruppe bis 2030: G3 ×2,5; G4 ×0,5 (typisches Gebiet ×1,1).")
    table = outlook.table(rows, 2023, 2030)
    assert [v.endswith(" ⚠") for v in table["Zielgruppe 2030 (Projektion)"]] == [False, False, False, True, True, False]


def test_nothing_is_marked_when_all_areas_change_alike() -> None:
    rows = _rows([100, 200, 300], [90, 190, 280])
    assert outlook.outliers(rows).isna().all() and outlook.outlier_text(rows, 2030) == ""


def test_without_any_places_the_table_leaves_the_place_columns_out() -> None:
    rows = _rows([100, 200], [110, 220]).assign(capacity=float("nan"), per_100=float("nan"),
                                                 per_100_low=float("nan"), per_100_high=float("nan"))  # fmt: skip
    assert list(outlook.table(rows, 2015, 2030).columns) == ["Gebiet", "Zielgruppe 2015 (gezählt)", "Zielgruppe 2030 (Projektion)"]
