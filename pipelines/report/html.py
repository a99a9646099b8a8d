"""The report's HTML: one self-contained page (inline CSS, one small inline script, inline SVG charts).

Tables carry what a reader (or a test) needs to trace each figure to its mart: the table's
`data-mart`, every row's key (`data-key`, JSON) and every cell's `data-column`; a hidden value
(suppressed: too few people) is written as a word, never a number.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from html import escape

CSS = """
:root { --ink: #1b1b1b; --muted: #555; --line: #d0d0d0; --accent: #0072B2; --bg-soft: #f5f7fa; }
* { box-sizing: border-box; }
body { font-family: system-ui, "Segoe UI", "DejaVu Sans", Arial, sans-serif; color: var(--ink); margin: 0;
       line-height: 1.45; background: #fff; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5em; }
.skip:focus { left: .5em; z-index: 10; }
header.top { background: #0b3954; color: #fff; padding: 1.4em 2em 1.1em; }
header.top h1 { margin: 0 0 .2em; font-size: 1.7em; }
header.top p { margin: .15em 0; color: #dbe7f0; }
nav.toc { background: var(--bg-soft); border-bottom: 1px solid var(--line); padding: .6em 2em; }
nav.toc ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .4em 1.4em; }
nav.toc a { color: var(--accent); }
main { max-width: 62em; margin: 0 auto; padding: 1em 2em 3em; }
section.part { margin-top: 1.6em; }
section.part > h2 { border-bottom: 3px solid var(--accent); padding-bottom: .2em; font-size: 1.35em; }
figure.chart-block { margin: 1.2em 0 1.8em; padding: 1em 1.2em; border: 1px solid var(--line); border-radius: 6px;
       break-inside: avoid; page-break-inside: avoid; }
figure.chart-block h3 { margin: 0 0 .3em; font-size: 1.08em; }
p.reading { margin: .2em 0 .6em; font-weight: 600; }
p.note { color: var(--muted); font-size: .9em; margin: .3em 0; }
svg.chart { width: 100%; height: auto; display: block; }
details { margin-top: .6em; }
summary { cursor: pointer; color: var(--accent); font-weight: 600; }
summary:focus-visible, a:focus-visible { outline: 3px solid #E69F00; outline-offset: 2px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: .5em 0; font-size: .86em; min-width: 50%; }
caption { text-align: left; font-weight: 600; padding: .3em 0; }
th, td { border-bottom: 1px solid var(--line); padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.hidden-value { color: var(--muted); font-style: italic;
       background: repeating-linear-gradient(45deg, #fff, #fff 4px, #eee 4px, #eee 8px); }
.empty { color: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: .85em; border-top: 1px solid var(--line); padding: 1em 2em; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10pt; }
  header.top { background: none; color: #000; padding: 0 0 .5em; border-bottom: 2px solid #000; }
  header.top p { color: #333; }
  nav.toc, .skip { display: none; }
  main { max-width: none; padding: 0; }
  section.part { break-before: page; }
  section.part:first-of-type { break-before: auto; }
  figure.chart-block { border: none; padding: 0; }
  summary { color: #000; }
  a { color: #000; text-decoration: none; }
}
"""

# Opens every table for printing (a closed <details> would print closed) and marks the page as drawn once every
# chart has a size, which headless checks read.
SCRIPT = """
(function () {
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.setAttribute('open', ''); });
  });
  var charts = document.querySelectorAll('svg.chart');
  var drawn = 0;
  charts.forEach(function (svg) { var box = svg.getBoundingClientRect(); if (box.width > 0 && box.height > 0) { drawn += 1; } });
  document.documentElement.setAttribute('data-charts-drawn', drawn + '/' + charts.length);
})();
"""


def json_value(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime) and value.tzinfo is None and value.time() == time(0):
        return value.date().isoformat()  # a DATE column (pandas reads dates as midnight timestamps)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


@dataclass
class Column:
    name: str  # the mart's column (data-column)
    heading: str
    format: Callable[[object], str] = str
    numeric: bool = False
    raw: bool = False  # also carry the raw value (a translated code)


@dataclass
class Table:
    caption: str
    columns: Sequence[Column]
    rows: Sequence[dict]
    mart: str | None = None
    key: Sequence[str] = ()
    hidden_word: str = "hidden"
    hidden_when: Callable[[dict], bool] = field(default=lambda row: False)
    hidden_columns: Sequence[str] = ()

    def html(self) -> str:
        if not self.rows:
            return ""
        attrs = f' data-mart="{escape(self.mart)}"' if self.mart else ""
        head = "".join(f'<th scope="col" data-column="{escape(c.name)}">{escape(c.heading)}</th>' for c in self.columns)
        body = []
        for row in self.rows:
            key = ""
            if self.key:
                key_json = json.dumps({k: json_value(row.get(k)) for k in self.key}, ensure_ascii=False)
                key = f" data-key='{escape(key_json, quote=True)}'"
            cells = []
            hidden = self.hidden_when(row)
            for column in self.columns:
                value = row.get(column.name)
                if hidden and column.name in self.hidden_columns and json_value(value) is None:
                    cells.append(
                        f'<td class="hidden-value" data-column="{escape(column.name)}">{escape(self.hidden_word)}</td>'
                    )
                    continue
                text = column.format(value)
                classes = ' class="num"' if column.numeric else ""
                raw = ""
                if column.raw:
                    raw = f' data-value="{escape(str(json_value(value)))}"'
                cells.append(f'<td{classes} data-column="{escape(column.name)}"{raw}>{escape(text)}</td>')
            body.append(f"<tr{key}>{''.join(cells)}</tr>")
        return (
            f'<div class="table-wrap"><table{attrs}><caption>{escape(self.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )


@dataclass
class Block:
    """One chart (or a table alone) with its title, its reading in words and the table behind it."""

    block_id: str
    title: str
    reading: str
    svg: str | None
    tables: Sequence[Table]
    table_summary: str
    notes: Sequence[str] = ()

    def html(self) -> str:
        parts = [
            f'<figure class="chart-block" id="{escape(self.block_id)}" aria-labelledby="{escape(self.block_id)}-t">'
        ]
        parts.append(f'<h3 id="{escape(self.block_id)}-t">{escape(self.title)}</h3>')
        parts.append(f'<p class="reading">{escape(self.reading)}</p>')
        if self.svg:
            parts.append(self.svg)
        parts += [f'<p class="note">{escape(note)}</p>' for note in self.notes]
        tables = "".join(table.html() for table in self.tables)
        if tables:
            if self.svg:
                parts.append(f"<details><summary>{escape(self.table_summary)}</summary>{tables}</details>")
            else:
                parts.append(tables)
        parts.append("</figure>")
        return "\n".join(parts)


@dataclass
class Section:
    section_id: str
    title: str
    blocks: list[Block]
    empty_text: str = ""

    def html(self) -> str:
        inner = "\n".join(block.html() for block in self.blocks) or f'<p class="empty">{escape(self.empty_text)}</p>'
        return (
            f'<section class="part" id="{escape(self.section_id)}" aria-labelledby="{escape(self.section_id)}-h">'
            f'<h2 id="{escape(self.section_id)}-h">{escape(self.title)}</h2>\n{inner}\n</section>'
        )


def page(
    lang: str,
    title: str,
    header_lines: Sequence[str],
    sections: Sequence[Section],
    contents: str,
    skip: str,
    footer: str,
) -> str:
    toc = "".join(f'<li><a href="#{escape(s.section_id)}">{escape(s.title)}</a></li>' for s in sections)
    header = "".join(f"<p>{escape(line)}</p>" for line in header_lines)
    body = "\n".join(section.html() for section in sections)
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<a class="skip" href="#content">{escape(skip)}</a>
<header class="top"><h1>{escape(title)}</h1>{header}</header>
<nav class="toc" aria-label="{escape(contents)}"><ul>{toc}</ul></nav>
<main id="content" tabindex="-1">
{body}
</main>
<footer>{escape(footer)}</footer>
<script>{SCRIPT}</script>
</body>
</html>
"""
