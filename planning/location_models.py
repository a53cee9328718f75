"""The two location models behind the suggested sites, both built as PySAL ``spopt`` models and solved exactly
with CBC through PuLP. Plain arrays in, chosen candidate positions out; ``planning.locations`` prepares the data.

- Maximal covering (MCLP, Church & ReVelle 1974): choose k sites so that the weight of the people within reach of
  at least one of them is as large as possible.
- p-median (Hakimi 1964; ReVelle & Swain 1970): choose k sites so that the weighted sum of each person's distance
  to the nearest offer – an existing one or a new one – is as small as possible, i.e. the mean way is shortest.

Why the models are written sparsely instead of with spopt's ``from_cost_matrix``: spopt's builders write a term
or a variable for every client × candidate pair (``MCLP``: a 0/1 coverage term each; ``PMedian``: an assignment
variable and an opening constraint each). For a county – 1,300 demand units × 2,000 candidates – that is 2.6
million variables and takes minutes; only the pairs that can matter are written here, with spopt's model classes
and ``FacilityModelBuilder`` for the rest (facility variables, the fixed existing offers, "exactly k").

p-median with existing offers:
- The existing offers all stay open. For the objective only each unit's distance to its *nearest* existing offer
  matters, so they enter as one fixed facility ("bestehende Angebote", spopt's ``predefined_facilities_arr``)
  whose cost for a unit is that distance. A unit can then be served by a new site only if the site is closer
  than its nearest existing offer; all other pairs are left out (exactly: they can never be the cheaper choice),
  and a unit no candidate beats drops out (its cost is fixed whatever is chosen).
- Without any existing offer every candidate can serve every unit; the model is then as large as units ×
  candidates, and ``planning.locations`` sums the demand into coarser units to keep it solvable in seconds.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pulp
from scipy import sparse
from scipy.spatial import cKDTree
from spopt.locate import MCLP, PMedian
from spopt.locate.base import FacilityModelBuilder

SOLVER_SECONDS = 60  # a county solves in seconds; the limit only keeps a pathological instance from hanging a page


def _solver() -> pulp.LpSolver:
    return pulp.PULP_CBC_CMD(msg=False, timeLimit=SOLVER_SECONDS)


# --- maximal covering -------------------------------------------------------------------------------------------------


def identical_rows(cover: sparse.csr_matrix, weights: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Points reached by exactly the same candidates are one client with their weights summed: the problem
    shrinks from thousands of points to the distinct patterns without changing its optimum."""
    keys = [cover.indices[cover.indptr[i] : cover.indptr[i + 1]].tobytes() for i in range(cover.shape[0])]
    codes, first = pd.factorize(pd.Series(keys))
    summed = np.bincount(codes, weights=weights, minlength=len(first)) if len(keys) else np.zeros(0)
    representatives = pd.Series(range(len(keys))).groupby(codes).first().to_numpy() if len(keys) else np.zeros(0, int)
    return cover[representatives], summed


def mclp(cover: sparse.csr_matrix, weights: np.ndarray, k: int) -> list[int]:
    """The columns of ``cover`` (clients × candidates, True = within reach) of the k sites that reach the most
    weight; spopt's MCLP with its coverage constraints written sparsely."""
    cover, weights = identical_rows(cover, weights)
    if cover.shape[0] == 0:
        return []
    used = np.unique(cover.indices)  # candidates that reach nobody open would only add variables
    columns = {int(c): n for n, c in enumerate(used)}
    with warnings.catch_warnings():  # PuLP 3 announces its 4.0 API on every variable and solver made
        warnings.simplefilter("ignore", DeprecationWarning)
        problem = pulp.LpProblem("mclp", pulp.LpMaximize)
        model = MCLP("mclp", problem)
        FacilityModelBuilder.add_facility_integer_variable(model, range(len(used)), "x[{i}]")
        FacilityModelBuilder.add_client_integer_variable(model, range(cover.shape[0]), "y[{i}]")
        sites, clients = model.fac_vars, model.cli_vars
        problem += pulp.lpSum(float(w) * clients[i] for i, w in enumerate(weights))
        for i in range(cover.shape[0]):
            row = cover.indices[cover.indptr[i] : cover.indptr[i + 1]]
            problem += pulp.lpSum(sites[columns[int(j)]] for j in row) >= clients[i]
        FacilityModelBuilder.add_facility_constraint(model, min(k, len(used)))
        model.solve(_solver(), results=False)
    return [int(used[n]) for n, var in enumerate(sites) if (var.value() or 0) > 0.5]


# --- p-median -----------------------------------------------------------------------------------------------------------


def aggregate(x: np.ndarray, y: np.ndarray, weights: np.ndarray, cell_m: float) -> pd.DataFrame:
    """Demand units: the points in each square of ``cell_m`` metres (a grid in the metric CRS) as one unit at
    their weighted centre, with their weights summed; points without weight are left out."""
    keep = weights > 0
    frame = pd.DataFrame({"cx": np.floor(x[keep] / cell_m), "cy": np.floor(y[keep] / cell_m), "w": weights[keep],
                          "wx": weights[keep] * x[keep], "wy": weights[keep] * y[keep]})  # fmt: skip
    sums = frame.groupby(["cx", "cy"], sort=True)[["w", "wx", "wy"]].sum()
    return pd.DataFrame({"x": (sums["wx"] / sums["w"]).to_numpy(), "y": (sums["wy"] / sums["w"]).to_numpy(), "weight": sums["w"].to_numpy()})


def nearest_distance(xy: np.ndarray, sites_xy: np.ndarray) -> np.ndarray:
    """Straight-line distance from each point to the nearest site (infinite where there is no site)."""
    if len(sites_xy) == 0:
        return np.full(len(xy), np.inf)
    return cKDTree(sites_xy).query(xy, k=1)[0] if len(xy) else np.zeros(0)


def pairs(units_xy: np.ndarray, candidates_xy: np.ndarray, existing: np.ndarray) -> int:
    """How many unit–candidate pairs the p-median model writes: candidates closer than the unit's nearest existing
    offer (all of them where there is none). The model's size and time grow with it."""
    if len(units_xy) == 0 or len(candidates_xy) == 0:
        return 0
    within = cKDTree(candidates_xy).query_ball_point(units_xy, r=np.minimum(existing, 1e12), return_length=True)
    return int(np.asarray(within).sum())


def p_median(units_xy: np.ndarray, weights: np.ndarray, candidates_xy: np.ndarray, existing: np.ndarray, k: int) -> list[int]:
    """Positions in ``candidates_xy`` of the k new sites that minimise Σ weight × distance to the nearest offer,
    ``existing`` being each unit's distance to its nearest existing offer (inf: none). Exact for these units."""
    if len(candidates_xy) == 0 or k < 1 or len(units_xy) == 0:
        return []
    distance = np.hypot(units_xy[:, None, 0] - candidates_xy[None, :, 0], units_xy[:, None, 1] - candidates_xy[None, :, 1])
    # only a candidate closer than a unit's nearest existing offer can serve it; units no candidate beats keep
    # their existing offer whatever is chosen, and drop out
    rows, cols = np.nonzero((distance < existing[:, None]) & (weights[:, None] > 0))
    if len(rows) == 0:
        return []
    units, row = np.unique(rows, return_inverse=True)
    used, column = np.unique(cols, return_inverse=True)
    stays = np.isfinite(existing[units])
    with warnings.catch_warnings():  # PuLP 3 announces its 4.0 API on every variable and solver made
        warnings.simplefilter("ignore", DeprecationWarning)
        problem = pulp.LpProblem("p_median", pulp.LpMinimize)
        model = PMedian("p_median", problem, aij=None, weights_sum=float(weights[units].sum()))
        # facility 0 stands for all existing offers: always open, at each unit's nearest existing distance
        FacilityModelBuilder.add_facility_integer_variable(model, range(len(used) + 1), "y[{i}]")
        FacilityModelBuilder.add_predefined_facility_constraint(model, np.array([0]))
        sites = model.fac_vars
        # assignments may be continuous: with the sites fixed, the best assignment is the nearest open one anyway.
        # Expressions and constraints are made directly (not with + and <=): PuLP's operators cost seconds here.
        assign = [pulp.LpVariable(f"z[{i}_{j + 1}]", 0, 1) for i, j in zip(row, column)]
        stay = {int(i): pulp.LpVariable(f"z[{i}_0]", 0, 1) for i in np.flatnonzero(stays)}
        model.cli_assgn_vars = {**{(int(i), int(j) + 1): v for i, j, v in zip(row, column, assign)}, **{(i, 0): v for i, v in stay.items()}}
        costs = [(v, float(weights[units[i]] * distance[units[i], c])) for i, c, v in zip(row, cols, assign)]
        costs += [(v, float(weights[units[i]] * existing[units[i]])) for i, v in stay.items()]
        problem.setObjective(pulp.LpAffineExpression(costs))
        per_unit: list[list[tuple[pulp.LpVariable, float]]] = [[(stay[i], 1.0)] if i in stay else [] for i in range(len(units))]
        for n, (i, j, v) in enumerate(zip(row, column, assign)):
            per_unit[i].append((v, 1.0))
            problem.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression([(v, 1.0), (sites[int(j) + 1], -1.0)]), pulp.LpConstraintLE, f"open_{n}", 0.0))
        for i, options in enumerate(per_unit):
            problem.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(options), pulp.LpConstraintEQ, f"assign_{i}", 1.0))
        FacilityModelBuilder.add_facility_constraint(model, min(k, len(used)) + 1)
        model.solve(_solver(), results=False)
    return [int(used[n]) for n in range(len(used)) if (sites[n + 1].value() or 0) > 0.5]
