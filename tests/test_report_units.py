"""The report's building blocks, without a pipeline run: number forms, tables and charts of hidden values."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pytest

from pipelines.report import charts
from pipelines.report.due import due_folder, mark_due
from pipelines.report.html import Column, Table
from pipelines.report.i18n import Words, parse_number
from pipelines.report.render import render_due, report_path


@pytest.mark.parametrize(
    ("lang", "value", "decimals", "text"),
    [
        ("da", 1234.5, 1, "1.234,5"),
        ("en", 1234.5, 1, "1,234.5"),
        ("da", -0.25, 2, "−0,25"),
        ("da", 1234567, 0, "1.234.567"),
        ("en", None, 2, "–"),
    ],
)
def test_numbers_are_written_as_each_language_writes_them_and_read_back(lang, value, decimals, text):
    words = Words(lang)
    assert words.number(value, decimals) == text
    assert parse_number(text, lang) == (None if value is None else pytest.approx(value))


def test_shares_and_changes():
    da = Words("da")
    assert da.percent(0.573, 1) == "57,3 %" and parse_number("57,3 %", "da") == pytest.approx(57.3)
    assert da.signed(0.12) == "+0,12" and da.signed(-0.12) == "−0,12"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language must be one of da, en"):
        Words("de")


def test_a_table_writes_a_hidden_value_as_a_word_and_a_published_one_as_a_number():
    words = Words("en")
    table = Table(
        "caption",
        [Column("los_id", "Unit"), Column("mean_score", "Mean", lambda v: words.number(v, 2), numeric=True)],
        [
            {"los_id": "A", "mean_score": None, "suppressed": True},
            {"los_id": "B", "mean_score": 3.456, "suppressed": False},
            # suppressed for another measure of the row: its published mean stays a number
            {"los_id": "C", "mean_score": 2.5, "suppressed": True},
        ],
        mart="digital_maturity",
        key=["los_id"],
        hidden_word="hidden",
        hidden_when=lambda row: row["suppressed"],
        hidden_columns=["mean_score"],
    ).html()
    cells = re.findall(r'<td([^>]*)data-column="mean_score"[^>]*>([^<]*)</td>', table)
    assert cells == [(' class="hidden-value" ', "hidden"), (' class="num" ', "3.46"), (' class="num" ', "2.50")]
    assert 'data-mart="digital_maturity"' in table and "data-key='{&quot;los_id&quot;: &quot;A&quot;}'" in table


def _texts(svg: str) -> list[str]:
    return [text.strip() for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if text.strip()]


def test_a_hidden_bar_is_a_labelled_stub_never_a_zero():
    figure = charts.bars(["A", "B"], [None, 0.0], "share", lambda v: f"{v:.2f}", "hidden")
    svg = charts.render(figure, "label", "t1")
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-label="label"' in svg
    texts = _texts(svg)
    assert "hidden" in texts  # A: the stub's label
    assert texts.count("0.00") == 2  # B's published zero beside its bar, and the axis' 0.00 tick
    assert "<image" not in svg and "http" not in svg.replace("http://www.w3.org", "")


def test_a_hidden_month_is_drawn_as_such_not_as_a_zero_bar():
    figure = charts.bars_and_line(
        ["2025-01", "2025-02", "2025-03"], [12, None, 9], "completions", [10, None, 8], "people", str, "hidden"
    )
    svg = charts.render(figure, "monthly", "t2")
    assert "hidden" in _texts(svg)
    # two published bars plus the hatched stub: the stub carries the hatch pattern
    assert "<pattern" in svg


def test_a_hidden_heatmap_cell_is_hatched_and_labelled():
    figure = charts.heatmap(["A", "B"], ["1", "all"], [[3.5, None], [2.0, 4.0]], "hidden", lambda v: f"{v:.2f}")
    svg = charts.render(figure, "heatmap", "t3")
    texts = _texts(svg)
    assert texts.count("hidden") == 1 and {"3.50", "2.00", "4.00"} <= set(texts)
    assert "<pattern" in svg and "<image" not in svg


# --------------------------------------------------------------------------- which reports a publish renders


def _publish(published: Path, names: dict[str, str]) -> None:
    """A published copy holding only the org units (each municipality's root, named), written anew like a publish."""
    published.mkdir(parents=True, exist_ok=True)
    database = published / "digilead.duckdb"
    database.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_org_unit (kommunekode varchar, los_id varchar, parent_los_id varchar,"
            " enhedsnavn varchar, is_root boolean, is_current boolean)"
        )
        for kommunekode, name in names.items():
            con.execute(
                "insert into marts.dim_org_unit values (?, ?, null, ?, true, true)", [kommunekode, kommunekode, name]
            )
    _tick(database)


_clock = [1_700_000_000]


def _tick(path: Path) -> None:
    """Give `path` the next time of a clock of whole seconds (file times of quick steps may tie)."""
    _clock[0] += 1
    os.utime(path, (_clock[0], _clock[0]))


def _mark(published: Path, kommuner: list[str] | None) -> None:
    """A build of `kommuner` is planned (after the last publish)."""
    mark_due(published, kommuner)
    for marker in due_folder(published).iterdir():
        _tick(marker)


def _report_text(published: Path, kommunekode: str) -> str:
    return report_path(published, kommunekode, None, "da").read_text(encoding="utf-8")


def test_a_publish_renders_the_builds_municipalities_and_the_missing_reports_only(tmp_path: Path):
    published = tmp_path / "published"
    _publish(published, {"0101": "København v1", "0751": "Aarhus v1"})
    written, problems = render_due(published)  # no report yet: every municipality's is missing
    assert sorted(p.name for p in written) == ["digilead_0101_da.html", "digilead_0751_da.html"] and not problems

    # an incremental build of 0751: only its report is rendered again, 0101's file is left as it was
    _mark(published, ["0751"])
    _publish(published, {"0101": "København v2", "0751": "Aarhus v2"})
    untouched = report_path(published, "0101", None, "da").stat().st_mtime_ns
    written, _ = render_due(published)
    assert [p.name for p in written] == ["digilead_0751_da.html"]
    assert "Aarhus v2" in _report_text(published, "0751") and "København v1" in _report_text(published, "0101")
    assert report_path(published, "0101", None, "da").stat().st_mtime_ns == untouched
    assert render_due(published)[0] == []  # the marker is used up

    # a missing report is rendered again; a build not yet published leaves its reports due until it is
    report_path(published, "0101", None, "da").unlink()
    _mark(published, ["0751"])
    assert [p.name for p in render_due(published)[0]] == ["digilead_0101_da.html"]
    assert "København v2" in _report_text(published, "0101") and "Aarhus v1" not in _report_text(published, "0751")
    _publish(published, {"0101": "København v3", "0751": "Aarhus v3"})
    assert [p.name for p in render_due(published)[0]] == ["digilead_0751_da.html"]

    # a full build: every report
    _mark(published, None)
    _publish(published, {"0101": "København v4", "0751": "Aarhus v4"})
    assert len(render_due(published)[0]) == 2
    assert "København v4" in _report_text(published, "0101") and "Aarhus v4" in _report_text(published, "0751")
    assert not any(due_folder(published).iterdir())


def test_a_batch_larger_than_a_worker_share_is_rendered_by_worker_processes(tmp_path: Path, monkeypatch):
    """The spawned workers (each with its own connection to the published copy) write the same reports."""
    from pipelines.report import render

    published = tmp_path / "published"
    _publish(published, {"0101": "København", "0147": "Frederiksberg", "0751": "Aarhus"})
    monkeypatch.setattr(render, "WORKER_BATCH", 1)  # three reports: two workers
    written, problems = render_due(published, workers=2)
    assert sorted(p.name for p in written) == [f"digilead_{k}_da.html" for k in ("0101", "0147", "0751")]
    assert not problems and "Frederiksberg (0147)" in _report_text(published, "0147")
