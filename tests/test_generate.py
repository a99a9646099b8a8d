"""The synthetic municipality generator: reproducible, contract-shaped, and its truth agrees with
its files. The small readers below are deliberately independent of pipelines/sources: they only
check that the generator writes what its truth says."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import zipfile
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from pipelines.generate import GenerateSummary, Variation, generate, generate_scale
from pipelines.generate.scale import plan as scale_plan

GENERATOR_DIR = Path(__file__).resolve().parents[1] / "pipelines" / "generate"

# Contract section 2 name patterns (matched case-insensitively).
PATTERNS = {
    "survey_responses": r"survey_responses_\d{4}_\d{4}H[12]\.(csv|xlsx|zip)",
    "survey_items": r"survey_items_\d{4}_\d{4}H[12]\.csv",
    "hr_employees": r"hr_employees_\d{4}_\d{4}-(0[1-9]|1[0-2])\.csv",
    "hr_org_units": r"hr_org_units_\d{4}_\d{4}-(0[1-9]|1[0-2])\.csv",
    "courses": r"courses_\d{4}\.csv",
    "training": r"training_\d{4}_\d{4}-(0[1-9]|1[0-2])\.(csv|jsonl)",
    "benefits": r"benefits_\d{4}_\d{4}-\d{2}-\d{2}(\.xlsx|\.csv|_(initiativer|gevinster|maalinger)\.csv)",
}
LABELS = {"helt uenig": 1, "uenig": 2, "hverken enig eller uenig": 3, "enig": 4, "helt enig": 5}
NO_ANSWER = {"", "-", "ved ikke"}


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_run(tmp_path_factory) -> tuple[Path, Path, GenerateSummary]:
    """Four waves (every dialect), bad files and truth, on a small workforce."""
    root = tmp_path_factory.mktemp("full")
    summary = generate(root / "landing", employees=400, waves=4, seed=3, bad_files=True, truth=root / "truth")
    return root / "landing", root / "truth", summary


def read_truth(truth: Path, name: str) -> list[dict[str, str]]:
    with open(truth / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("undecodable")


def table(data: bytes, header_rows: int = 1) -> tuple[list[list[str]], list[dict[str, str]]]:
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    headers = rows[:header_rows]
    return headers, [dict(zip(headers[0], row, strict=False)) for row in rows[header_rows:]]


def answer_value(cell) -> int | None:
    text = "" if cell is None else str(cell).strip().lower()
    if text in NO_ANSWER:
        return None
    return int(text) if text.isdigit() else LABELS[text]


# --- reproducibility, names, speed ---------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_arguments_give_the_same_bytes(tmp_path, full_run):
    landing, truth, _ = full_run
    generate(tmp_path / "landing", employees=400, waves=4, seed=3, bad_files=True, truth=tmp_path / "truth")
    assert snapshot(tmp_path / "landing") == snapshot(landing)
    assert snapshot(tmp_path / "truth") == snapshot(truth)


def test_another_seed_gives_other_content(tmp_path, full_run):
    landing, _, _ = full_run
    generate(tmp_path, employees=400, waves=4, seed=4)
    assert (tmp_path / "hr_employees_0751_2025-01.csv").read_bytes() != (
        landing / "hr_employees_0751_2025-01.csv"
    ).read_bytes()


def test_switching_slices_off_leaves_other_files_untouched(tmp_path, full_run):
    landing, _, _ = full_run
    summary = generate(tmp_path, employees=400, waves=4, seed=3, training=False, benefits=False)
    written = snapshot(tmp_path)
    assert not any(name.startswith(("training_", "courses_", "benefits_")) for name in written)
    everything = snapshot(landing)
    assert all(everything[name] == data for name, data in written.items())
    assert summary.files == sorted(written)


def test_every_file_name_matches_a_contract_pattern(full_run):
    landing, truth, summary = full_run
    expected = {row["file_name"]: row["source"] for row in read_truth(truth, "files")}
    for name in summary.files:
        matching = [source for source, pattern in PATTERNS.items() if re.fullmatch(pattern, name, re.IGNORECASE)]
        if expected[name] == "unknown":
            assert matching == [], name
        else:
            assert matching == [expected[name]], name


def test_default_run_is_sized_like_a_municipality(tmp_path):
    summary = generate(tmp_path)  # its speed is measured by `make bench`, not asserted here
    assert summary.employees == 3000 and summary.waves == 2
    assert len(summary.files) == len(list(tmp_path.iterdir())) == 12 + 3 + 2 * 2 + 1 + 12 + 2 + 3
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) < 20_000_000
    _, rows = table((tmp_path / "hr_employees_0751_2025-06.csv").read_bytes())
    assert 2800 < len(rows) < 3300
    _, units = table((tmp_path / "hr_org_units_0751_2025-01.csv").read_bytes())
    assert 120 <= len(units) <= 190
    assert {u["sektor"] for u in units} <= {
        "Administration",
        "Ældre",
        "Handicap",
        "Skole",
        "Dagtilbud",
        "Sundhed",
        "Beskæftigelse",
        "Teknik og miljø",
        "Kultur og fritid",
    }
    assert 6 <= len({u["sektor"] for u in units}) <= 9
    assert 0.5 * 2 * len(rows) < summary.respondents < 0.75 * 2 * len(rows)


def test_generator_imports_nothing_else_from_pipelines():
    for path in GENERATOR_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert not (node.module or "").startswith("pipelines"), f"{path.name} imports {node.module}"
            if isinstance(node, ast.ImportFrom) and node.level > 1:
                raise AssertionError(f"{path.name} imports from outside its package")
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("pipelines") for a in node.names), path.name


# --- bad files and the file listing ---------------------------------------------------------------


def test_truth_lists_every_landing_file_once(full_run):
    landing, truth, _ = full_run
    listing = read_truth(truth, "files")
    assert sorted(row["file_name"] for row in listing) == sorted(p.name for p in landing.iterdir())
    assert {row["expected_outcome"] for row in listing} == {"accepted", "quarantined", "duplicate"}


def test_bad_files_are_bad_in_the_way_they_say(full_run):
    landing, truth, _ = full_run
    bad = {row["file_name"]: row["why"] for row in read_truth(truth, "files") if row["expected_outcome"] != "accepted"}
    assert len(bad) == 11

    def named(word: str) -> bytes:
        return (landing / next(name for name, why in bad.items() if word in why)).read_bytes()

    garbage = named("garbage")
    assert b"\x00" in garbage
    code_page = named("code page 850")
    for encoding in ("utf-8", "cp1252"):
        with pytest.raises(UnicodeDecodeError):
            code_page.decode(encoding)
    assert named("empty") == b""
    assert b"7" in named("outside the scale") and "Måske".encode() in named("outside the scale")
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(named("cut off")))
    assert "../evil.csv" in zipfile.ZipFile(io.BytesIO(named("traversal"))).namelist()
    bomb = named("bomb")
    assert len(bomb) < 5_000_000
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist()) > 2 * 1024**3
    assert not named("renamed").startswith(b"PK")
    duplicate_name = next(name for name, why in bad.items() if "same bytes" in why)
    original = re.search(r"same bytes as (\S+)", bad[duplicate_name]).group(1)
    assert (landing / duplicate_name).read_bytes() == (landing / original).read_bytes()
    # the cycle file: two units are each other's parent
    _, rows = table(named("cycle"))
    parent = {r["los_id"]: r["parent_los_id"] for r in rows}
    assert any(parent.get(parent[u]) == u for u in parent if parent[u])


def test_bad_files_do_not_share_a_period_with_a_good_file_of_their_source(full_run):
    _, truth, _ = full_run
    listing = read_truth(truth, "files")
    good = {
        (r["source"], re.sub(r"\.\w+$", "", r["file_name"])) for r in listing if r["expected_outcome"] == "accepted"
    }
    for row in listing:
        if row["expected_outcome"] == "quarantined" and row["source"] in ("hr_employees", "hr_org_units", "benefits"):
            assert (row["source"], re.sub(r"\.\w+$", "", row["file_name"])) not in good, row["file_name"]


def test_switching_bad_files_on_changes_no_good_file(tmp_path, full_run):
    landing, _, _ = full_run
    generate(tmp_path, employees=400, waves=4, seed=3)
    everything = snapshot(landing)
    assert all(everything[name] == data for name, data in snapshot(tmp_path).items())


# --- truth agrees with the files ---------------------------------------------------------------------


def accepted(truth: Path, source: str) -> list[str]:
    return [
        r["file_name"]
        for r in read_truth(truth, "files")
        if r["source"] == source and r["expected_outcome"] == "accepted"
    ]


def test_hr_truth_matches_the_extracts_and_the_org_tree(full_run):
    landing, truth, _ = full_run
    employees = defaultdict(dict)
    for row in read_truth(truth, "employees"):
        employees[row["snapshot_month"]][row["medarbejdernr"]] = row
    org = defaultdict(dict)
    for row in read_truth(truth, "org_units"):
        org[row["snapshot_month"]][row["los_id"]] = row
    forms = Counter()
    for name in accepted(truth, "hr_employees"):
        month = name[-11:-4]
        data = (landing / name).read_bytes()
        forms[("bom" if data.startswith(b"\xef\xbb\xbf") else "crlf" if b"\r\n" in data else "lf")] += 1
        _, rows = table(data)
        assert {r["medarbejdernr"]: r["los_id"] for r in rows} == {k: v["los_id"] for k, v in employees[month].items()}
        tree = org[max(m for m in org if m <= month)]
        assert {r["los_id"] for r in rows} <= set(tree), f"{name} places people in units outside the org tree"
        assert any(re.fullmatch(r"\d{6}-\d{4}", r["cpr"]) for r in rows) and any(
            re.fullmatch(r"\d{10}", r["cpr"]) for r in rows
        )
    assert len(forms) == 3
    # the tree changes: a unit moved, a unit renamed, both from the change month on
    months = sorted(org)
    first, changed = org[months[0]], org[months[1]]
    assert any(u in first and first[u]["parent_los_id"] != changed[u]["parent_los_id"] for u in changed)
    assert any(u in first and first[u]["enhedsnavn"] != changed[u]["enhedsnavn"] for u in changed)
    for tree in org.values():
        roots = [u for u, row in tree.items() if not row["parent_los_id"]]
        assert len(roots) == 1
        for unit in tree:  # every unit reaches the root without a cycle
            seen = set()
            while tree[unit]["parent_los_id"]:
                assert unit not in seen
                seen.add(unit)
                unit = tree[unit]["parent_los_id"]


def file_answers(
    landing: Path, name: str, items: list[dict[str, str]]
) -> tuple[dict[tuple[str, str], int | None], set[str]]:
    """(respondent_id, item_id) -> answer for scored rows, plus the ids of rows that are not responses."""
    data = (landing / name).read_bytes()
    item_ids = [i["item_id"] for i in items]
    answers, excluded = {}, set()
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _, rows = table(archive.read("dataset.csv"))
            label_text = decode(archive.read("labels.csv"))
        delimiter = max(";,\t", key=label_text.split("\n", 1)[0].count)
        labels = {(v, c): label for v, c, label in csv.reader(io.StringIO(label_text, newline=""), delimiter=delimiter)}
        for row in rows:
            for item in item_ids:
                code = row[item]
                answers[(row["respondentid"], item)] = answer_value(labels[(item, code)]) if code else None
    elif name.endswith(".xlsx"):
        sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
        values = list(sheet.iter_rows(values_only=True))
        by_text = {i["question_text"]: i["item_id"] for i in items}
        for row in values[1:]:
            record = dict(zip(values[0], row, strict=False))
            for text, item in by_text.items():
                answers[(str(record["ID"]), item)] = answer_value(record[text])
    else:
        headers, rows = table(data, header_rows=3 if data.lstrip(b"\xef\xbb\xbf").startswith(b"StartDate") else 1)
        for row in rows:
            respondent = row.get("ResponseId") or row["respondent_id"]
            if row.get("Status") in ("Survey Preview", "Spam") or row.get("Finished") == "False":
                excluded.add(respondent)
                continue
            for item in item_ids:
                answers[(respondent, item)] = answer_value(row[item])
    return answers, excluded


def test_survey_truth_matches_every_dialect(full_run):
    landing, truth, _ = full_run
    items = read_truth(truth, "items")
    responses = read_truth(truth, "responses")
    expected = {
        (r["wave"], r["respondent_id"], r["item_id"]): int(r["answer"]) if r["answer"] else None
        for r in read_truth(truth, "answers")
    }
    dialects = set()
    for name in accepted(truth, "survey_responses"):
        wave = name.split("_")[-1].split(".")[0]
        answers, excluded = file_answers(landing, name, [i for i in items if i["wave"] == wave])
        assert {(wave, *key): value for key, value in answers.items()} == {
            k: v for k, v in expected.items() if k[0] == wave
        }, name
        assert excluded == {r["respondent_id"] for r in responses if r["wave"] == wave and r["is_response"] == "0"}
        dialects.add(name.rsplit(".", 1)[1] + ("-q" if excluded else ""))
    assert dialects == {"zip", "csv-q", "xlsx", "csv"}


def test_survey_content_exercises_the_contract(full_run):
    _, truth, _ = full_run
    items = read_truth(truth, "items")
    assert {i["competence_code"][0] for i in items} == {"1", "2", "3", "4", "5"}
    assert any(i["reverse_scored"] == "1" for i in items)
    responses = [r for r in read_truth(truth, "responses") if r["is_response"] == "1"]
    by_wave = defaultdict(list)
    for r in responses:
        by_wave[r["wave"]].append(r)
    for rows in by_wave.values():
        refs = Counter(r["employee_ref"] for r in rows if r["employee_ref"])
        assert any(count > 1 for count in refs.values()), "someone answered twice"
        assert any(not r["employee_ref"] for r in rows), "anonymous respondents"
        assert any(r["employee_ref"] and not r["medarbejdernr"] for r in rows), "refs HR does not know"
        per_unit = Counter(r["los_id"] for r in rows)
        assert any(count < 5 for count in per_unit.values()), "small units for suppression"
    refs = [r["employee_ref"] for r in responses]
    assert any(ref != ref.strip() for ref in refs) and any("@" in ref and ref != ref.lower() for ref in refs)
    assert any(ref.isdigit() for ref in refs)
    missing = Counter(a["answer"] == "" for a in read_truth(truth, "answers"))
    assert 0.02 < missing[True] / sum(missing.values()) < 0.1


def test_training_truth_and_edge_cases(full_run):
    landing, truth, _ = full_run
    records = read_truth(truth, "training")
    per_file = Counter((r["file_month"], r["record_format"]) for r in records)
    for name in accepted(truth, "training"):
        month = name.split("_")[-1][:7]
        data = (landing / name).read_bytes()
        if name.endswith(".jsonl"):
            statements = [json.loads(line) for line in data.decode("utf-8").splitlines()]
            assert len(statements) == per_file[(month, "xapi")]
            assert len({s["id"] for s in statements}) == len(statements)
            assert all(s["actor"]["mbox"].startswith("mailto:") for s in statements)
        else:
            assert len(table(data)[1]) == per_file[(month, "lms_csv")]
    # a completion at 23:30Z on a month's last day counts in the next month (Copenhagen)
    boundary = [r for r in records if r["record_format"] == "xapi" and r["completed_month"] != r["file_month"]]
    assert boundary and all(r["completed_at"][11:16] in ("00:30", "01:30") for r in boundary)
    completions = Counter(
        (r["file_month"], r["linked_medarbejdernr"], r["course_id"])
        for r in records
        if r["is_completion"] == "1" and r["linked_medarbejdernr"]
    )
    assert any(count > 1 for count in completions.values()), "a course completed twice in a month"
    assert any(r["is_completion"] == "1" and not r["linked_medarbejdernr"] for r in records), "unlinked learners"
    assert {"in_progress", "not_started", "attempted"} <= {r["status"] for r in records}
    assert any(r["hours"] == "" and r["record_format"] == "lms_csv" and r["is_completion"] == "1" for r in records)
    courses = {c["course_id"] for c in read_truth(truth, "courses")}
    assert {r["course_id"] for r in records} <= courses


def test_benefit_register_truth(full_run):
    landing, truth, _ = full_run
    initiatives = read_truth(truth, "benefits_initiativer")
    benefits = read_truth(truth, "benefits_gevinster")
    measurements = read_truth(truth, "benefits_maalinger")
    newest = max(r["snapshot_date"] for r in initiatives)
    assert len({r["snapshot_date"] for r in initiatives}) == 3
    assert "stoppet" in {r["status"] for r in initiatives if r["snapshot_date"] == newest}
    assert {b["gevinsttype"] for b in benefits} == {"oekonomi_dkk", "tid_timer", "kvalitet_indeks"}
    periods = Counter((m["benefit_id"], m["periode"]) for m in measurements if m["snapshot_date"] == newest)
    assert any(count > 1 for count in periods.values()), "a corrected measurement"
    names = accepted(truth, "benefits")
    assert sum(n.endswith(".xlsx") for n in names) == 2 and sum(n.endswith(".csv") for n in names) == 3
    for name in names:
        day = re.search(r"\d{4}-\d{2}-\d{2}", name).group(0)
        if name.endswith(".xlsx"):
            workbook = openpyxl.load_workbook(landing / name)
            assert workbook.sheetnames == ["initiativer", "gevinster", "maalinger"]
            assert isinstance(workbook["initiativer"]["E2"].value, datetime)
            assert workbook["maalinger"].max_row - 1 == sum(1 for m in measurements if m["snapshot_date"] == day)
        elif name.endswith("_maalinger.csv"):
            assert len(table((landing / name).read_bytes())[1]) == sum(
                1 for m in measurements if m["snapshot_date"] == day
            )


def test_containers_carry_no_wall_clock_time(full_run):
    landing, truth, _ = full_run
    for name in accepted(truth, "survey_responses") + accepted(truth, "benefits"):
        if name.endswith((".zip", ".xlsx")):
            with zipfile.ZipFile(landing / name) as archive:
                stamps = {info.date_time for info in archive.infolist()}
            assert len(stamps) == 1, name  # one fixed time per container, derived from the data's period
            assert stamps.pop()[3:] in ((0, 0, 0), (8, 0, 0), (15, 0, 0)), name


def test_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, municipality="751")
    with pytest.raises(ValueError):
        generate(tmp_path, first_wave="2025Q1")
    with pytest.raises(ValueError):
        generate(tmp_path, waves=0)
    with pytest.raises(ValueError):
        generate(tmp_path, employees=0)


@pytest.mark.parametrize("employees", [1, 3, 30])
def test_any_number_of_employees_gives_a_full_delivery(tmp_path, employees):
    """The contract's `generate --employees N` exits 0 for any N: a tiny workforce leaves units empty."""
    summary = generate(tmp_path / "landing", employees=employees, waves=2, seed=1, bad_files=True)
    assert {name.split("_")[0] for name in summary.files} >= {"survey", "hr", "training", "benefits", "courses"}


# --- what the contract leaves free, and the scale generator -----------------------------------------

VARIED = Variation.every_freedom()


@pytest.fixture(scope="module")
def varied_run(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("varied")
    generate(
        root / "landing",
        employees=300,
        waves=4,
        seed=5,
        truth=root / "truth",
        training=False,
        benefits=False,
        variation=VARIED,
    )
    return root / "landing", root / "truth"


def test_every_freedom_is_away_from_the_classic_form():
    assert VARIED == Variation(
        flat_employee_ref=False,
        flat_submitted_at=False,
        surveyxact_closetime=False,
        surveyxact_trailing_column=False,
        qualtrics_numeric=True,
        qualtrics_extra_columns=True,
        qualtrics_test_row=True,
    )


def test_classic_variation_is_the_default_form(tmp_path, full_run):
    landing, _, _ = full_run
    generate(tmp_path, employees=400, waves=4, seed=3, variation=Variation())
    everything = snapshot(landing)
    assert all(everything[name] == data for name, data in snapshot(tmp_path).items())


def test_flat_export_without_optional_columns_is_anonymous_in_the_truth(varied_run):
    landing, truth = varied_run
    header, rows = table((landing / "survey_responses_0751_2026H2.csv").read_bytes())
    assert "employee_ref" not in header[0] and "submitted_at" not in header[0]
    assert header[0][:2] == ["respondent_id", "los_id"]
    refs = [r["employee_ref"] for r in read_truth(truth, "responses") if r["wave"] == "2026H2"]
    assert len(refs) == len(rows) and set(refs) == {""}


def test_surveyxact_export_without_close_time(varied_run):
    landing, _ = varied_run
    with zipfile.ZipFile(landing / "survey_responses_0751_2025H1.zip") as archive:
        dataset = decode(archive.read("dataset.csv")).splitlines()[0]
        structure = decode(archive.read("structure.csv")).splitlines()
    assert "closetime" not in dataset and "employee_ref" in dataset
    assert not any("closetime" in line for line in structure)
    assert not structure[0].endswith((";", ",", "\t"))  # no trailing empty column


def test_qualtrics_numeric_export_codes_previews_tests_and_spam(varied_run):
    landing, truth = varied_run
    headers, rows = table((landing / "survey_responses_0751_2025H2.csv").read_bytes(), header_rows=3)
    assert {"IPAddress", "LocationLatitude", "kommentar - Topics", "los_id"} <= set(headers[0])
    assert {r["Status"] for r in rows} == {"0", "1", "2", "8"} and {r["Finished"] for r in rows} == {"0", "1"}
    not_responses = sum(r["Status"] != "0" or r["Finished"] == "0" for r in rows)
    truth_rows = [r for r in read_truth(truth, "responses") if r["wave"] == "2025H2"]
    assert not_responses == sum(r["is_response"] == "0" for r in truth_rows) == 2 + 1 + 1 + 4
    answers = {r["Q01"] for r in rows}
    assert answers <= {"", "1", "2", "3", "4", "5"}


def test_municipalities_can_share_an_org_tree_byte_for_byte(tmp_path):
    generate(tmp_path, municipality="0101", employees=400, waves=2, training=False, benefits=False)
    generate(
        tmp_path,
        municipality="0147",
        employees=250,
        waves=2,
        training=False,
        benefits=False,
        org_like=("0101", 400),
        truth=tmp_path / "truth",
    )
    org_files = sorted(p.name for p in tmp_path.glob("hr_org_units_0147_*"))
    assert org_files
    for name in org_files:
        assert (tmp_path / name).read_bytes() == (tmp_path / name.replace("0147", "0101")).read_bytes()
    units = {r["los_id"] for r in read_truth(tmp_path / "truth", "org_units")}
    assert {r["los_id"] for r in read_truth(tmp_path / "truth", "employees")} <= units


def test_national_scale_plan_covers_every_dialect_and_varies():
    plans = scale_plan("L")
    assert len(plans) == 98 == len({p.kommunekode for p in plans})
    assert sum(p.employees for p in plans) == 500_000 and min(p.employees for p in plans) >= 100
    for wave in (0, 1):
        assert {p.dialects[wave % len(p.dialects)] for p in plans} == {"surveyxact", "qualtrics", "forms", "flat"}
    sharing = [p for p in plans if p.org_like]
    assert 10 < len(sharing) < 60 and all(p.org_like[0] in {q.kommunekode for q in plans} for p in sharing)
    assert len({p.variation for p in plans}) > 10
    assert scale_plan("L") == plans  # seeded
    classic = scale_plan("L", classic=True, dialect="flat")
    assert {p.variation for p in classic} == {Variation()} and not any(p.org_like for p in classic)
    assert {p.dialects for p in classic} == {("flat",)}


def test_scale_writes_one_truth_for_every_municipality(tmp_path):
    plans, files = generate_scale(
        tmp_path / "landing", "S", truth=tmp_path / "truth", training=False, benefits=False, processes=1
    )
    assert [p.kommunekode for p in plans] == ["0751"] and plans[0].employees == 3000
    assert sorted(p.name for p in (tmp_path / "landing").iterdir()) == files
    assert not (tmp_path / "truth" / "_parts").exists()
    assert sorted(r["file_name"] for r in read_truth(tmp_path / "truth", "files")) == files
