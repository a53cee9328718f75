"""Writes the whole demo source tree and is the command line of the demo generator.

generate() draws the county and its population from SEED and writes, in this order: the VG250-style boundaries
(geo/vg250_musterland/), the population tables (statistics/), the Sozialraum mapping, the social tables
(statistics/, their own random stream), the offer list (angebote/, its own random stream) and the family survey
(befragung/, its own random stream). main() is what
`python -m etl demo [--out FOLDER]` runs.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from etl.demo.boundaries import sozialraum_csv, write_shapefiles
from etl.demo.county import SEED, build_county
from etl.demo.offer_files import write_offer_lists
from etl.demo.population import simulate_population, write_population_tables
from etl.demo.social import write_social_tables
from etl.demo.survey import write_survey
from etl.demo.tables import write_text

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "data" / "demo"


def generate(out_dir: Path) -> None:
    """Write the complete demo source tree (geo/, statistics/, Sozialraum mapping, angebote/, befragung/) into out_dir."""
    out_dir = Path(out_dir)
    rng = np.random.default_rng(SEED)
    county = build_county(rng)
    counts = simulate_population(county, rng)
    write_shapefiles(county, out_dir / "geo" / "vg250_musterland")
    statistics = out_dir / "statistics"
    write_population_tables(county, counts, statistics)
    write_text(out_dir / "sozialraeume_musterland.csv", sozialraum_csv(county))
    write_social_tables(county, counts, statistics)
    write_offer_lists(county, counts, out_dir)
    write_survey(county, counts, out_dir)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Regenerate the demo county 'Landkreis Musterland (Demodaten)'.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"target folder (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    generate(args.out)
    print(f"demo data written to {args.out}")
