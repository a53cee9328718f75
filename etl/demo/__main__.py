"""`python -m etl.demo [--out FOLDER]`: the same as `python -m etl demo [--out FOLDER]`.

Kept because the generated files name this spelling (the README of geo/vg250_musterland, the sheet "Hinweis" of the
offer list), and they must stay byte-identical.
"""
from etl.demo.write import main

main()
