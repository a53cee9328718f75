"""The planning rules of Planungsatlas Familie, without Streamlit or folium.

Every number a page, an export or a report shows is decided here: comparison with the Kreis and its polarity
(``comparison``), classes of a map (``classification``), the Präventionskette (``chain``), the gap ranking
(``gaps``), coverage and accessibility read-outs (``coverage``, ``coverage_dimensions``), which indicators, years
and areas a view offers (``indicators``, ``area_values``), German number and source texts (``formatting``,
``source_text``). The database is read through ``queries`` only (``db`` opens it). Functions return DataFrames and
dataclasses, never widgets, so a script, a report and a test use the same rules as the web app.
"""
