"""Generator of the demo county "Landkreis Musterland (Demodaten)", Kreis key 99001: `python -m etl demo`.

Everything is invented, but written in exactly the formats of the real sources (BKG VG250 shapefiles,
GENESIS/IT.NRW classic-table CSVs, the Sozialraum mapping CSV, an offer list as Excel and CSV, a family survey workbook), so the real loaders
read it unchanged. The output is a pure function of SEED: two runs give the same files (tests/test_demo_data.py
checks the committed ones in data/demo/).

Modules, each importing only those above it:
- county.py       constants, the dataclasses Gemeinde/Verband/County, geometry, names and keys of the county
- tables.py       the GENESIS classic-table CSV layout and the text writer shared by the statistics tables
- population.py   population by Gemeinde, year, sex and age group; tables 12411-02-03-5 and 12411-01-01-5
- boundaries.py   VG250-style shapefiles and the Sozialraum mapping CSV
- social.py       benefits, Mindestsicherungsquote, area and density, unemployment (IT.NRW, Regionalstatistik)
- offer_names.py  invented names of Träger, streets, Kitas, schools
- offer_maker.py  rows, places, points, addresses, list order and the deliberately faulty rows of the offer list
- offer_details.py  the public finder's columns (hours, costs, contact, …; a few offers nur intern)
- offers.py       which offers the county has (the model)
- offer_files.py  the offer list as .xlsx and .csv
- survey.py       the invented family survey (befragung/) as a survey workbook
- write.py        generate() (the whole tree) and main() (the command line)
"""
from etl.demo.county import FOREST_NAME, KREIS_AGS, SEED
from etl.demo.tables import STAND
from etl.demo.write import generate, main

__all__ = ["FOREST_NAME", "KREIS_AGS", "SEED", "STAND", "generate", "main"]
