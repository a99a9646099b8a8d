"""Bad deliveries (bad_files=True): one file per way a landing file can be wrong.

Each has a name that matches a contract pattern (except the unknown name), so only its content
shows what is wrong, and a period no good file uses, so quarantining it changes no mart:
HR extracts before the first month or after the last, survey responses under a wave's unused
extension (or a later wave), org units in a month without an org file, benefits before the first
snapshot. Nothing here draws from the good files' random streams."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime

from .formats import CsvStyle, csv_bytes, fixed_zip
from .landing_file import DUPLICATE, HR_EMPLOYEE_COLUMNS, ORG_UNIT_COLUMNS, QUARANTINED, LandingFile
from .org import OrgPlan
from .people import Workforce
from .periods import Month, shift_wave
from .survey_dialects import surveyxact_zip
from .surveys import SurveyWave

BOMB_CHUNK = 1 << 20
BOMB_CHUNKS = 2100  # 2100 MiB > the 2 GiB limit


@dataclass
class BadFileContext:
    kommunekode: str
    months: list[Month]
    waves: list[SurveyWave]
    org: OrgPlan
    workforce: Workforce
    good_files: list[LandingFile]
    benefit_dates: list[date]
    when: datetime  # fixed time for containers


def bad_files(rng: random.Random, ctx: BadFileContext) -> list[LandingFile]:
    k = ctx.kommunekode
    first, last = ctx.months[0], ctx.months[-1]
    files = [
        LandingFile(
            f"hr_employees_{k}_{first.plus(-1)}.csv",
            _garbage(rng),
            "hr_employees",
            QUARANTINED,
            "binary garbage (random bytes with NULs), not a CSV",
        ),
        LandingFile(
            f"hr_employees_{k}_{first.plus(-2)}.csv",
            _code_page_850_extract(ctx),
            "hr_employees",
            QUARANTINED,
            "DOS code page 850 text: bytes 0x8F/0x9D (Å/Ø) are invalid in UTF-8 and undefined in Windows-1252",
        ),
        LandingFile(f"hr_employees_{k}_{last.plus(1)}.csv", b"", "hr_employees", QUARANTINED, "empty file (0 bytes)"),
        LandingFile(
            f"loenudtraek_{k}.csv",
            _payroll_lines(ctx),
            "unknown",
            QUARANTINED,
            "name matches no source in the contract",
        ),
        _cycle_org_file(ctx),
        _duplicate(ctx),
        _out_of_range_responses(ctx),
    ]
    zip_slots = _free_zip_slots(ctx)
    files.append(
        LandingFile(
            f"survey_responses_{k}_{zip_slots[0]}.zip",
            _truncated_zip(ctx, zip_slots[0]),
            "survey_responses",
            QUARANTINED,
            "ZIP cut off at 55 % (no central directory)",
        )
    )
    files.append(
        LandingFile(
            f"survey_responses_{k}_{zip_slots[1]}.zip",
            _path_traversal_zip(ctx),
            "survey_responses",
            QUARANTINED,
            "ZIP member named ../evil.csv (path traversal)",
        )
    )
    files.append(
        LandingFile(
            f"survey_responses_{k}_{zip_slots[2]}.zip",
            zip_bomb(),
            "survey_responses",
            QUARANTINED,
            f"ZIP bomb: dataset.csv inflates to {BOMB_CHUNK * BOMB_CHUNKS:,} bytes (> 2 GiB, ratio ~1000:1)",
        )
    )
    files.append(_renamed_csv(ctx))
    return files


def _garbage(rng: random.Random) -> bytes:
    noise = bytearray(rng.getrandbits(8) for _ in range(4096))
    noise[0:4] = b"\x00\x81\xfe\x00"  # certainly neither text encoding
    return bytes(noise)


def _code_page_850_extract(ctx: BadFileContext) -> bytes:
    """An HR extract from an old payroll system that still writes code page 850."""
    style = CsvStyle(encoding="cp850", delimiter=";", line_end="\r\n")
    month = ctx.months[0]
    rows = [
        [
            "010175-1234",
            "199001",
            "Åse Østergaard",
            "aase.oestergaard@example.dk",
            ctx.org.root.los_id,
            "Konsulent",
            "Akademikere",
            "1",
            "01-01-2010",
            "",
        ]
    ]
    for e in ctx.workforce.snapshot(month)[:60]:
        rows.append(
            [
                e.cpr,
                e.medarbejdernr,
                e.navn,
                e.email,
                e.los_id_at(month),
                e.stillingsbetegnelse,
                e.personalekategori,
                style.number(e.beskaeftigelsesgrad),
                style.date(e.ansat_fra),
                style.date(e.ansat_til_shown(month)),
            ]
        )
    data = csv_bytes(HR_EMPLOYEE_COLUMNS, rows, style)
    assert any(b in data for b in (b"\x8f", b"\x9d")), "the extract must hold bytes Windows-1252 leaves undefined"
    return data


def _payroll_lines(ctx: BadFileContext) -> bytes:
    rows = [
        [e.medarbejdernr, "0101", "Månedsløn", f"{30000 + int(e.medarbejdernr) % 9000},00"]
        for e in ctx.workforce.employees[:25]
    ]
    return csv_bytes(["medarbejdernr", "loenart", "tekst", "beloeb"], rows, CsvStyle())


def _cycle_org_file(ctx: BadFileContext) -> LandingFile:
    free = [m for m in ctx.months[1:] if m not in ctx.org.snapshots and m not in (ctx.months[-1],)]
    month = free[1] if len(free) > 1 else (free[0] if free else ctx.months[0].plus(-3))
    units = list(ctx.org.tree_at(month))
    departments = [u for u in units if u.enhedstype == "Afdeling"][:2]
    a, b = departments
    rows = []
    for u in units:
        parent = {a.los_id: b.los_id, b.los_id: a.los_id}.get(u.los_id, u.parent_los_id)
        rows.append(
            [
                u.los_id,
                parent or "",
                u.enhedsnavn,
                u.enhedstype,
                u.sektor,
                u.gyldig_fra.isoformat(),
                u.gyldig_til.isoformat() if u.gyldig_til else "",
            ]
        )
    data = csv_bytes(ORG_UNIT_COLUMNS, rows, CsvStyle())
    return LandingFile(
        f"hr_org_units_{ctx.kommunekode}_{month}.csv",
        data,
        "hr_org_units",
        QUARANTINED,
        f"cycle in the tree: {a.los_id} and {b.los_id} are each other's parent",
    )


def _duplicate(ctx: BadFileContext) -> LandingFile:
    """The same bytes re-delivered for the same source, municipality and period, under another name.

    A file means its name and its bytes: the same bytes for another month or municipality would be
    that month's or municipality's delivery. Landing names are unique regardless of case, so the copy
    takes the source's other extension (same delivery, a name sorting after the original's)."""
    other_extension = {"training": ".jsonl", "survey_responses": ".xlsx"}
    taken = {f.name.lower() for f in ctx.good_files}

    def copy_name(f: LandingFile) -> str:
        return f.name[: -len(".csv")] + other_extension[f.source]

    original = next(
        f
        for f in ctx.good_files
        if f.source in other_extension and f.name.endswith(".csv") and copy_name(f).lower() not in taken
    )
    return LandingFile(
        copy_name(original),
        original.data,
        original.source,
        DUPLICATE,
        f"same bytes as {original.name} (re-delivered for the same municipality and period under another extension)",
    )


def _out_of_range_responses(ctx: BadFileContext) -> LandingFile:
    """A flat responses file for the first wave (its catalogue exists) with answers outside the scale."""
    wave = ctx.waves[0]
    item_ids = [i.item_id for i in wave.items]
    rows = []
    for number, r in enumerate([r for r in wave.responses if r.is_response][:40], start=1):
        cells = ["" if r.answers[i] is None else str(r.answers[i]) for i in item_ids]
        if number % 4 == 1:
            cells[number % len(cells)] = "7" if number % 8 == 1 else "Måske"
        rows.append([f"X{number:04d}", r.employee_ref, r.los_id, r.submitted_at.strftime("%Y-%m-%d %H:%M:%S"), *cells])
    data = csv_bytes(
        ["respondent_id", "employee_ref", "los_id", "submitted_at", *item_ids], rows, CsvStyle(encoding="utf-8")
    )
    return LandingFile(
        f"survey_responses_{ctx.kommunekode}_{wave.wave}.csv",
        data,
        "survey_responses",
        QUARANTINED,
        "answers outside the scale: 7 and 'Måske'",
    )


def _free_zip_slots(ctx: BadFileContext) -> list[str]:
    """Waves whose good responses file is not a .zip (their catalogue exists), then later waves."""
    slots = [w.wave for w in ctx.waves if w.dialect != "surveyxact"]
    slots += [shift_wave(ctx.waves[-1].wave, n) for n in range(1, 4)]
    return slots[:3]


def _wave_or_first(ctx: BadFileContext, label: str) -> SurveyWave:
    return next((w for w in ctx.waves if w.wave == label), ctx.waves[0])


def _truncated_zip(ctx: BadFileContext, label: str) -> bytes:
    whole, _ = surveyxact_zip(_wave_or_first(ctx, label), 1, ctx.when)
    return whole[: len(whole) * 55 // 100]


def _path_traversal_zip(ctx: BadFileContext) -> bytes:
    whole, _ = surveyxact_zip(ctx.waves[0], 0, ctx.when)
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        members = [(name, archive.read(name)) for name in archive.namelist()]
    members.append(("../evil.csv", b"los_id;note\r\n1;this file tried to escape the extraction folder\r\n"))
    return fixed_zip(members, ctx.when)


def _renamed_csv(ctx: BadFileContext) -> LandingFile:
    text = b"initiative_id;navn;sektor;los_id;start_dato;slut_dato;status;investering_dkk\r\nINI-900;Gammelt register;Administration;1;01-01-2024;;igang;100.000,00\r\n"
    if ctx.benefit_dates:
        day = Month.of(ctx.benefit_dates[0]).plus(-1).last_day
        return LandingFile(
            f"benefits_{ctx.kommunekode}_{day.isoformat()}.xlsx",
            text,
            "benefits",
            QUARANTINED,
            "a CSV file renamed to .xlsx (not a ZIP/Office file)",
        )
    return LandingFile(
        f"survey_responses_{ctx.kommunekode}_{ctx.waves[0].wave}.xlsx",
        text,
        "survey_responses",
        QUARANTINED,
        "a CSV file renamed to .xlsx (not a ZIP/Office file)",
    )


# --- a cheap ZIP bomb --------------------------------------------------------------------------


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """zlib's crc32_combine: the CRC of A+B from crc(A), crc(B) and len(B), without reading B."""
    if length2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _gf2_square(even)
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def repeated_crc32(chunk: bytes, times: int) -> int:
    """CRC-32 of chunk * times in O(log times) (reading 2 GiB of zeros would take seconds)."""
    result, result_length = 0, 0
    power, power_length = zlib.crc32(chunk), len(chunk)
    while times:
        if times & 1:
            result = crc32_combine(result, power, power_length) if result_length else power
            result_length += power_length
        times >>= 1
        if times:
            power = crc32_combine(power, power, power_length)
            power_length *= 2
    return result


def repeated_deflate(chunk: bytes, times: int) -> bytes:
    """Raw deflate of chunk * times: after a full flush the compressor restarts from scratch, so one
    compressed chunk can be repeated instead of compressing gigabytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "zlib did not restart after a full flush"
    return block * times + compressor.flush(zlib.Z_FINISH)


def zip_bomb(member: str = "dataset.csv", chunk_size: int = BOMB_CHUNK, chunks: int = BOMB_CHUNKS) -> bytes:
    chunk = bytes(chunk_size)
    data = repeated_deflate(chunk, chunks)
    crc, size, name = repeated_crc32(chunk, chunks), chunk_size * chunks, member.encode()
    dos_time, dos_date = 0, (2025 - 1980) << 9 | 1 << 5 | 1
    local = (
        struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, dos_time, dos_date, crc, len(data), size, len(name), 0) + name
    )
    central = (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            dos_time,
            dos_date,
            crc,
            len(data),
            size,
            len(name),
            0,
            0,
            0,
            0,
            0o644 << 16,
            0,
        )
        + name
    )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    return local + data + central + end
