"""The Präventionskette as a matrix: Lebensphasen (or Angebotsarten) × areas of a level, the Kreis as reference.

Every cell is a coverage figure the ETL computed (table ``coverage``: offers, offers per 1,000 of the target
group, Versorgungsquote) or, for Angebotsarten, the share of the target group living within a distance of the
nearest offer (table ``access``). Two rules mark the cells a steering group should look at (``cell_status``):

- **leer**: no offer of the phase or type in the area (for the share within reach: nobody of the target group
  within the distance);
- **schwach**: the value is below ``weak_share`` (by default half) of the Kreis value. The plain count is judged
  by offers per 1,000 of the target group, because counts of areas of different size do not compare.

Both rules apply only to categories an offer list captures for the Kreis (``coverage_dimensions.captured``). A
category no loaded list holds is **nicht erfasst** in every cell, the Kreis's included: nothing is known about its
offers, which is not the same as "kein Angebot".

A cell without target population is "keine Zielgruppe"; a cell whose figure cannot be computed (no capacity
stated for the offers there) is "nicht bewertbar". Neither is marked as a gap. The Kreis itself is a cell too: it
is "leer" where the whole Kreis lacks an offer of a captured category.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planning import queries
from planning.context import Context
from planning.coverage_dimensions import (
    DEFAULT_DISTANCE_KM,
    DIMENSION_PLURAL,
    DIMENSION_SINGULAR,
    DIMENSIONS,
    KREIS_KEY,
    OFFERS_HINT,
    captured,
    category_rows,
    coverage_with_kreis,
    level_label,
    partly_captured,
    population_note,
    population_years,
    target_labels,
    with_access,
)
from planning.formatting import number

WEAK_SHARE = 0.5
WEAK_SHARES = (0.25, 0.5, 0.75)
KREIS_COLUMN = "Kreis (Referenz)"
FOOTNOTE_MARKS = "¹²³⁴⁵⁶⁷⁸⁹"

EMPTY, WEAK, OK, NO_TARGET, UNKNOWN = "empty", "weak", "ok", "no_target", "unknown"
NOT_CAPTURED = "not_captured"
STATUS_LABELS = {
    EMPTY: "leer – kein Angebot",
    WEAK: "schwach – unter der Schwelle",
    OK: "versorgt",
    NO_TARGET: "keine Zielgruppe",
    UNKNOWN: "nicht bewertbar",
    NOT_CAPTURED: "nicht erfasst",
}
# one colour per status for every output (screen table, legend, the .xlsx matrix); "nicht erfasst" a darker grey
# than "keine Zielgruppe", so that a missing list stands out without looking like a gap
STATUS_COLOURS = {EMPTY: "#f6b7ae", WEAK: "#fde3a3", OK: "#ffffff", NO_TARGET: "#eeeeee", UNKNOWN: "#eeeeee", NOT_CAPTURED: "#d3d6da"}
STATUS_MARKS = {EMPTY: " ✕", WEAK: " ▼", NOT_CAPTURED: "○"}  # a second cue besides colour, in the cell text itself
NOT_CAPTURED_TEXT = "○ nicht erfasst"


@dataclass(frozen=True)
class Metric:
    """A figure the cells can show, and the figure the "schwach" rule compares with the Kreis for it."""

    key: str  # column of the cell frame shown in the cells
    label: str
    unit: str
    compare: str  # column compared with the Kreis value by the "schwach" rule
    dimensions: tuple[str, ...] = tuple(DIMENSIONS)


METRICS = {
    "offers_per_1000": Metric("offers_per_1000", "Angebote je 1.000 der Zielgruppe", "je 1.000", "offers_per_1000"),
    "offers": Metric("offers", "Anzahl der Angebote", "Angebote", "offers_per_1000"),
    "capacity_per_100": Metric("capacity_per_100", "Versorgungsquote (Plätze je 100 der Zielgruppe)", "je 100", "capacity_per_100"),
    "share_within": Metric(
        "share_within", "Anteil der Zielgruppe in Reichweite", "%", "share_within", dimensions=("angebotsart",)
    ),
}


def metrics_for(dimension: str, has_capacity: bool) -> list[str]:
    """Metrics the page offers: the Versorgungsquote only where some offer states a capacity, the share within
    reach only per Angebotsart (distances are measured to the nearest offer of a type)."""
    return [
        key for key, m in METRICS.items()
        if dimension in m.dimensions and (key != "capacity_per_100" or has_capacity)
    ]  # fmt: skip


# --- the rule ------------------------------------------------------------------------------------------------------

def cell_status(cells: pd.DataFrame, metric: Metric, weak_share: float = WEAK_SHARE) -> pd.Series:
    """The status of every cell: not_captured, empty, weak, ok, no_target or unknown (see the module docstring).

    ``cells`` needs offers, target_population, the metric's column, its compare column and ``kreis_compare``
    (the Kreis value of the compare column for the cell's category); optionally ``captured`` (False where no offer
    list of the Kreis captures the cell's category; without the column every category counts as captured)."""
    not_captured = ~cells["captured"].fillna(False).astype(bool) if "captured" in cells else pd.Series(False, index=cells.index)
    target = pd.to_numeric(cells["target_population"], errors="coerce")
    compare = pd.to_numeric(cells[metric.compare], errors="coerce")
    kreis = pd.to_numeric(cells["kreis_compare"], errors="coerce")
    if metric.key == "share_within":
        nothing = compare.notna() & (compare <= 0)  # nobody within reach
    else:
        nothing = cells["offers"].fillna(0) <= 0
    conditions = [
        not_captured,
        target.isna() | (target <= 0),
        nothing,
        compare.isna(),
        kreis.notna() & (kreis > 0) & (compare < weak_share * kreis),
    ]
    statuses = [NOT_CAPTURED, NO_TARGET, EMPTY, UNKNOWN, WEAK]
    return pd.Series(np.select(conditions, statuses, default=OK), index=cells.index)


def rule_text(metric: Metric, weak_share: float, distance_km: float | None = None) -> str:
    """The highlighting rule in words, as the page shows it."""
    share = number(100 * weak_share)
    if metric.key == "share_within":
        reach = f"im Umkreis von {number(distance_km, 1 if distance_km % 1 else 0)} km" if distance_km else "in Reichweite"
        return (
            f"**Leer** (✕): niemand aus der Zielgruppe wohnt {reach} eines Angebots. "
            f"**Schwach** (▼): der Anteil in Reichweite liegt unter {share} % des Kreiswerts. "
            "**Nicht erfasst** (○, grau): keine geladene Angebotsliste enthält diese Art."
        )
    basis = "der Angebote je 1.000 der Zielgruppe" if metric.compare == "offers_per_1000" else "der Versorgungsquote"
    extra = " (die Anzahl allein sagt nichts, daher zählt hier der Wert je 1.000)" if metric.key == "offers" else ""
    return (
        f"**Leer** (✕): kein Angebot im Gebiet. **Schwach** (▼): der Wert {basis} liegt unter {share} % "
        f"des Kreiswerts{extra}. **Nicht erfasst** (○, grau): keine geladene Angebotsliste enthält diese Angebote – "
        "unbekannt, nicht „kein Angebot“. Hellgrau: keine Zielgruppe oder nicht bewertbar (z. B. keine Platzzahlen)."
    )


# --- cells ---------------------------------------------------------------------------------------------------------

def cell_frame(
    coverage: pd.DataFrame,
    kreis: pd.DataFrame,
    metric: Metric,
    weak_share: float = WEAK_SHARE,
    access: pd.DataFrame | None = None,
    kreis_access: pd.DataFrame | None = None,
    captured_categories: set[str] | None = None,
) -> pd.DataFrame:
    """One row per area × category (the Kreis rows flagged ``is_kreis``) with the metric's value, the Kreis value
    it is judged against, whether an offer list captures the category (``captured_categories``; None: all), the
    status and the cell text ('1,2 ▼')."""
    columns = ["area_id", "name", "category", "offers", "capacity", "capacity_known", "target_population", "offers_per_1000", "capacity_per_100"]
    areas = with_access(coverage[columns], access).assign(is_kreis=False)
    ref = with_access(kreis[columns], kreis_access).assign(is_kreis=True)
    frame = pd.concat([areas, ref], ignore_index=True)
    kreis_values = ref.set_index("category")
    frame["kreis_compare"] = frame["category"].map(kreis_values[metric.compare])
    frame["kreis_value"] = frame["category"].map(kreis_values[metric.key])
    frame["value"] = pd.to_numeric(frame[metric.key], errors="coerce")
    frame["captured"] = True if captured_categories is None else frame["category"].isin(captured_categories)
    frame["status"] = cell_status(frame, metric, weak_share)
    frame["text"] = [
        _cell_text(v, s, _decimals(metric, k)) for v, s, k in zip(frame["value"], frame["status"], frame["kreis_value"])
    ]
    return frame


def _decimals(metric: Metric, kreis_value: float) -> int:
    if metric.key in ("offers", "share_within"):
        return 0
    # rare offers have fractions of one per 1,000: two decimals keep them from showing as 0,0
    return 2 if pd.notna(kreis_value) and kreis_value < 1 else 1


def _cell_text(value: float, status: str, decimals: int) -> str:
    if status == NOT_CAPTURED:
        return NOT_CAPTURED_TEXT
    if status == NO_TARGET:
        return "–"
    if status == EMPTY:  # also where the metric is undefined without offers (no places without offers)
        return "0" + STATUS_MARKS[EMPTY]
    if status == UNKNOWN or pd.isna(value):
        return "k. A."
    return number(value, decimals) + STATUS_MARKS.get(status, "")


# --- the matrix ----------------------------------------------------------------------------------------------------

@dataclass
class ChainMatrix:
    """The matrix as shown (``table`` of texts, ``statuses`` alike) and what a selected cell stands for."""

    cells: pd.DataFrame  # long: area × category
    table: pd.DataFrame  # texts; rows × columns as displayed
    statuses: pd.DataFrame  # same shape as ``table``: status per cell ('' for label columns)
    row_keys: list[str]  # category or area_id per table row
    column_keys: dict[str, str]  # table column → category or area_id (value columns only)
    areas_as_rows: bool
    footnotes: list[str]
    population_years: list[int]
    population_note: str
    basis: str | None  # where people live, for the share within reach
    not_captured: list[str] = field(default_factory=list)  # labels of the categories no offer list captures
    partly_captured: dict[str, list[str]] = field(default_factory=dict)  # Lebensphase label → its captured types

    def cell(self, row: int, column: str) -> tuple[str, str] | None:
        """(area_id or 'kreis', category) of a displayed cell; None for a label column."""
        if column not in self.column_keys or not 0 <= row < len(self.row_keys):
            return None
        first, second = self.row_keys[row], self.column_keys[column]
        return (first, second) if self.areas_as_rows else (second, first)

    def counts(self) -> dict[str, int]:
        """Empty and weak cells of the areas (the Kreis column not counted)."""
        areas = self.cells[~self.cells["is_kreis"]]
        return {EMPTY: int((areas["status"] == EMPTY).sum()), WEAK: int((areas["status"] == WEAK).sum())}


def matrix(cells: pd.DataFrame, rows: pd.DataFrame, areas_as_rows: bool, dimension: str) -> ChainMatrix:
    """Pivot the cells: categories × areas (or areas × categories), the Kreis column (or row) first."""
    marks = iter(FOOTNOTE_MARKS)
    labels, footnotes = {}, []
    for category, label, note in zip(rows["category"], rows["label"], rows["approximation"]):
        if isinstance(note, str) and note:
            mark = next(marks, "*")
            labels[category] = f"{label} {mark}"
            footnotes.append(f"{mark} {label}: {note}")
        else:
            labels[category] = label
    areas = cells[~cells["is_kreis"]].drop_duplicates("area_id")[["area_id", "name"]]
    areas = areas.iloc[sorted(range(len(areas)), key=lambda i: german_sort_key(areas["name"].iloc[i]))]
    area_names = _unique_names(areas)
    area_names[KREIS_KEY] = KREIS_COLUMN
    cells = cells.assign(area_key=np.where(cells["is_kreis"], KREIS_KEY, cells["area_id"]))
    area_order = [KREIS_KEY, *areas["area_id"]]  # the reference first: visible however far the table scrolls
    category_order = rows["category"].tolist()
    text = cells.pivot(index="category", columns="area_key", values="text").reindex(index=category_order, columns=area_order)
    status = cells.pivot(index="category", columns="area_key", values="status").reindex(index=category_order, columns=area_order)
    if areas_as_rows:
        text, status = text.T, status.T
        row_keys, column_keys = area_order, {labels[c]: c for c in category_order}
        text.index, text.columns = [area_names[a] for a in area_order], list(column_keys)
        head = {"Gebiet": text.index.tolist()}
    else:
        row_keys, column_keys = category_order, {area_names[a]: a for a in area_order}
        text.index, text.columns = [labels[c] for c in category_order], list(column_keys)
        head = {DIMENSION_SINGULAR[dimension]: text.index.tolist()}
        if dimension == "angebotsart":
            head = {"Handlungsfeld": rows["group"].tolist(), **head}
    table = pd.concat([pd.DataFrame(head), text.fillna("–").reset_index(drop=True)], axis=1)
    statuses = pd.concat([pd.DataFrame({k: "" for k in head}, index=range(len(table))), status.fillna(NO_TARGET).reset_index(drop=True)], axis=1)
    statuses.columns = table.columns
    return ChainMatrix(cells, table, statuses, row_keys, column_keys, areas_as_rows, footnotes, [], "", None)


_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def german_sort_key(name: str) -> str:
    """Alphabetical as in a German register (DIN 5007-1: ä as a, ß as ss), not by code point (ä after z)."""
    return str(name).casefold().translate(_UMLAUTS)


def _unique_names(areas: pd.DataFrame) -> dict[str, str]:
    """Area names as column titles; a name that occurs twice gets its key appended."""
    counts = areas["name"].value_counts()
    return {a: (n if counts[n] == 1 else f"{n} ({a})") for a, n in zip(areas["area_id"], areas["name"])}


def build_matrix(
    ctx: Context,
    level: str,
    dimension: str,
    metric_key: str,
    weak_share: float = WEAK_SHARE,
    distance_km: float = DEFAULT_DISTANCE_KM,
    areas_as_rows: bool = False,
) -> ChainMatrix:
    """The matrix of a level from the query layer."""
    metric = METRICS[metric_key]
    reach_km = distance_km if metric.key == "share_within" else None  # distances only for the share within reach
    coverage, kreis, access, kreis_access = coverage_with_kreis(ctx, level, dimension, reach_km)
    known = captured(ctx, dimension)
    cells = cell_frame(coverage, kreis, metric, weak_share, access, kreis_access, known)
    rows = category_rows(ctx, dimension)
    chain = matrix(cells, rows[rows["category"].isin(cells["category"])], areas_as_rows, dimension)
    chain.not_captured = [label for category, label in zip(rows["category"], rows["label"]) if category not in known]
    if dimension == "lebensphase":
        partly = partly_captured(queries.offer_capture(ctx.db, ctx.kreis_id), queries.offer_types(ctx.db))
        chain.partly_captured = {label: partly[c] for c, label in zip(rows["category"], rows["label"]) if c in partly}
    chain.population_years = population_years(kreis)
    chain.population_note = population_note(kreis, dict(zip(rows["category"], rows["label"])))
    if access is not None and not access.empty:
        chain.basis = str(access["basis"].dropna().iloc[0]) if access["basis"].notna().any() else None
    return chain


def summary_text(chain: ChainMatrix, level: str, dimension: str, metric_key: str) -> str:
    """'**3 leere** und **5 schwache** Zellen (Sozialräume × Lebensphasen (Präventionskette); …)' (markdown), and how
    many categories are not captured ('; 6 von 9 Lebensphasen nicht erfasst')."""
    counts = chain.counts()
    missing = len(chain.not_captured)
    total = chain.cells["category"].nunique()
    return (
        f"**{number(counts[EMPTY])} leere** und **{number(counts[WEAK])} schwache** Zellen "
        f"({level_label(level)} × {DIMENSIONS[dimension]}; {METRICS[metric_key].label})"
        + (f"; **{number(missing)} von {number(total)} {DIMENSION_PLURAL[dimension]} nicht erfasst**." if missing else ".")
    )


def capture_hint(chain: ChainMatrix, dimension: str) -> str:
    """Under the matrix: which categories are not (or only partly) captured, what that means, and how to load a list;
    '' when every category is fully captured. Plain text (labels come from the database: the page escapes it)."""
    partly = "; ".join(f"{label}: nur {', '.join(kinds)}" for label, kinds in chain.partly_captured.items())
    partly_text = f"Nur teilweise erfasst ({partly}): die Werte zählen nur diese Angebotsarten." if partly else ""
    if not chain.not_captured:
        return partly_text
    what = "für diese Lebensphasen" if dimension == "lebensphase" else "dieser Arten"
    return " ".join(
        part for part in (
            f"Nicht erfasst (○, grau): {', '.join(chain.not_captured)}. Keine geladene Angebotsliste enthält Angebote {what} "
            "– ob es im Kreis welche gibt, ist unbekannt; darum sind diese Zellen nicht als Lücke markiert.",
            partly_text, OFFERS_HINT,
        ) if part
    )  # fmt: skip


def notes(chain: ChainMatrix, metric_key: str) -> list[str]:
    """What a reader of the matrix must know besides the rule: approximated age groups, the population year,
    where the distances start, and that a Versorgungsquote without stated places comes out too low."""
    lines = list(chain.footnotes)
    if chain.population_note:
        lines.append(chain.population_note)
    if metric_key == "share_within" and chain.basis:
        lines.append(f"Wohnorte für die Entfernungen: {chain.basis}; Luftlinie zum nächsten Angebot der Art, auch jenseits der Gebietsgrenze.")
    if metric_key == "capacity_per_100":
        lines.append("Versorgungsquote nur aus Angeboten mit Platzzahl; fehlen Platzzahlen, ist sie zu niedrig.")
    return lines


# --- offers behind a cell ------------------------------------------------------------------------------------------

def cell_offers(ctx: Context, level: str, dimension: str, area_key: str, category: str) -> pd.DataFrame:
    """The offers counted in one cell, as a table (name, type, Träger, address, Gemeinde, capacity)."""
    offers = queries.offers(ctx.db, ctx.kreis_id)
    if dimension == "angebotsart":
        offers = offers[offers["offer_type"] == category]
    else:
        offers = offers[[category in list(phases) for phases in offers["lebensphasen"]]]
    if area_key != KREIS_KEY:
        members = queries.area_members(ctx.db, ctx.kreis_id, level)
        offers = offers[offers["gemeinde_id"].isin(members.loc[members["area_id"] == area_key, "gemeinde_id"])]
    capacity = [
        "" if pd.isna(k) else f"{number(k)} {u}" if isinstance(u, str) and u else number(k)
        for k, u in zip(offers["kapazitaet"], offers["capacity_unit"])
    ]
    table = pd.DataFrame(
        {
            "Name": offers["name"],
            "Angebotsart": offers["type_label"],
            "Träger": offers["traeger"].fillna(""),
            "Adresse": offers["address"].fillna(""),
            "Gemeinde": offers["gemeinde_name"],
            "Kapazität": capacity,
        }
    ).reset_index(drop=True)
    return table.drop(columns="Angebotsart") if dimension == "angebotsart" else table


def cell_title(chain: ChainMatrix, area_key: str, category: str, rows: pd.DataFrame, target_label: str = "Personen") -> str:
    """'0 bis 3 Jahre in Steiningen: 19 Angebote, 83,7 je 1.000, Zielgruppe 227 Kinder unter 3 Jahren – versorgt'."""
    cells = chain.cells[chain.cells["category"] == category]
    cell = cells[cells["is_kreis"]] if area_key == KREIS_KEY else cells[~cells["is_kreis"] & (cells["area_id"] == area_key)]
    label = rows.set_index("category")["label"].get(category, category)
    if cell.empty:
        return label
    row = cell.iloc[0]
    where = "im ganzen Kreis" if area_key == KREIS_KEY else f"in {row['name']}"
    if row["status"] == NOT_CAPTURED:
        return f"{label} {where}: nicht erfasst – keine geladene Angebotsliste enthält solche Angebote"
    offers = int(row["offers"])
    per_1000 = row["offers_per_1000"]
    decimals = _decimals(METRICS["offers_per_1000"], cells.loc[cells["is_kreis"], "offers_per_1000"].max())
    parts = [f"{number(offers)} Angebot{'e' if offers != 1 else ''}"]
    if pd.notna(per_1000):
        parts.append(f"{number(per_1000, decimals)} je 1.000")
    if pd.notna(row["target_population"]):
        parts.append(f"Zielgruppe {number(row['target_population'])} {target_label}")
    return f"{label} {where}: {', '.join(parts)} – {STATUS_LABELS[row['status']]}"


def cell_heading(ctx: Context, chain: ChainMatrix, dimension: str, area_key: str, category: str) -> str:
    """``cell_title`` of a selected cell, with the category's label and target group from the database."""
    target = target_labels(ctx.db, dimension).get(category, "Personen")
    return cell_title(chain, area_key, category, category_rows(ctx, dimension), target)
