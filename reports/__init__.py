"""Print-quality exports: charts, maps, tables, area profiles and Kreistag reports (no Streamlit here).

Entry points for the UI (every ``db`` is a database path or an open DuckDB connection):

- ``reports.figures``: ``ranking_figure``, ``time_series_figure``, ``age_pyramid_figure``, ``map_figure``
  build plotly figures from the database (``reports.charts`` has the same charts from DataFrames).
- ``reports.render``: ``png_bytes`` (dpi in the file), ``svg_bytes``, ``pdf_bytes``, ``export_name``.
- ``reports.tables``: ``value_table``, ``xlsx_bytes``, ``csv_bytes``, ``read_csv_table``, ``table_name``.
- ``reports.profile``: ``steckbrief_pdf`` (1–2 pages for a Gemeinde, Verbandsgemeinde or Sozialraum).
- ``reports.kreistag``: ``kreistag_report`` (multi-page PDF and .docx in one call).

Static images come from kaleido with Debian's chromium; one browser is started on first use and reused.
"""
