"""A large delivery is parsed in worker processes (pipelines/parsing.py): what becomes of every file —
staged rows and their pseudonyms, the quarantine and its reason, a file waiting for another — is the
same as when the files are parsed one by one in the run's own process."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor

import pandas as pd
import pytest

from pipelines import ingest, parsing
from pipelines.ingest import Pipeline, loaded_sources
from pipelines.settings import Settings

EMPLOYEES_HEADER = "cpr;medarbejdernr;navn;email;los_id;stillingsbetegnelse;personalekategori;beskaeftigelsesgrad;ansat_fra;ansat_til\n"
ROWS = {
    "0751": [
        "010190-1234;1001;Jens Hansen;jens@aarhus.dk;1;Pædagog;PÆD;1;01-01-2020;",
        "020285-2345;1002;Mette Holm;Mette.Holm@aarhus.dk;2;Sygeplejerske;SUN;0,8;15-03-2021;",
    ],
    "0101": [
        "030370-3456;77;Ole Berg;ole@kk.dk;10;Socialrådgiver;SOC;1;01-06-2019;",
        "040475-4567;78;Anne Lund;anne@kk.dk;11;Pædagog;PÆD;0,5;01-09-2022;",
    ],
}
# a survey export whose item catalogue has not arrived: it waits in landing/
WAITING = "survey_responses_0101_2025H1.csv"
WAITING_TEXT = "respondent_id;medarbejdernr;submitted_at;Q1\nr1;77;2025-05-01;4\n"
BROKEN = "hr_employees_0101_2025-07.csv"  # not a CSV at all
ORG_TREE = (
    "los_id;parent_los_id;enhedsnavn;enhedstype;sektor;gyldig_fra;gyldig_til\n"
    "1;;Kommunen;Kommune;Alle;01-01-2020;\n"
    "2;1;Børn og Unge;Forvaltning;Dagtilbud;01-01-2020;\n"
)


def _deliver(landing) -> None:
    landing.mkdir(parents=True, exist_ok=True)
    for kommunekode, rows in ROWS.items():
        for month in ("2025-05", "2025-06"):
            text = EMPLOYEES_HEADER + "\n".join(rows) + "\n"
            (landing / f"hr_employees_{kommunekode}_{month}.csv").write_text(text, encoding="utf-8")
    for kommunekode in ROWS:  # a second source from both municipalities: parsed by the same workers
        (landing / f"hr_org_units_{kommunekode}_2025-06.csv").write_text(ORG_TREE, encoding="utf-8")
    (landing / BROKEN).write_bytes(b"\x00\x01\x02PK\x03\x04 not a table \xff\xfe" * 20)
    (landing / WAITING).write_text(WAITING_TEXT, encoding="utf-8")


def _parse_everything(home, monkeypatch, in_workers: bool) -> dict:
    monkeypatch.setenv("DIGILEAD_HOME", str(home))
    monkeypatch.setenv("DIGILEAD_SETTLE_SECONDS", "0")
    # the pool is used for a large delivery on more than one core: make this small one large
    monkeypatch.setattr(parsing, "POOL_MIN_BYTES", 0 if in_workers else 10**12)
    monkeypatch.setattr(parsing, "usable_cores", lambda: 2)
    pools = []

    class CountedPool(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(args[0])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(parsing, "ProcessPoolExecutor", CountedPool)
    # while workers parse, the run's process prepares the validation: here, it counts the calls
    monkeypatch.setattr(ingest, "prepare_in_background", lambda: pools.append("validation prepared"))
    pipeline = Pipeline(Settings.from_env())
    _deliver(pipeline.settings.landing)
    _, pending = pipeline.triage()
    with parsing.keep_workers():  # as `digilead run` ingests: workers, once started, serve every source
        steps = {spec.name: pipeline.stage(spec, pending.get(spec.name, [])) for spec in loaded_sources()}
    staged = {}
    for folder in sorted(pipeline.settings.staging.iterdir()):
        manifest = json.loads((folder / "manifest.json").read_text())
        frame = pd.read_parquet(folder / "hr_employees.parquet") if (folder / "hr_employees.parquet").exists() else None
        staged[manifest["file_name"]] = (manifest["rows_read"], None if frame is None else frame.to_dict("list"))
    reasons = {
        path.name: json.loads(path.read_text())["summary"]
        for path in pipeline.settings.quarantine.glob("*.reason.json")
    }
    return pools, {
        "staged": sorted(name for step in steps.values() for name in step.staged),
        "waiting": sorted(name for step in steps.values() for name in step.waiting),
        "quarantined": sorted(name for step in steps.values() for name in step.quarantined),
        "rows": sum(step.rows for step in steps.values()),
        "staged_files": staged,
        "reasons": reasons,
    }


@pytest.fixture(scope="module")
def both(tmp_path_factory, pseudonym_key):
    """The same delivery parsed in the run's process and in workers (once for this module's tests)."""
    root = tmp_path_factory.mktemp("parsing")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv("DIGILEAD_WAREHOUSE", raising=False)
        monkeypatch.setenv("DIGILEAD_PSEUDONYM_KEY", pseudonym_key)
        monkeypatch.setenv("DIGILEAD_MIN_CELL", "5")
        pools_alone, alone = _parse_everything(root / "one_process", monkeypatch, in_workers=False)
        pools, in_workers = _parse_everything(root / "workers", monkeypatch, in_workers=True)
    assert pools_alone == []
    # one pool of two workers for the HR extracts and org trees of two municipalities; meanwhile, each time, the
    # validation prepared
    assert pools == [2, "validation prepared", "validation prepared"]
    return alone, in_workers


def test_workers_stage_what_one_process_stages(both):
    alone, in_workers = both
    assert alone["staged"] == [
        *(f"hr_employees_{k}_{m}.csv" for k in ("0101", "0751") for m in ("2025-05", "2025-06")),
        "hr_org_units_0101_2025-06.csv",
        "hr_org_units_0751_2025-06.csv",
    ]
    assert alone["rows"] == 8 + 2 * 2
    assert in_workers == alone


def test_workers_key_people_as_one_process_does(both):
    alone, in_workers = both
    frame = pd.DataFrame(in_workers["staged_files"]["hr_employees_0751_2025-06.csv"][1])
    # pseudonyms only: no CPR, name or e-mail left the parser, and a person has the same key every month
    assert not frame.astype(str).apply(lambda column: column.str.contains("Hansen|aarhus.dk|010190")).any().any()
    may = pd.DataFrame(in_workers["staged_files"]["hr_employees_0751_2025-05.csv"][1])
    assert sorted(frame["person_key"]) == sorted(may["person_key"])
    assert in_workers["staged_files"] == alone["staged_files"]


def test_a_broken_file_is_quarantined_and_a_waiting_one_stays_whichever_process_parses_it(both):
    for outcome in both:
        assert outcome["quarantined"] == [BROKEN]
        assert outcome["reasons"][f"{BROKEN}.reason.json"].startswith(f"{BROKEN}: could not be read")
        assert outcome["waiting"] == [WAITING]


def test_a_delivery_large_in_bytes_or_in_files_is_parsed_in_workers(tmp_path):
    from pipelines.sources.registry import detect

    def jobs(municipalities: int, files_each: int, size: int) -> list[parsing.ParseJob]:
        made = []
        for number in range(municipalities):
            for month in range(files_each):
                name = f"hr_org_units_{101 + number:04d}_{2000 + month // 12}-{month % 12 + 1:02d}.csv"
                made.append(
                    parsing.ParseJob(
                        source="hr_org_units",
                        path=tmp_path / name,
                        name=name,
                        fingerprint=name,
                        file_name=detect(name)[1],
                        needed=None,
                        staging=tmp_path,
                        size=size,
                    )
                )
        return made

    # a year of 98 municipalities' org trees: small files, but many of them
    assert parsing.parse_workers(jobs(98, 12, 20_000), cores=2) == 2
    # one month of them: little work, not worth starting processes
    assert parsing.parse_workers(jobs(98, 1, 20_000), cores=2) == 1
    # few files, but large ones
    assert parsing.parse_workers(jobs(3, 1, 20_000_000), cores=2) == 2
    # a worker takes all of a municipality's files: one municipality is parsed in this process
    assert parsing.parse_workers(jobs(1, 300, 20_000_000), cores=2) == 1
    assert parsing.parse_workers(jobs(98, 12, 20_000_000), cores=1) == 1
    assert parsing.parse_workers(jobs(98, 12, 20_000_000), cores=8) == 8
    # workers kept from an earlier delivery cost nothing to start: a small delivery of several municipalities uses them
    assert parsing.parse_workers(jobs(98, 1, 20_000), cores=2, running=True) == 2
    assert parsing.parse_workers(jobs(1, 1, 20_000), cores=2, running=True) == 1


def test_workers_kept_serve_the_next_deliveries_and_stop_with_the_block(monkeypatch):
    """Within keep_workers() one pool serves every delivery keyed with the same key; a pool whose use failed is
    not kept; outside the block each delivery's pool stops after it."""
    from pipelines.privacy import Pseudonymiser

    started, stopped = [], []

    class FakePool:
        def __init__(self, workers, **_):
            started.append(self)

        def shutdown(self, cancel_futures=False):
            stopped.append(self)

    monkeypatch.setattr(parsing, "ProcessPoolExecutor", FakePool)
    key, other_key = Pseudonymiser.from_secret("k"), Pseudonymiser.from_secret("other")
    with parsing._workers(2, key) as alone:
        pass
    assert stopped == [alone]  # not kept outside the block
    with parsing.keep_workers():
        with parsing._workers(2, key) as first:
            pass
        with parsing._workers(2, Pseudonymiser.from_secret("k")) as second:
            pass
        assert second is first and stopped == [alone]
        with parsing._workers(2, other_key) as third:  # another key: the kept workers key with the old one
            pass
        assert third is not first and stopped == [alone, first]
        with pytest.raises(RuntimeError), parsing._workers(2, other_key) as failing:
            raise RuntimeError("a worker died")
        assert failing is third and stopped == [alone, first, third]
        with parsing._workers(2, other_key) as fresh:
            pass
        assert fresh is not third
    assert stopped == [alone, first, third, fresh] and len(started) == 4


def test_the_validation_prepared_in_the_background_is_the_one_validation_uses():
    """Prepared in a thread while the validation step already asks for it: one context, made once."""
    import threading
    from functools import lru_cache

    from pipelines.validation import runner

    made = []
    entered = threading.Event()

    @lru_cache(maxsize=1)
    def new_context():
        made.append(threading.current_thread().name)
        entered.set()
        threading.Event().wait(0.2)  # still making it when the validation asks
        return object()

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(runner, "_new_context", new_context)
        runner.prepare_in_background()
        assert entered.wait(10)
        asked = runner._context()  # waits for the thread's context instead of making a second one
        assert runner._context() is asked
    assert made == ["digilead-validation-warm-up"]
