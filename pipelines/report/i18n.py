"""The report's words in Danish (the default) and English, and numbers written the way each language writes them."""

from __future__ import annotations

import math

LANGUAGES = ("da", "en")

TEXT: dict[str, dict[str, str]] = {
    "title": {"da": "Digitalisering i {name}", "en": "Digitalisation in {name}"},
    "subtitle_unit": {"da": "Enhed: {unit} og dens underenheder", "en": "Unit: {unit} and its sub-units"},
    "generated": {
        "da": "Bygget fra de publicerede marts (publiceret {published}). Grupper med færre end {min_cell} personer vises ikke.",
        "en": "Built from the published marts (published {published}). Groups of fewer than {min_cell} people are not shown.",
    },
    "contents": {"da": "Indhold", "en": "Contents"},
    "skip": {"da": "Spring til indholdet", "en": "Skip to content"},
    "table": {"da": "Tabellen bag figuren", "en": "The table behind the chart"},
    "suppressed": {"da": "skjult", "en": "hidden"},
    "suppressed_note": {
        "da": "Skraveret/“skjult”: færre end {min_cell} personer, så tallet offentliggøres ikke (det er ikke nul).",
        "en": "Hatched/“hidden”: fewer than {min_cell} people, so the figure is not published (it is not zero).",
    },
    "no_data": {"da": "Ingen data endnu.", "en": "No data yet."},
    "area": {"da": "Kompetenceområde", "en": "Competence area"},
    "area_all": {"da": "Alle områder", "en": "All areas"},
    "unit": {"da": "Enhed", "en": "Unit"},
    "wave": {"da": "Måling", "en": "Wave"},
    "month": {"da": "Måned", "en": "Month"},
    # sections
    "maturity": {"da": "Digital modenhed", "en": "Digital maturity"},
    "training": {"da": "Kompetenceudvikling", "en": "Training"},
    "benefits": {"da": "Gevinstrealisering", "en": "Benefit realisation"},
    "staff_groups": {"da": "Ledere og personalegrupper", "en": "Leaders and staff groups"},
    "benchmark": {"da": "Sammenligning med andre kommuner", "en": "Benchmark against other municipalities"},
    "quality": {"da": "Datakvalitet og aktualitet", "en": "Data quality and freshness"},
    # maturity
    "heatmap": {"da": "Modenhed pr. enhed og område, {wave}", "en": "Maturity by unit and area, {wave}"},
    "heatmap_reading": {
        "da": "Højeste gennemsnit: {best} ({best_value}); laveste: {worst} ({worst_value}) på en skala fra 1 til 5.",
        "en": "Highest mean: {best} ({best_value}); lowest: {worst} ({worst_value}) on a scale of 1 to 5.",
    },
    "trend": {"da": "Udvikling pr. område på tværs af målinger", "en": "Trend per area across waves"},
    "trend_reading": {
        "da": "Samlet modenhed: {first} i {first_wave}, {last} i {last_wave}.",
        "en": "Overall maturity: {first} in {first_wave}, {last} in {last_wave}.",
    },
    "change": {"da": "Ændring siden forrige måling ({wave})", "en": "Change since the previous wave ({wave})"},
    "change_reading": {
        "da": "Størst fremgang i {best} ({best_value}); svagest i {worst} ({worst_value}).",
        "en": "Largest gain in {best} ({best_value}); weakest in {worst} ({worst_value}).",
    },
    "change_none": {
        "da": "Der er ingen tidligere måling at sammenligne med.",
        "en": "There is no earlier wave to compare with.",
    },
    "response": {"da": "Svarprocent pr. enhed, {wave}", "en": "Response rate by unit, {wave}"},
    "response_reading": {
        "da": "{respondents} af {headcount} medarbejdere svarede ({rate}).",
        "en": "{respondents} of {headcount} employees responded ({rate}).",
    },
    "levels": {"da": "Andel basis og avanceret pr. område, {wave}", "en": "Share basic and advanced per area, {wave}"},
    "levels_reading": {
        "da": "Samlet har {basic} et basisniveau (under 2,5) og {advanced} et avanceret niveau (4 eller mere).",
        "en": "Overall {basic} are at a basic level (below 2.5) and {advanced} at an advanced level (4 or more).",
    },
    "basic": {"da": "Basis (< 2,5)", "en": "Basic (< 2.5)"},
    "middle": {"da": "Mellem", "en": "Intermediate"},
    "advanced": {"da": "Avanceret (≥ 4)", "en": "Advanced (≥ 4)"},
    "mean_score": {"da": "Gennemsnit (1-5)", "en": "Mean score (1-5)"},
    "respondents": {"da": "Besvarelser", "en": "Respondents"},
    "headcount": {"da": "Medarbejdere", "en": "Headcount"},
    "response_rate": {"da": "Svarprocent", "en": "Response rate"},
    "share_basic": {"da": "Andel basis", "en": "Share basic"},
    "share_advanced": {"da": "Andel avanceret", "en": "Share advanced"},
    "prev_mean_score": {"da": "Forrige gennemsnit", "en": "Previous mean"},
    "change_col": {"da": "Ændring", "en": "Change"},
    # training
    "monthly": {"da": "Gennemførte kurser og personer pr. måned", "en": "Completions and people trained per month"},
    "monthly_reading": {
        "da": "I alt {completions} gennemførte kurser over {months} måneder; flest i {best} ({best_value}).",
        "en": "{completions} completions in all over {months} months; most in {best} ({best_value}).",
    },
    "completions": {"da": "Gennemførte kurser", "en": "Completions"},
    "people_trained": {"da": "Personer", "en": "People trained"},
    "hours_fte": {"da": "Uddannelsestimer pr. årsværk", "en": "Training hours per FTE"},
    "hours_fte_reading": {
        "da": "Seneste måned ({month}): {value} timer pr. årsværk.",
        "en": "Latest month ({month}): {value} hours per FTE.",
    },
    "hours_per_fte": {"da": "Timer pr. årsværk", "en": "Hours per FTE"},
    "training_hours": {"da": "Timer", "en": "Hours"},
    "fte": {"da": "Årsværk", "en": "FTE"},
    "coverage": {"da": "12-måneders dækning pr. enhed, {month}", "en": "12-month coverage by unit, {month}"},
    "coverage_reading": {
        "da": "{value} af medarbejderne har gennemført mindst ét kursus de seneste 12 måneder.",
        "en": "{value} of employees completed at least one course in the last 12 months.",
    },
    "coverage_12m": {"da": "Dækning 12 mdr.", "en": "Coverage 12 months"},
    "after": {"da": "Uddannelse efter modenhedsmåling ({wave})", "en": "Training after the maturity survey ({wave})"},
    "after_reading": {
        "da": "Af respondenterne med basisniveau fik {basic} et kursus i området inden for 6 måneder, mod {all} af alle.",
        "en": "Of respondents at a basic level, {basic} took a course in the area within 6 months, against {all} of all.",
    },
    "after_incomplete": {
        "da": "Opfølgningsperioden er ikke fuldt leveret endnu ({months} af 6 måneder).",
        "en": "The follow-up period is not fully delivered yet ({months} of 6 months).",
    },
    "share_basic_trained_6m": {"da": "Basis: andel med kursus", "en": "Basic: share trained"},
    "share_trained_6m": {"da": "Alle: andel med kursus", "en": "All: share trained"},
    "linked_respondents": {"da": "Koblede respondenter", "en": "Linked respondents"},
    "basic_respondents": {"da": "Heraf basis", "en": "Of these basic"},
    # benefits
    "trajectory": {"da": "Realiseret mod planlagt pr. initiativ", "en": "Realised against planned per initiative"},
    "trajectory_reading": {
        "da": "{on_track} af {total} initiativer har realiseret mindst 90 % af det planlagte pr. {month}.",
        "en": "{on_track} of {total} initiatives have realised at least 90 % of plan by {month}.",
    },
    "trajectory_more": {
        "da": "Figuren viser de første {shown} af {total} initiativer; tabellen viser dem alle.",
        "en": "The chart shows the first {shown} of {total} initiatives; the table shows them all.",
    },
    "initiative": {"da": "Initiativ", "en": "Initiative"},
    "planned": {"da": "Planlagt", "en": "Planned"},
    "realised": {"da": "Realiseret", "en": "Realised"},
    "target": {"da": "Mål", "en": "Target"},
    "benefit_unit": {"da": "Enhed", "en": "Unit"},
    "benefit_type": {"da": "Gevinsttype", "en": "Benefit type"},
    "status_changes": {
        "da": "Status og ændringer siden forrige register ({date})",
        "en": "Status and changes since the previous register ({date})",
    },
    "status_reading": {
        "da": "{changed} af {total} gevinster har skiftet status siden registeret {previous}.",
        "en": "{changed} of {total} benefits changed status since the register of {previous}.",
    },
    "status_first": {"da": "Første register: ingen tidligere status.", "en": "First register: no earlier status."},
    "benefit": {"da": "Gevinst", "en": "Benefit"},
    "previous_status": {"da": "Forrige status", "en": "Previous status"},
    "status": {"da": "Status", "en": "Status"},
    "realisation_pct": {"da": "Realiseret af mål", "en": "Realised of target"},
    "sektor_totals": {"da": "Gevinster pr. sektor, {month}", "en": "Benefits per sector, {month}"},
    "sektor_reading": {
        "da": "I alt realiseret {dkk} kr. af et mål på {dkk_target} kr. og {hours} timer af {hours_target} timer.",
        "en": "Realised in all DKK {dkk} of a DKK {dkk_target} target and {hours} of {hours_target} hours.",
    },
    "sektor": {"da": "Sektor", "en": "Sector"},
    # staff groups
    "groups": {"da": "Modenhed pr. personalegruppe, {wave}", "en": "Maturity by staff group, {wave}"},
    "groups_reading": {
        "da": "Ledere: {leaders}; hele enheden: {unit_value}. {ungrouped} besvarelser kunne ikke knyttes til en personalegruppe.",
        "en": "Leaders: {leaders}; the whole unit: {unit_value}. {ungrouped} responses could not be linked to a staff group.",
    },
    "groups_training": {
        "da": "12-måneders dækning pr. personalegruppe, {month}",
        "en": "12-month coverage by staff group, {month}",
    },
    "groups_training_reading": {
        "da": "Ledere: {leaders}; hele enheden: {unit_value}. {ungrouped} medarbejdere har ingen personalegruppe i HR-udtrækket.",
        "en": "Leaders: {leaders}; the whole unit: {unit_value}. {ungrouped} employees have no staff group in the HR extract.",
    },
    "people_trained_12m": {"da": "Uddannet 12 mdr.", "en": "Trained 12 months"},
    "unit_headcount": {"da": "Medarbejdere i hele enheden", "en": "Headcount, whole unit"},
    "personalekategori": {"da": "Personalegruppe", "en": "Staff group"},
    "ungrouped": {"da": "Uden personalegruppe", "en": "Without staff group"},
    "whole_unit": {"da": "Hele enheden", "en": "Whole unit"},
    # benchmark
    "bench": {"da": "Modenhed mod alle kommuner, {period}", "en": "Maturity against all municipalities, {period}"},
    "bench_training": {
        "da": "12-måneders dækning mod alle kommuner, {period}",
        "en": "12-month coverage against all municipalities, {period}",
    },
    "bench_benefits": {
        "da": "Gevinstrealisering mod alle kommuner, {period}",
        "en": "Benefit realisation against all municipalities, {period}",
    },
    "bench_reading": {
        "da": "Sammenlignet med {n} kommuner: {above} af {total} figurer ligger over medianen.",
        "en": "Compared with {n} municipalities: {above} of {total} figures lie above the median.",
    },
    "bench_single": {
        "da": "Lageret rummer kun én kommune: der er intet at sammenligne med.",
        "en": "The warehouse holds one municipality only: there is nothing to compare with.",
    },
    "this_municipality": {"da": "Denne kommune", "en": "This municipality"},
    "measure": {"da": "Mål", "en": "Measure"},
    "dimension": {"da": "Område", "en": "Dimension"},
    "value": {"da": "Værdi", "en": "Value"},
    "municipalities": {"da": "Kommuner", "en": "Municipalities"},
    "median": {"da": "Median", "en": "Median"},
    "p25": {"da": "1. kvartil", "en": "1st quartile"},
    "p75": {"da": "3. kvartil", "en": "3rd quartile"},
    "rank_desc": {"da": "Placering", "en": "Rank"},
    # quality
    "files": {"da": "Filer modtaget pr. kilde", "en": "Files received per source"},
    "files_reading": {
        "da": "{accepted} filer accepteret, {quarantined} i karantæne, {duplicate} dubletter.",
        "en": "{accepted} files accepted, {quarantined} quarantined, {duplicate} duplicates.",
    },
    "source": {"da": "Kilde", "en": "Source"},
    "accepted": {"da": "Accepteret", "en": "Accepted"},
    "quarantined": {"da": "Karantæne", "en": "Quarantined"},
    "duplicate": {"da": "Dublet", "en": "Duplicate"},
    "withdrawn": {"da": "Trukket tilbage", "en": "Withdrawn"},
    "quarantine_table": {"da": "Filer i karantæne og hvorfor", "en": "Quarantined files and why"},
    "file": {"da": "Fil", "en": "File"},
    "reason": {"da": "Årsag", "en": "Reason"},
    "none_quarantined": {"da": "Ingen filer i karantæne.", "en": "No quarantined files."},
    "dq_checks": {"da": "Ukoblede, uplacerede og fravalgte poster", "en": "Unlinked, unplaced and set-aside records"},
    "dq_reading": {
        "da": "{issues} kontroller fandt i alt {records} poster, der blev talt, men ikke koblet, placeret eller brugt.",
        "en": "{issues} checks found {records} records in all that were counted but not linked, placed or used.",
    },
    "check": {"da": "Kontrol", "en": "Check"},
    "period": {"da": "Periode", "en": "Period"},
    "issue_count": {"da": "Antal", "en": "Count"},
    "out_of": {"da": "Ud af", "en": "Out of"},
    "description": {"da": "Betydning", "en": "Meaning"},
    "freshness": {"da": "Hvornår hver mart sidst blev bygget", "en": "When each mart was last built"},
    "mart": {"da": "Mart", "en": "Mart"},
    "built": {"da": "Bygget (UTC)", "en": "Built (UTC)"},
    "rows": {"da": "Rækker", "en": "Rows"},
}

STATUS_WORDS = {
    "realised": {"da": "realiseret", "en": "realised"},
    "on_track": {"da": "på sporet", "en": "on track"},
    "at_risk": {"da": "i risiko", "en": "at risk"},
    "behind": {"da": "bagud", "en": "behind"},
    "stopped": {"da": "stoppet", "en": "stopped"},
    "new": {"da": "ny", "en": "new"},
}

AREA_NAMES = {
    "1": {"da": "1 Information og data", "en": "1 Information and data"},
    "2": {"da": "2 Kommunikation og samarbejde", "en": "2 Communication and collaboration"},
    "3": {"da": "3 Digitalt indhold", "en": "3 Digital content"},
    "4": {"da": "4 Sikkerhed", "en": "4 Safety"},
    "5": {"da": "5 Problemløsning", "en": "5 Problem solving"},
    "all": {"da": "Alle områder", "en": "All areas"},
}


class Words:
    """The words and number forms of one language."""

    def __init__(self, lang: str):
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
        self.lang = lang

    def __call__(self, key: str, **values) -> str:
        text = TEXT[key][self.lang]
        return text.format(**values) if values else text

    def area(self, code: str) -> str:
        return AREA_NAMES.get(str(code), {}).get(self.lang, str(code))

    def status(self, code: str | None) -> str:
        if code is None:
            return "–"
        return STATUS_WORDS.get(code, {}).get(self.lang, code)

    def number(self, value, decimals: int = 0) -> str:
        """1234.5 -> '1.234,5' (da) or '1,234.5' (en); a missing value -> '–'."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        text = f"{float(value):,.{decimals}f}"
        if self.lang == "da":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text.replace("-", "−")

    def percent(self, share, decimals: int = 0) -> str:
        if share is None or (isinstance(share, float) and math.isnan(share)):
            return "–"
        return f"{self.number(float(share) * 100, decimals)} %"

    def signed(self, value, decimals: int = 2) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        return ("+" if value > 0 else "") + self.number(value, decimals)


def parse_number(text: str, lang: str) -> float | None:
    """The inverse of Words.number/percent/signed (for tests and anyone reading the tables back)."""
    text = text.strip().replace("\u2212", "-").replace("+", "").replace(" %", "").replace("%", "").strip()
    if text in ("", "–"):
        return None
    if lang == "da":
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    return float(text)
