"""Survey item catalogue."""

from __future__ import annotations

import pytest
from parser_support import context, file_name

from pipelines.sources import survey_items
from pipelines.sources.base import Unreadable
from pipelines.sources.readers import FLAG, STRING

ITEMS = """item_id,question_text,competence_code,reverse_scored
Q01,"Jeg kan finde information, også på intranettet",1.1,0
Q02,Jeg deler filer sikkert,"2,1",1
Q03,Jeg kan beskytte mine data,4.2,måske
"""


def parse(text: str = ITEMS):
    return survey_items.parse(text.encode("utf-8"), file_name("survey_items", "2025H1"), context(items=None))


def test_items_table():
    table = parse().tables["survey_items"]
    assert list(table.columns) == [
        "_row_number",
        "kommunekode",
        "wave",
        "item_id",
        "question_text",
        "competence_code",
        "reverse_scored",
    ]
    assert table["wave"].tolist() == ["2025H1"] * 3 and table["kommunekode"].iloc[0] == "0751"
    assert table["question_text"].iloc[0] == "Jeg kan finde information, også på intranettet"
    assert table["competence_code"].tolist() == ["1.1", "2.1", "4.2"]  # an Excel decimal comma normalised
    assert table["competence_code"].dtype == STRING and table["reverse_scored"].dtype == FLAG
    assert table["reverse_scored"].tolist()[:2] == [False, True]


def test_items_unreadable_flag_is_kept_for_validation():
    frame = parse().validation_frame
    assert frame["reverse_scored__unparsed"].tolist()[2] == "måske"
    assert frame["reverse_scored__unparsed"].iloc[:2].isna().all()


def test_items_missing_columns():
    with pytest.raises(Unreadable, match="reverse_scored"):
        parse("item_id;question_text;competence_code\nQ01;x;1.1\n")
