"""The honesty audit's checks (tests/app/test_honesty_audit.py): what a page or an export shows is compared with
the fixture (tests/fixture_db.py), generically — every chart, table and download found is audited, so one added
later is audited without a change here.

- :func:`audit_page`: an AppTest run's element tree: the 'Beispieldaten' flag; every chart and table followed by
  its source line (``Quelle`` and ``Stand``); every indicator value a figure or table shows against the fixture.
- :func:`audit_file`: the bytes of a download (PDF, DOCX, XLSX, CSV): the flag and the indicator values of its
  tables.
- :func:`downloads`: the bytes behind every download button of the last run (deferred ones made on demand).

A value's identity (indicator, region, year) is read the way a reader reads it: the indicator from a column
holding indicator names or the chart's title or the page's indicator choice, the region from a column header or
a column holding region names, the year from a 'Jahr' column, a year in brackets in the cell, the title or the
page's year choice. Where all three are known, the text shown must be the fixture's value (German format), a
NULL must name its reason and show no number, a '-' (flag 'zero') must say so.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

import pandas as pd

from monitor.core import format as fmt
from monitor.core.vocab import SAMPLE_DATA_NOTE, flag_label
from tests.fixture_db import INDICATORS, META, REGIONS, VALUES

SAMPLE_FLAG = "Beispieldaten"
SYNTHETIC = META["synthetic"] == "true"
#: (indicator_id, region name, year) -> the fixture row
FACT = {(v["indicator_id"], r["name"], v["year"]): v for v in VALUES for r in REGIONS
        if r["region_key"] == v["region_key"]}
INDICATOR = {i["indicator_id"]: i for i in INDICATORS}
#: indicator names, longest first (so 'Beschäftigte je 1.000 Einwohner' wins over 'Beschäftigte ...')
INDICATOR_NAMES = sorted(((i["name_de"], i["indicator_id"]) for i in INDICATORS), key=lambda x: -len(x[0]))
REGION_NAMES = {r["name"] for r in REGIONS}
YEARS = {v["year"] for v in VALUES}
CHARTS = ("plotly_chart", "deck_gl_json_chart")
TABLES = ("arrow_data_frame", "dataframe", "table")
_YEAR = re.compile(r"(?<![\d.,])(20\d\d)(?![\d.,])")
_DATE = re.compile(r"\d\d\.\d\d\.\d{4}")
_DIGIT = re.compile(r"\d")


def indicator_in(text: str) -> str | None:
    """The indicator named in ``text`` (longest name first), or None."""
    for name, indicator_id in INDICATOR_NAMES:
        if name in text:
            return indicator_id
    return None


def year_in(text: str) -> int | None:
    """The one fixture year named in ``text`` (None when none or several)."""
    found = {int(y) for y in _YEAR.findall(text)} & YEARS
    return found.pop() if len(found) == 1 else None


# ---------------------------------------------------------------- one value as shown
def check_value(shown: str, indicator_id: str, region: str, year: int) -> str | None:
    """What is wrong with ``shown`` as the text of (indicator, region name, year), or None when it is honest."""
    fact = FACT.get((indicator_id, region, year))
    if fact is None:
        return None  # not a fixture fact (e.g. a derived cell): nothing to compare with
    text = str(shown).strip()
    where = f"{INDICATOR[indicator_id]['name_de']} · {region} · {year}: {text!r}"
    if fact["value"] is None:
        reason = flag_label(fact["flag"])
        if _DIGIT.search(text.replace(str(year), "")):
            return f"NULL ({fact['flag']}) shown as a number: {where}"
        if reason not in text:
            return f"NULL ({fact['flag']}) shown without its reason '{reason}': {where}"
        return None
    number = fmt.number(fact["value"], INDICATOR[indicator_id]["decimals"])
    if not re.match(rf"{re.escape(number)}(?![\d,])", text):
        return f"shows {text!r}, the fixture has {number} ({fact['flag'] or 'no flag'}): {where}"
    return None


def check_number(value, indicator_id: str, region: str, year: int) -> str | None:
    """What is wrong with a chart's number ``value`` (None: drawn as a gap) for (indicator, region, year)."""
    fact = FACT.get((indicator_id, region, year))
    if fact is None:
        return None
    where = f"{INDICATOR[indicator_id]['name_de']} · {region} · {year}: {value!r}"
    if fact["value"] is None:
        return None if value is None else f"NULL ({fact['flag']}) drawn as a number: {where}"
    if value is None or abs(float(value) - fact["value"]) > 0.5 * 10 ** -INDICATOR[indicator_id]["decimals"]:
        return f"drawn as {value!r}, the fixture has {fact['value']}: {where}"
    return None


# ---------------------------------------------------------------- tables
@dataclass
class Context:
    """What the reader knows around a table or chart: the page's indicator and year choice, the last heading."""

    indicator_id: str | None = None
    year: int | None = None
    texts: list[str] = field(default_factory=list)


def audit_table(df: pd.DataFrame, ctx: Context, where: str) -> list[str]:
    """Every cell of ``df`` whose indicator, region and year can be read, against the fixture."""
    faults = []
    df = df.reset_index(drop=True)
    columns = [str(c) for c in df.columns]
    region_cols = [c for c in columns if c in REGION_NAMES]
    name_col = _column_of(df, REGION_NAMES)
    indicator_col = _column_of(df, INDICATOR_BY_NAME)
    year_col = next((c for c in columns if c == "Jahr"), None)
    for _, row in df.iterrows():
        row = {str(k): v for k, v in row.items()}
        indicator_id = INDICATOR_BY_NAME.get(str(row[indicator_col])) if indicator_col else ctx.indicator_id
        if indicator_id is None:
            continue
        base_year = _int(row[year_col]) if year_col else ctx.year
        if region_cols:
            cells = [(c, c) for c in region_cols]
        elif name_col and str(row[name_col]) in REGION_NAMES:
            cells = [(str(row[name_col]), c) for c in _value_columns(columns, name_col)]
        else:
            continue
        for region, col in cells:
            shown = row[col]
            if "Erläuterung" in row:  # a download's value table: the number typed, the reason in its own column
                fault = _check_typed(shown, str(row["Erläuterung"] or ""), indicator_id, region, base_year)
                if fault:
                    faults.append(f"{where}: table column {col!r}: {fault}")
                continue
            text = fmt.MISSING if shown is None or (isinstance(shown, float) and pd.isna(shown)) else str(shown)
            own = re.search(r"\((20\d\d)\)", text)  # 'Jahr in Klammern, wenn älter'
            year = int(own.group(1)) if own else base_year
            if year is None:
                continue
            fault = check_value(text, indicator_id, region, year)
            if fault:
                faults.append(f"{where}: table column {col!r}: {fault}")
    return faults


def _check_typed(shown, reason: str, indicator_id: str, region: str, year: int | None) -> str | None:
    """A typed value cell of a download (a number, or a plain '1234,5' in CSV; empty for no value) whose reason
    stands in the row's 'Erläuterung', against the fixture."""
    if year is None:
        return None
    if isinstance(shown, str):
        text = shown.strip()
        if not text:
            shown = None
        elif re.fullmatch(r"-?\d+(,\d+)?", text):
            shown = float(text.replace(",", "."))
        else:
            return f"value cell {text!r} is not a plain number: {INDICATOR[indicator_id]['name_de']} · {region}"
    if shown is None or (isinstance(shown, float) and pd.isna(shown)):
        fact = FACT.get((indicator_id, region, year))
        if fact is not None and fact["value"] is None:
            return check_value(f"{fmt.MISSING} {reason}", indicator_id, region, year)
        return check_number(None, indicator_id, region, year)
    return check_number(float(shown), indicator_id, region, year)


INDICATOR_BY_NAME = {i["name_de"]: i["indicator_id"] for i in INDICATORS}


def _column_of(df: pd.DataFrame, names) -> str | None:
    """The column holding most of ``names`` (a theme 'Bevölkerung' beside the indicator 'Bevölkerung' must not
    win), or None."""
    hits = {str(c): int(df[c].astype(str).isin(names).sum()) for c in df.columns}
    best = max(hits, key=hits.get, default=None)
    return best if best is not None and hits[best] > 0 else None


def _value_columns(columns: list[str], name_col: str) -> list[str]:
    """The columns of a one-region-per-row table that hold the value ('Wert', or the only other text column)."""
    return [c for c in columns if c == "Wert" or c.startswith("Wert ")] or [
        c for c in columns if c not in (name_col, "Jahr", "Einheit", "Einwohner", "Thema", "Kennzahl")][:1]


def _int(x) -> int | None:
    try:
        return int(str(x).strip()[:4])
    except ValueError:
        return None


# ---------------------------------------------------------------- plotly figures
def audit_figure(spec: dict, ctx: Context, where: str) -> list[str]:
    """The numbers of a plotly figure that shows an indicator, against the fixture: a trend (x = years, one trace
    per region) value by value (not in index mode); bars per region of the year in the title, each bar's value,
    its text and its hover label; a bar of length 0 or none names why."""
    layout = spec.get("layout", {})
    title = layout.get("title", {}).get("text", "") or ""
    indicator_id = indicator_in(title) or None
    if indicator_id is None:
        return []
    faults = []
    index_mode = "Index" in str(layout.get("yaxis", {}).get("title", {}).get("text", ""))
    notes = " ".join(str(a.get("text", "")) for a in layout.get("annotations", []))
    for trace in spec.get("data", []):
        xs, ys = trace.get("x") or [], trace.get("y") or []
        if trace.get("name") in REGION_NAMES and xs and all(_int(x) in YEARS for x in xs):  # a trend line
            for x, y in zip(xs, ys):
                year = _int(x)
                fact = FACT.get((indicator_id, trace["name"], year))
                if index_mode:
                    if fact and fact["value"] is None and y is not None:
                        faults.append(f"{where}: {title!r}: NULL drawn as a number in index mode: "
                                      f"{trace['name']} {year}: {y!r}")
                    continue
                fault = check_number(y, indicator_id, trace["name"], year)
                if fault:
                    faults.append(f"{where}: {title!r}: {fault}")
            continue
        year = year_in(title) or ctx.year
        horizontal = trace.get("orientation") == "h"
        names, values = (ys, xs) if horizontal else (xs, ys)
        if year is None or not names or not any(n in REGION_NAMES for n in names):
            continue
        hovers = trace.get("customdata") or trace.get("text") or [None] * len(names)
        for name, value, hover in zip(names, values, hovers):
            if name not in REGION_NAMES:
                continue
            fault = check_number(value, indicator_id, name, year)
            fact = FACT.get((indicator_id, name, year))
            if not fault and fact is not None and hover is not None:
                fault = check_value(_hover_text(hover), indicator_id, name, year)
            if not fault and fact is not None and fact["flag"] == "zero" and flag_label("zero") not in notes:
                fault = f"a '-' drawn as an unlabelled bar of length 0: {name} {year}"
            if fault:
                faults.append(f"{where}: {title!r}: {fault}")
    return faults


def _hover_text(hover) -> str:
    text = hover[-1] if isinstance(hover, list) else hover
    return re.sub(r"<[^>]+>", " ", str(text)).strip()


# ---------------------------------------------------------------- the element tree of a run
@dataclass
class Leaf:
    """One element of the page in page order, with the chain of containers it sits in."""

    node: object
    path: tuple  # ((container type, id), ...) from the main block down


def leaves(root) -> list[Leaf]:
    """The elements under ``root`` in page order (a container's children by their index)."""
    out: list[Leaf] = []

    def walk(node, path):
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for key in sorted(children):
                walk(children[key], path + ((node.type, id(node)),))
        else:
            out.append(Leaf(node, path))

    walk(root, ())
    return out


def text_of(node) -> str:
    """An element's text, Markdown escapes removed."""
    value = getattr(node, "value", None) if node.type in ("caption", "markdown", "subheader", "title", "header",
                                                         "info", "warning", "success", "error") else None
    return str(value or "").replace("\\", "")


def _in_sibling(a: Leaf, b: Leaf) -> bool:
    """True when ``b`` sits in another column or tab of a row (tab set) that also holds ``a``: a sibling panel,
    skipped when looking for what is written under ``a``."""
    for n, (pa, pb) in enumerate(zip(a.path, b.path)):
        if pa != pb:
            return pa[0] in ("column", "tab") and pb[0] in ("column", "tab") and n > 0
    return False


def source_line(items: list[Leaf], i: int) -> str:
    """The captions under element ``i``: the run of captions (and non-heading Markdown such as a legend) after
    it, skipping the sibling columns and tabs of its row and the element's download buttons, up to the next
    element of another kind. A caption shared by a row of charts is written under the row."""
    out = []
    for leaf in items[i + 1:]:
        if _in_sibling(items[i], leaf):
            continue
        kind, text = leaf.node.type, text_of(leaf.node)
        if kind == "caption":
            out.append(text)
        elif kind == "markdown" and text and not text.lstrip().startswith("#"):
            continue  # a legend's lines, a badge
        elif kind == "download_button":
            continue  # 'Tabelle herunterladen' under a table or chart
        else:
            break
    return " · ".join(out)


def audit_tree(at, where: str, source_lines: bool = True) -> list[str]:
    """Flag, source lines (unless ``source_lines`` is False) and values of one AppTest run (see the module
    docstring)."""
    faults = []
    items = leaves(at.main)
    everything = " ".join(text_of(x.node) for x in items)
    if SYNTHETIC and SAMPLE_FLAG not in everything:
        faults.append(f"{where}: no '{SAMPLE_FLAG}' flag on the page")
    ctx = Context()
    for i, leaf in enumerate(items):
        node, kind = leaf.node, leaf.node.type
        if kind in ("selectbox", "radio") and getattr(node, "label", "") in ("Indikator", "Indikator für die Grafik"):
            ctx.indicator_id = node.value if node.value in INDICATOR else ctx.indicator_id
        elif kind == "selectbox" and getattr(node, "label", "") == "Jahr":
            ctx.year = _int(node.value)
        elif kind == "markdown" and "Legende" in text_of(node):  # the map legend names indicator and year
            ctx.indicator_id = indicator_in(text_of(node)) or ctx.indicator_id
            ctx.year = year_in(text_of(node)) or ctx.year
        if kind not in CHARTS + TABLES:
            continue
        label = f"{where} · {kind} #{i}"
        below = source_line(items, i)
        own_title = ""
        if kind == "plotly_chart":
            spec = json.loads(node.proto.spec)
            title = spec.get("layout", {}).get("title", {})
            own_title = f"{title.get('text', '')} · {title.get('subtitle', {}).get('text', '')}"
            label = f"{where} · chart {title.get('text', '')!r}"
            faults += audit_figure(spec, ctx, where)
        elif kind in TABLES:
            df = node.value
            label = f"{where} · table {list(map(str, df.columns))[:4]}"
            faults += audit_table(df, ctx, where)
            if df.isna().any().any() and not node.proto.placeholder:
                faults.append(f"{label}: empty cells shown blank (no placeholder, no reason)")
        if not source_lines:
            continue
        if "Quelle" not in below:
            faults.append(f"{label}: no 'Quelle' in the caption under it ({below!r})")
        # Stand: in the captions under it, or (plotly) in the figure's own subtitle, where the builders put it
        if not re.search(r"Stand( der Daten)?:? " + _DATE.pattern, below + " " + own_title):
            faults.append(f"{label}: no 'Stand' with a date under it ({below!r})")
    return faults


# ---------------------------------------------------------------- downloads
_captured: dict[str, object] = {}


@contextlib.contextmanager
def capture_downloads():
    """While active, remember what every download button hands to Streamlit's media manager (bytes, or the
    callable of a deferred download), by file id or URL, so :func:`downloads` can read it after the run."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def recording_add(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        url = add(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)
        _captured[url] = path_or_data
        return url

    def recording_add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        _captured[file_id] = data_callable
        return file_id

    MediaFileManager.add, MediaFileManager.add_deferred = recording_add, recording_add_deferred
    try:
        yield
    finally:
        MediaFileManager.add, MediaFileManager.add_deferred = add, add_deferred
        _captured.clear()


def downloads(at) -> list[tuple[str, str, bytes]]:
    """(button label, kind, bytes) of every enabled download button of the last run; kind is read from the bytes:
    'pdf', 'docx', 'xlsx' or 'text'. A ZIP of files (the report bundle) gives each of its files."""
    out = []
    for button in at.get("download_button"):
        proto = button.proto
        if proto.disabled:
            continue
        ref = proto.deferred_file_id if proto.HasField("deferred_file_id") else proto.url
        data = _captured[ref]
        data = data() if callable(data) else data
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        if data.startswith(b"PK") and "[Content_Types].xml" not in zipfile.ZipFile(io.BytesIO(data)).namelist():
            with zipfile.ZipFile(io.BytesIO(data)) as bundle:
                out += [(f"{proto.label} › {name}", file_kind(bundle.read(name)), bundle.read(name))
                        for name in bundle.namelist()]
            continue
        out.append((proto.label, file_kind(data), data))
    return out


def file_kind(data: bytes) -> str:
    """'pdf', 'docx', 'xlsx' or 'text', by the file's content."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "docx" if "word/document.xml" in z.namelist() else "xlsx"
    return "text"


# ---------------------------------------------------------------- exported files
def file_tables(kind: str, data: bytes) -> tuple[str, list[pd.DataFrame]]:
    """The text and the tables of an exported file (tables: XLSX sheets from their header row, DOCX tables; a
    PDF's tables are read back from its text lines by :func:`pdf_tables`)."""
    name = kind
    if name == "pdf":
        import pypdf

        text = "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages)
        return text, pdf_tables(text)
    if name == "docx":
        import docx

        document = docx.Document(io.BytesIO(data))
        tables = []
        for table in document.tables:
            rows = [[cell.text for cell in row.cells] for row in table.rows]
            if len(rows) > 1:
                tables.append(pd.DataFrame(rows[1:], columns=_unique(rows[0])))
        return _zip_text(data), tables
    if name == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        tables = []
        for sheet in book.worksheets:
            rows = [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]
            head = next((n for n, r in enumerate(rows) if any(str(c) in REGION_NAMES or c == "Kennzahl"
                                                            for c in r)), None)
            if head is not None:
                tables.append(pd.DataFrame(rows[head + 1:], columns=_unique([str(c) for c in rows[head]])))
        return _zip_text(data), tables
    return data.decode("utf-8-sig", errors="replace"), []


def pdf_tables(text: str) -> list[pd.DataFrame]:
    """Indicator tables of a PDF read back from its text (one cell a line): a header 'Kennzahl', 'Einheit',
    'Jahr' and region names, then per row the indicator's name, unit, year and one value per region."""
    lines = [x.strip() for x in text.splitlines()]
    tables = []
    for n, line in enumerate(lines):
        if line != "Jahr" or n < 2 or lines[n - 1] != "Einheit":
            continue
        regions = []
        for x in lines[n + 1:]:
            if x not in REGION_NAMES:
                break
            regions.append(x)
        rows = []
        for m in range(n + 1 + len(regions), len(lines)):
            if lines[m] in INDICATOR_BY_NAME and m + 2 + len(regions) < len(lines):
                rows.append([lines[m], lines[m + 1], lines[m + 2], *_cells(lines[m + 3:], len(regions))])
        if regions and rows:
            tables.append(pd.DataFrame(rows, columns=["Kennzahl", "Einheit", "Jahr", *regions]))
    return tables


def _cells(lines: list[str], count: int) -> list[str]:
    """The first ``count`` value cells of ``lines``: a line that is no number and no 'k. A.' continues the cell
    before it when that one is a 'k. A. – <reason>' (a reason wrapped in the PDF's narrow column)."""
    out: list[str] = []
    for line in lines:
        if out and out[-1].startswith("k. A.") and not re.match(r"-?[\d.,]+\b|k\. A\.", line):
            out[-1] = f"{out[-1]} {line}"
        elif len(out) < count:
            out.append(line)
        else:
            break
    return out


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(z.read(n).decode("utf-8", errors="ignore") for n in z.namelist() if n.endswith(".xml"))


def audit_file(name: str, data: bytes, where: str) -> list[str]:
    """Flag and indicator values of one exported file."""
    text, tables = file_tables(name, data)
    faults = []
    if SYNTHETIC and SAMPLE_FLAG not in text and SAMPLE_DATA_NOTE not in text:
        faults.append(f"{where} · {name}: no '{SAMPLE_FLAG}' flag in the file")
    for n, df in enumerate(tables):
        faults += audit_table(df, Context(), f"{where} · {name} table {n + 1}")
    return faults
