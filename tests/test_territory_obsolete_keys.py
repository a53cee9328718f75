"""National GENESIS tables list a Gemeinde that changed Kreis under its old key too, with a marker for the years after
the change (Trittenheim 2016: '.' under Bernkastel-Wittlich 0723105207, 21 under Trier-Saarburg 0723506207). Such a
row holds no value of anything: it is not a missing part that would make the Gemeinde, its Verband and the Kreis sum
incomplete (the hand-made Kreis of tests/test_territory.py: Cestadt was 99008003 until 2016, 99009003 since 2017)."""
from __future__ import annotations

import numpy as np

from test_territory import convert, g


def test_a_marker_under_the_old_key_beside_the_current_row_is_not_applicable():
    rows = [g("99008003", 2018, None, status="unknown", name="Cestadt"), g("99009003", 2018, 320.0)]
    records, prepared = convert(rows)
    cestadt = records.loc[("99009003", "bev_insgesamt", 2018)]
    assert (cestadt["value"], cestadt["status"], cestadt["derivation"]) == (320.0, "ok", "source")
    named = [f.message for f in prepared.findings if f.kind == "nicht_zutreffend"]
    assert any("99008003" in m and "2018" in m for m in named), named
    assert not any(f.kind == "quelle_unvollstaendig" for f in prepared.findings)


def test_a_marker_under_the_old_key_is_still_missing_where_the_current_row_is_absent():
    # the old key is then the only row that could hold Cestadt's 2018 figure: unknown stays unknown, never 0
    records, _ = convert([g("99008003", 2018, None, status="unknown", name="Cestadt"), g("99009001", 2018, 1000.0)])
    cestadt = records.loc[("99009003", "bev_insgesamt", 2018)]
    assert cestadt["status"] != "ok" and np.isnan(cestadt["value"])
