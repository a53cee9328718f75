"""Familienwegweiser: the public offer finder for families, generated as static files from a built database.

`python -m finder build --db <duckdb> --kreis <AGS> --out <folder>` writes a site that any web server or CDN serves
without Python: index.html (search by place and Lebensphase, list sorted by straight-line distance, a map of
outlines without tiles), one printable page per offer, the offer data as JSON and Leaflet. Only offers marked
public (offers.oeffentlich) and only public fields leave the database (finder/data.py names every column it reads);
nothing of the planning pages does. No Streamlit; etl/ knows nothing of this package. docs/FINDER.md describes it.

Modules: settings.py ([finder] of the county config), data.py (the only database reads), topics.py (+ topics.toml:
Lebensphasen and topics as data), places.py (Gemeinden, postcodes: what a family can type), outline.py (Kreis and
Gemeinde outlines), pages.py (HTML, escaped), site.py (build: writes a fresh folder and swaps it in), cli.py.
"""
