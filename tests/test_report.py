"""The offline HTML report (`digilead report` and the published/reports asset), held to what its readers rely on.

Once per module: two small municipalities are generated and processed with `digilead run` (which also renders
the reports). Then:
- the report is one self-contained file: nothing to fetch (no external script, style, font or image);
- headless Chromium (Debian's `chromium`; skipped with a reason where /usr/bin/chromium is absent) opens it
  with no console message, every chart drawn, and a screenshot is kept under tests/artifacts/;
- every number in every table equals its published mart's value (tables are parsed back out of the HTML);
- no suppressed value appears anywhere in the HTML, charts included (the true values come from the
  warehouse's unsuppressed intermediate tables);
- the staff-group and benchmark marts keep their privacy promises on real data.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from pipelines.report.i18n import parse_number

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
MIN_CELL = 5
# 0101 also gets one file of every kind of bad input, so its report has quarantined files with reasons
MUNICIPALITIES = {
    "0751": ["--employees", "300", "--waves", "2", "--seed", "7"],
    "0101": ["--employees", "200", "--waves", "2", "--seed", "8", "--bad-files"],
}
HIDDEN_WORDS = {"da": "skjult", "en": "hidden"}
TIMEOUT_S = 1800


# --------------------------------------------------------------------------- the warehouse and the reports


def _env(home: Path, key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGILEAD_")}
    env.update(DIGILEAD_HOME=str(home), DIGILEAD_PSEUDONYM_KEY=key, DIGILEAD_MIN_CELL=str(MIN_CELL))
    return env


def _digilead(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, pseudonym_key: str) -> Path:
    home = tmp_path_factory.mktemp("report") / "home"
    env = _env(home, pseudonym_key)
    for kommunekode, options in MUNICIPALITIES.items():
        generated = _digilead(env, "generate", "--municipality", kommunekode, *options, "--out", str(home / "landing"))
        assert generated.returncode == 0, generated.stderr[-3000:]
    run = _digilead(env, "run")
    assert run.returncode == 3, (run.stdout + run.stderr)[-5000:]  # 3: the bad files were quarantined
    return home


@pytest.fixture(scope="module")
def env(home: Path, pseudonym_key: str) -> dict[str, str]:
    return _env(home, pseudonym_key)


@pytest.fixture(scope="module")
def published(home: Path):
    con = duckdb.connect(str(home / "published" / "digilead.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def child_unit(published) -> str:
    """A unit one level below the root of 0751 with sub-units of its own (for the drill-down)."""
    return published.execute(
        """select d.los_id from marts.dim_org_unit d
           where d.kommunekode = '0751' and d.is_current and not d.is_root
             and d.parent_los_id = (select los_id from marts.dim_org_unit where kommunekode = '0751' and is_root and is_current)
             and exists (select 1 from marts.dim_org_unit c where c.kommunekode = '0751' and c.is_current and c.parent_los_id = d.los_id)
           order by d.los_id limit 1"""
    ).fetchone()[0]


@pytest.fixture(scope="module")
def reports(home: Path, env: dict[str, str], child_unit: str) -> dict[str, Path]:
    """The pipeline's own reports (Danish) and a drill-down in English made with `digilead report`."""
    out = home / "drilldown"
    made = _digilead(env, "report", "--municipality", "0751", "--unit", child_unit, "--lang", "en", "--out", str(out))
    assert made.returncode == 0, made.stderr
    drilldown = Path(made.stdout.strip().splitlines()[-1])
    assert drilldown.parent == out and drilldown.exists()
    return {
        "0751_da": home / "published" / "reports" / "digilead_0751_da.html",
        "0101_da": home / "published" / "reports" / "digilead_0101_da.html",
        "0751_unit_en": drilldown,
    }


# --------------------------------------------------------------------------- reading the HTML back


class _Tables(HTMLParser):
    """Every cell of every table with a data-mart: (mart, row key, column, text, raw value, hidden?)."""

    def __init__(self):
        super().__init__()
        self.cells: list[dict] = []
        self.mart: str | None = None
        self.key: dict | None = None
        self.cell: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self.mart = attributes.get("data-mart")
        elif tag == "tr":
            self.key = json.loads(attributes["data-key"]) if "data-key" in attributes else None
        elif tag == "td" and self.mart and self.key is not None:
            self.cell = {
                "mart": self.mart,
                "key": self.key,
                "column": attributes["data-column"],
                "raw": attributes.get("data-value"),
                "hidden": "hidden-value" in (attributes.get("class") or ""),
                "text": "",
            }

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.cells.append(self.cell)
            self.cell = None
        elif tag == "table":
            self.mart = None


def _cells(path: Path) -> list[dict]:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.cells


def _lang(path: Path) -> str:
    return re.search(r'<html lang="(\w+)"', path.read_text(encoding="utf-8")).group(1)


def _mart_row(published, mart: str, key: dict) -> dict:
    where = " and ".join(f"cast({column} as varchar) is not distinct from ?" for column in key)
    params = [None if value is None else str(value) for value in key.values()]
    cursor = published.execute(f"select * from marts.{mart} where {where}", params)
    rows = cursor.fetchall()
    assert len(rows) == 1, f"{mart} {key}: {len(rows)} rows"
    return dict(zip([d[0] for d in cursor.description], rows[0], strict=True))


# --------------------------------------------------------------------------- tests


def test_the_run_renders_one_report_per_municipality(home: Path, reports: dict[str, Path]):
    assert sorted(p.name for p in (home / "published" / "reports").glob("*.html")) == [
        "digilead_0101_da.html",
        "digilead_0751_da.html",
    ]
    assert _lang(reports["0751_da"]) == "da" and _lang(reports["0751_unit_en"]) == "en"
    # the first build is a full one: it marked every report due, and the reports asset used the marks up
    assert not any((home / "published" / "reports" / ".due").iterdir())


def test_the_report_is_self_contained(reports: dict[str, Path]):
    for name, path in reports.items():
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"<(link|img|iframe|object|embed)\b", html, re.I), name
        assert not re.search(r"<script[^>]+src=", html, re.I), name
        assert not re.search(r"(?:src|href)\s*=\s*[\"'](?!#)", html, re.I), f"{name}: a reference outside the page"
        assert not re.search(r"@import|@font-face|url\((?!#)", html, re.I), name
        assert "http://" not in html.replace("http://www.w3.org/", "") and "https://" not in html, name


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"
)
def test_chromium_opens_the_report_without_console_messages_and_draws_every_chart(reports, tmp_path: Path):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in reports.items():
        html = path.read_text(encoding="utf-8")
        charts = len(re.findall(r'<svg role="img"[^>]*class="chart"', html))
        assert charts >= (12 if name == "0751_da" else 6), f"{name}: only {charts} charts"
        profile = tmp_path / f"profile-{name}"
        common = [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,2400",
        ]
        dom = subprocess.run([*common, "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120)
        assert dom.returncode == 0, dom.stderr[-2000:]
        console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
        assert console == [], f"{name}: console messages {console}"
        drawn = re.search(r'data-charts-drawn="(\d+)/(\d+)"', dom.stdout)
        assert drawn, f"{name}: the page's script did not run"
        assert drawn.group(1) == drawn.group(2) == str(charts), f"{name}: charts drawn {drawn.group(0)} of {charts}"
        screenshot = ARTIFACTS / f"report_{name}.png"
        screenshot.unlink(missing_ok=True)
        shot = subprocess.run(
            [*common, "--window-size=1200,16000", "--hide-scrollbars", f"--screenshot={screenshot}", path.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert shot.returncode == 0 and screenshot.stat().st_size > 50_000, shot.stderr[-2000:]


def test_every_number_in_the_tables_equals_the_published_mart(reports, published):
    for name, path in reports.items():
        lang = _lang(path)
        cells = _cells(path)
        marts = {cell["mart"] for cell in cells}
        if name == "0101_da":
            assert "dq_files" in marts, "no quarantined file in the report"
        if name == "0751_da":
            assert {
                "digital_maturity",
                "digital_maturity_by_staff_group",
                "training_uptake",
                "training_after_maturity",
                "benefit_realisation",
                "benefit_realisation_by_sektor",
                "benchmark_municipality",
                "data_quality",
            } <= marts
        compared = 0
        for cell in cells:
            row = _mart_row(published, cell["mart"], cell["key"])
            value = row[cell["column"]]
            where = f"{name}: {cell['mart']} {cell['key']} {cell['column']}"
            if cell["hidden"]:
                assert value is None and row["suppressed"], f"{where}: shown as hidden but published as {value!r}"
                assert cell["text"] == HIDDEN_WORDS[lang], where
            elif cell["raw"] is not None:
                expected = value.isoformat() if hasattr(value, "isoformat") else str(value)
                assert cell["raw"] == expected, f"{where}: {cell['raw']!r} != {expected!r}"
            elif isinstance(value, bool) or isinstance(value, str):
                assert cell["text"] == str(value), f"{where}: {cell['text']!r} != {value!r}"
            elif value is None:
                assert cell["text"] == "–", f"{where}: {cell['text']!r} for a null"
            else:
                shown = parse_number(cell["text"], lang)
                decimal_mark = "," if lang == "da" else "."
                number = cell["text"].removesuffix(" %")
                decimals = len(number.split(decimal_mark)[1]) if decimal_mark in number else 0
                scale = 100 if cell["text"].endswith("%") else 1
                assert math.isclose(shown, float(value) * scale, abs_tol=0.5 * 10**-decimals + 1e-9), (
                    f"{where}: shows {cell['text']!r}, the mart has {value!r}"
                )
            compared += 1
        assert compared > 50, f"{name}: only {compared} cells compared"


def _number_tokens(html: str) -> set[str]:
    """Every number written in the page, in text and in the charts (SVG text), except the charts' axis tick
    labels: those are round numbers the axis chooses from its range (3,00, 4,00, 25 %), and a hidden value
    that happens to be round would otherwise match one."""
    import xml.etree.ElementTree as ElementTree

    def without_ticks(svg: str) -> str:
        root = ElementTree.fromstring(svg)
        for parent in root.iter():
            for child in list(parent):
                if re.match(r"[xy]tick_\d+$", child.get("id", "")):
                    parent.remove(child)
        return "".join(root.itertext())

    text = re.sub(r"<svg.*?</svg>", lambda svg: without_ticks(svg.group(0)), html, flags=re.S)
    return set(re.findall(r"[−+-]?\d[\d.,]*\d|\d", text))


def _suppressed_truth(home: Path, published, kommunekode: str) -> list[tuple[str, float]]:
    """(kind, true value) of every measure the marts suppress for the municipality, from the warehouse's
    unsuppressed roll-ups (never published), except values some published row of the same kind shows anyway."""
    warehouse = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        secrets = warehouse.execute(
            f"""
            select 'score', r.mean_score from intermediate.int_survey__maturity_rollup r
              join marts.digital_maturity m using (kommunekode, wave, los_id, competence_area)
              where m.suppressed and r.kommunekode = '{kommunekode}' and r.mean_score is not null
            union all
            select 'share', s from (
              select unnest([r.share_basic, r.share_advanced]) as s from intermediate.int_survey__maturity_rollup r
              join marts.digital_maturity m using (kommunekode, wave, los_id, competence_area)
              where m.suppressed and r.kommunekode = '{kommunekode}') where s is not null
            union all
            select 'score', r.mean_score from intermediate.int_survey__staff_group_rollup r
              join marts.digital_maturity_by_staff_group m using (kommunekode, wave, los_id, competence_area, personalekategori)
              where m.suppressed and r.kommunekode = '{kommunekode}' and r.mean_score is not null
            union all
            select 'count', r.completions from intermediate.int_training__uptake_rollup r
              join marts.training_uptake m using (kommunekode, month, los_id, competence_area)
              where m.completions is null and r.kommunekode = '{kommunekode}'
            union all
            select 'share', r.coverage_12m from intermediate.int_training__uptake_rollup r
              join marts.training_uptake m using (kommunekode, month, los_id, competence_area)
              where m.coverage_12m is null and r.kommunekode = '{kommunekode}' and r.coverage_12m is not null
            union all
            select 'share', r.coverage_12m from intermediate.int_training__staff_group_uptake_rollup r
              join marts.training_uptake_by_staff_group m using (kommunekode, month, los_id, personalekategori)
              where m.suppressed and r.kommunekode = '{kommunekode}' and r.coverage_12m is not null
            """
        ).fetchall()
    finally:
        warehouse.close()
    published_values = published.execute(
        f"""
        select 'score', mean_score from marts.digital_maturity where kommunekode = '{kommunekode}' and mean_score is not null
        union all select 'score', mean_score from marts.digital_maturity_by_staff_group where kommunekode = '{kommunekode}' and mean_score is not null
        union all select 'score', unnest([prev_mean_score]) from marts.digital_maturity where kommunekode = '{kommunekode}'
        union all select 'score', unnest([value, min_value, p25, median, p75, max_value])
            from marts.benchmark_municipality where measure = 'maturity_mean_score'
        union all select 'share', unnest([value, min_value, p25, median, p75, max_value])
            from marts.benchmark_municipality where measure <> 'maturity_mean_score'
        union all select 'share', unnest([share_basic, share_advanced]) from marts.digital_maturity where kommunekode = '{kommunekode}'
        union all select 'share', unnest([share_basic, share_advanced, response_rate]) from marts.digital_maturity_by_staff_group where kommunekode = '{kommunekode}'
        union all select 'share', unnest([coverage_12m]) from marts.training_uptake where kommunekode = '{kommunekode}'
        union all select 'share', unnest([coverage_12m]) from marts.training_uptake_by_staff_group where kommunekode = '{kommunekode}'
        """
    ).fetchall()
    known = {(kind, round(float(v), 2)) for kind, v in published_values if v is not None}
    return [(kind, float(v)) for kind, v in secrets if (kind, round(float(v), 2)) not in known]


def _forms(kind: str, value: float) -> set[str]:
    """How the report would write the value (Danish and English) in tables and charts."""
    forms = set()
    if kind == "score":
        forms |= {f"{value:.2f}", f"{value:.2f}".replace(".", ",")}
    elif kind == "share":
        for decimals in (1,):
            text = f"{value * 100:.{decimals}f}"
            forms |= {text, text.replace(".", ",")}
    return forms


def test_no_suppressed_value_appears_anywhere_in_the_html(home: Path, reports, published):
    secrets = _suppressed_truth(home, published, "0751")
    assert secrets, "the generated municipality has no suppressed cell: the test would prove nothing"
    for name in ("0751_da", "0751_unit_en"):
        html = reports[name].read_text(encoding="utf-8")
        assert HIDDEN_WORDS[_lang(reports[name])] in html, f"{name}: no suppressed cell shown as such"
        tokens = _number_tokens(html)
        leaked = [(kind, value) for kind, value in secrets if _forms(kind, value) & tokens]
        assert leaked == [], f"{name}: suppressed values appear in the HTML: {leaked[:5]}"
        assert "@" not in re.sub(r"@(media|page)\b", "", html), f"{name}: an e-mail-like '@'"
        assert not re.search(r"\b[0-9a-f]{64}\b", html), f"{name}: a person_key-like hex value"


def test_the_drilldown_covers_the_unit_and_its_subtree_only(reports, published, child_unit: str):
    cells = _cells(reports["0751_unit_en"])
    tree = dict(
        published.execute(
            "select los_id, parent_los_id from marts.dim_org_unit where kommunekode = '0751' and is_current"
        ).fetchall()
    )
    subtree = {child_unit}
    while True:
        more = {unit for unit, parent in tree.items() if parent in subtree} - subtree
        if not more:
            break
        subtree |= more
    units = {cell["key"]["los_id"] for cell in cells if "los_id" in cell["key"]}
    assert child_unit in units and units <= subtree, units - subtree
    html = reports["0751_unit_en"].read_text(encoding="utf-8")
    assert "Unit:" in html and "Digital maturity" in html


def test_report_refuses_an_unknown_municipality_or_unit(env):
    unknown = _digilead(env, "report", "--municipality", "0999")
    assert unknown.returncode == 1 and "municipality 0999 is not in the published marts" in unknown.stderr
    no_unit = _digilead(env, "report", "--municipality", "0751", "--unit", "NO-SUCH-UNIT")
    assert no_unit.returncode == 1 and "unit NO-SUCH-UNIT is not in the current org tree" in no_unit.stderr


def test_staff_groups_cannot_be_differenced_against_the_unit_total(published):
    """Per unit, wave and area: the unit's respondents are digital_maturity's, and the unit total minus the
    published groups (ungrouped plus suppressed groups) is 0 or at least the minimum cell."""
    rows = published.execute(
        """
        select g.kommunekode, g.wave, g.los_id, g.competence_area, any_value(g.unit_respondents) as unit_respondents,
               any_value(m.respondents) as maturity_respondents, any_value(m.suppressed) as unit_suppressed,
               any_value(g.ungrouped_respondents) + sum(g.respondents) as grouped_and_not,
               any_value(g.unit_respondents) - sum(g.respondents) filter (where not g.suppressed) as residual,
               count(*) filter (where g.suppressed) as suppressed_groups,
               count(*) filter (where g.suppression_reason = 'secondary') as secondary
        from marts.digital_maturity_by_staff_group g
        join marts.digital_maturity m using (kommunekode, wave, los_id, competence_area)
        group by all
        """
    ).df()
    assert len(rows) > 100
    assert (rows["unit_respondents"] == rows["maturity_respondents"]).all()
    assert (rows["grouped_and_not"] == rows["unit_respondents"]).all()
    # a unit whose own total is suppressed publishes no total to subtract from
    rows = rows[~rows["unit_suppressed"]]
    residual = rows["residual"].fillna(rows["unit_respondents"])
    assert ((residual == 0) | (residual >= MIN_CELL)).all(), rows[(residual > 0) & (residual < MIN_CELL)].head()
    assert rows["secondary"].sum() > 0, "no secondary suppression happened: the generated data does not test it"


def test_the_benchmark_holds_the_municipalities_root_figures(published):
    roots = published.execute(
        "select kommunekode, wave, competence_area, mean_score from marts.digital_maturity where is_root and mean_score is not null"
    ).fetchall()
    bench = {
        (k, p, d): (v, n)
        for k, p, d, v, n in published.execute(
            "select kommunekode, period, dimension, value, municipalities from marts.benchmark_municipality where measure = 'maturity_mean_score'"
        ).fetchall()
    }
    assert len(bench) == len(roots)
    for kommunekode, wave, area, score in roots:
        value, municipalities = bench[(kommunekode, wave, area)]
        assert value == pytest.approx(score)
    assert max(n for _, n in bench.values()) == len(MUNICIPALITIES)


def test_artifacts_are_not_committed():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(ARTIFACTS / "report_0751_da.png")], cwd=REPO_ROOT, capture_output=True
    )
    assert ignored.returncode == 0, "tests/artifacts/ must be in .gitignore"
