"""The Sozialraum mapping is credited as the county's config declares it: official or a working assumption."""
from __future__ import annotations

from pathlib import Path

import pytest
from badinput_helpers import demo_workspace, replace_once

from etl.build import mapping_attribution
from etl.config import load_config
from etl.errors import EtlError

DECLARED = 'status = "Arbeitsannahme"\nsource = "Demodaten, erfundene Planungsräume"'


def _config(tmp_path: Path, declaration: str) -> Path:
    ws = demo_workspace(tmp_path)
    return ws.write_config(tmp_path / "c.toml", replace_once(ws.config_text, DECLARED, declaration))


@pytest.mark.parametrize(
    ("declaration", "credit"),
    [
        ('status = "amtlich"\nsource = "Kreistagsbeschluss 2021"', "Sozialräume: amtlich (Kreistagsbeschluss 2021)"),
        ('status = "Arbeitsannahme"', "Sozialräume: Arbeitsannahme"),
        ("", "Sozialräume: Status nicht angegeben (in der Kreiskonfiguration weder als amtlich noch als Arbeitsannahme gekennzeichnet)"),
    ],
)
def test_credit_follows_the_declared_status(tmp_path: Path, declaration: str, credit: str) -> None:
    assert mapping_attribution(load_config(_config(tmp_path, declaration))) == credit


def test_unknown_status_is_refused_with_the_allowed_values(tmp_path: Path) -> None:
    with pytest.raises(EtlError) as error:
        load_config(_config(tmp_path, 'status = "vielleicht"'))
    text = str(error.value)
    assert "sozialraeume.status" in text and '"amtlich" oder "Arbeitsannahme"' in text
