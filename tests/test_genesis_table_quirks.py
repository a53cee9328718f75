"""Two table quirks the GENESIS reader handles from metadata (etl/metadata/genesis_tables.toml), on small files in
the real layouts: a column printed twice (IT.NRW 22811-05i, `repeated_columns = "skip"`) and '-' that means
"not collected" rather than zero (13211-02-05-4, `dash_means_unknown`)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl.errors import EtlError
from etl.sources.genesis import read_genesis, table_metadata

SGB2 = "Gesamtregelleistung (ALG II/Sozialgeld) nach dem SGB II"
HEADER_22811_05I = [
    "Tabelle: 22811-05i",
    "Sozialberichterstattung in der amtlichen Statistik:;;;;;;;;;;",
    "Empfänger/innen von sozialen Mindestsicherungsleistungen;;;;;;;;;;",
    "nach Art der Leistung - Gemeinden (Wohnortprinzip) - Jahr;;;;;;;;;;",
    ";;;" + ";".join(["Empfänger/innen von soz. Mindestsicherungsleistung"] * 8),
    f";;;{SGB2};Insgesamt;{SGB2};Hilfe zum Lebensunterhalt außerhalb von Einrichtungen nach dem SGB XII;"
    + ";".join(["Grundsicherung im Alter und bei Erwerbsminderung nach dem SGB XII"] * 3)
    + ";Regelleistungen nach dem Asylbewerberleistungsgesetz",
    ";;;;;;;Insgesamt;im Alter;bei Erwerbsminderung;",
    ";;;" + ";".join(["Anzahl"] * 8),
]
FOOTER = ["__________", "© Testamt. Dieses Werk ist lizenziert unter der Datenlizenz Deutschland", "Stand: 01.01.2025 / 00:00:00"]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    return path


def test_22811_05i_is_described_with_a_repeated_column():
    assert table_metadata()["tables"]["22811-05i"]["repeated_columns"] == "skip"


def test_a_repeated_column_is_read_once(tmp_path):
    rows = ["2024;99001;    Testkreis;120;150;120;10;15;10;5;5", "2024;99001001;      Adorf;120;150;120;10;15;10;5;-"]
    table = read_genesis(_write(tmp_path / "t.csv", HEADER_22811_05I + rows + FOOTER), "22811-05i", "99001")
    records = table.records.set_index(["area_id", "indicator_id"])
    assert records.index.is_unique
    assert records.loc[("99001001", "sgb2_rlb"), "value"] == 120
    assert records.loc[("99001001", "sgb2_rlb"), "column"].startswith("4 ")  # the first of the two columns
    assert set(records.xs("99001001").index) == {
        "sgb2_rlb", "ms_empf", "sgb12_hlu_ave", "sgb12_grusi", "sgb12_grusi_alter", "sgb12_grusi_em", "asylblg",
    }  # fmt: skip
    assert records.loc[("99001001", "asylblg"), "status"] == "zero"


def test_a_repeated_column_with_another_value_stops_the_build(tmp_path):
    rows = ["2024;99001001;      Adorf;120;150;121;10;15;10;5;5"]
    with pytest.raises(EtlError) as caught:
        read_genesis(_write(tmp_path / "t.csv", HEADER_22811_05I + rows + FOOTER), "22811-05i", "99001")
    message = str(caught.value)
    assert "wiederholt die Beschriftung von Spalte 4" in message and "'121' statt '120'" in message
    assert caught.value.line == len(HEADER_22811_05I) + 1


HEADER_13211_02 = [
    "GENESIS-Tabelle: 13211-02-05-4",
    "Arbeitslose nach ausgewählten Personengruppen sowie;;;;;",
    ";;;Arbeitslose;Arbeitslosenquote bez. auf alle zivile Erwerbsp.;Arbeitslosenquote bez. auf alle zivile Erwerbsp.",
    ";;;;;Frauen",
    ";;;Anzahl;Prozent;Prozent",
]


def test_dash_is_unknown_only_for_the_indicators_the_metadata_names(tmp_path):
    assert "alq_w" in table_metadata()["tables"]["13211-02-05-4"]["dash_means_unknown"]
    rows = ["2008;99001;      Testkreis;-;4,1;-", "2009;99001;      Testkreis;812;4,0;3,9"]
    records = read_genesis(_write(tmp_path / "t.csv", HEADER_13211_02 + rows + FOOTER), "13211-02-05-4", "99001").records
    cells = records.set_index(["indicator_id", "year"])
    assert cells.loc[("alq_w", 2008), "status"] == "unknown" and pd.isna(cells.loc[("alq_w", 2008), "value"])
    assert (cells.loc[("alo", 2008), "status"], cells.loc[("alo", 2008), "value"]) == ("zero", 0.0)  # a real zero
    assert (cells.loc[("alq_w", 2009), "status"], cells.loc[("alq_w", 2009), "value"]) == ("ok", 3.9)
