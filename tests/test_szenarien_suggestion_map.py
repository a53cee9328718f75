"""The Szenarien page's map draws the suggested sites, numbered as in the table, until they are taken into the
scenario (then they are the scenario's new offers and not drawn twice)."""
from __future__ import annotations

from pathlib import Path

from page_helpers import demo_context

from dashboard import scenario_view
from planning import locations, scenarios

KREIS = "99001"


def test_suggested_sites_are_numbered_on_the_map_until_taken(demo_db: Path) -> None:
    ctx = demo_context(demo_db)
    suggestion = locations.suggest_for(ctx, "kita", 2, 3.0)
    table = locations.sites_table(suggestion)
    assert list(table.index) == [1, 2] and table.index.name == "Nr."
    empty = scenarios.Scenario("Neues Szenario", KREIS)
    marks = scenario_view.suggestion_marks(suggestion, empty)
    assert [m[0] for m in marks] == [1, 2]
    assert marks[0][1].startswith(f"Vorschlag 1: {table['Standort'].iloc[0]} – Neu in Reichweite (Personen): ")
    drawn = scenario_view.click_map(ctx, empty, "kita", "Kita", marks).map
    assert drawn.html.count("pa-suggestion") + drawn.script.count("pa-suggestion") == 2
    assert "Vorschlag (Nr. wie in der Tabelle" in drawn.script + drawn.html

    taken = scenarios.with_sites(empty, suggestion.sites, "kita", None)
    assert scenario_view.suggestion_marks(suggestion, taken) == ()
    plain = scenario_view.click_map(ctx, taken, "kita", "Kita").map
    assert "pa-suggestion" not in plain.script + plain.html
