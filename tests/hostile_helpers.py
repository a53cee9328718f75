"""A demo database whose Sozialräume (and optionally the Kreis) carry hostile names, as a county's own mapping CSV
or config could name them (shared by the export-injection and the Markdown/browser safety tests)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from badinput_helpers import REPO_ROOT, demo_workspace

DEMO_KREIS_NAME = "Landkreis Musterland (Demodaten)"


def build_hostile_db(root: Path, names: dict[str, int], kreis_name: str | None = None) -> Path:
    """Build the demo into ``root/db/hostile.duckdb`` with the Sozialraum at position ``names[name]`` (in sorted
    order of the demo's Sozialraum names) renamed to ``name``, and the Kreis renamed to ``kreis_name``."""
    ws = demo_workspace(root)
    mapping = ws.data / "sozialraeume_musterland.csv"
    lines = mapping.read_text(encoding="utf-8").splitlines()
    originals = sorted({line.split(";")[2] for line in lines[1:]})
    renamed = {originals[position]: name for name, position in names.items()}
    out_lines = [lines[0]]
    for line in lines[1:]:
        ags, gemeinde, sozialraum = line.split(";")
        target = renamed.get(sozialraum, sozialraum)
        out_lines.append(";".join([ags, gemeinde, '"' + target.replace('"', '""') + '"']))
    mapping.write_text("\n".join(out_lines) + "\n", encoding="utf-8")
    text = ws.config_text
    if kreis_name is not None:
        escaped = kreis_name.replace("\\", "\\\\").replace('"', '\\"')
        county = text.index("[county]")  # the Kreis's name is the first 'name =' of its section
        at = text.index(f'name = "{DEMO_KREIS_NAME}"', county)
        text = text[:at] + f'name = "{escaped}"' + text[at + len(f'name = "{DEMO_KREIS_NAME}"'):]
    config = ws.write_config(root / "config.toml", text)
    out = root / "db" / "hostile.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "build", "--config", str(config), "--out", str(out)], check=True,
                   cwd=REPO_ROOT, capture_output=True)  # fmt: skip
    return out
