"""The offer inventory a Leitstelle Familie maintains: every offer of a Kreis with all its fields, its stable key and
its list, and the planners' edits not yet published shown on top.

Edits take effect with the next publish (the build applies them, etl/offer_edits.py). Until then the inventory
shows each offer as it will be published: the published value, replaced by the latest edit of that field.
"""
from __future__ import annotations

import pandas as pd

from etl.offer_edits import EDITABLE_FIELDS, check_edit, latest_edits
from planning.db import Database, cached, fetch

INVENTORY_COLUMNS = ["offer_key", "offer_id", *EDITABLE_FIELDS, "type_label", "gemeinde_name", "list_file"]


@cached(8)
def published_inventory(db: Database, kreis_id: str) -> pd.DataFrame:
    """Every published offer of a Kreis with the fields a planner may edit (empty frame for a database without offers
    or built before offer keys existed)."""
    has_keys = not fetch(db, "SELECT 1 FROM information_schema.columns WHERE table_name = 'offers' AND column_name = 'offer_key'").empty
    if not has_keys:
        return pd.DataFrame(columns=INVENTORY_COLUMNS)
    details = ", ".join(f"o.{f}" for f in EDITABLE_FIELDS if f not in ("name", "offer_type", "traeger", "address", "kapazitaet",
                                                                        "alter_von", "alter_bis", "gueltig_ab", "gueltig_bis", "lon", "lat"))  # fmt: skip
    return fetch(
        db,
        f"""
        SELECT o.offer_key, o.offer_id, o.name, o.offer_type, o.traeger, o.address, o.kapazitaet, o.alter_von, o.alter_bis,
               o.gueltig_ab, o.gueltig_bis, o.lon, o.lat, {details}, t.label AS type_label, g.name AS gemeinde_name,
               s.file AS list_file
        FROM offers o
        JOIN offer_types t USING (offer_type)
        JOIN areas g ON g.area_id = o.gemeinde_id
        LEFT JOIN sources s ON s.source_id = o.source_id
        WHERE o.kreis_id = ?
        ORDER BY t.position, o.name, o.offer_key
        """,
        [kreis_id],
    )[INVENTORY_COLUMNS]


def with_pending_edits(inventory: pd.DataFrame, edits: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The inventory with the latest edit of each field applied (as the next publish will), and the pending cells
    (offer_key, field, published, pending) where an edit differs from the published value."""
    shown = inventory.copy().set_index("offer_key", drop=False)
    pending = []
    if not edits.empty:
        for key, field, raw in latest_edits(edits.rename(columns={"new": "value"})).itertuples(index=False):
            checked = check_edit(field, raw)
            if key not in shown.index or not checked.ok or field not in shown.columns:
                continue
            published = shown.at[key, field]
            if not _same(published, checked.value):
                shown[field] = shown[field].astype(object)
                shown.at[key, field] = checked.value
                pending.append((key, field, published, checked.value))
    return shown.reset_index(drop=True), pd.DataFrame(pending, columns=["offer_key", "field", "published", "pending"])


def changed_cells(before: pd.DataFrame, after: pd.DataFrame) -> list[tuple[str, str, object, object]]:
    """(offer_key, field, old, new) for every editable cell that differs between two versions of the same rows."""
    cells = []
    old = before.set_index("offer_key")
    for row in after.itertuples(index=False):
        key = row.offer_key
        for field in EDITABLE_FIELDS:
            if field in after.columns and key in old.index and not _same(old.at[key, field], getattr(row, field)):
                cells.append((key, field, old.at[key, field], getattr(row, field)))
    return cells


def _same(a: object, b: object) -> bool:
    def empty(v: object) -> bool:
        return v is None or v == "" or (isinstance(v, float) and v != v)

    if empty(a) and empty(b):
        return True
    try:
        return bool(a == b) or float(a) == float(b)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
