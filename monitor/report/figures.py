"""Chart images for the reports: the small-multiples builder for indicator panels and PNG export via kaleido.

Static export: kaleido 1.x drives a locally installed Chromium through choreographer (Debian's
``/usr/bin/chromium`` is found on ``PATH``; ``REGIONALMONITOR_CHROMIUM`` or ``BROWSER_PATH`` override it).
MathJax is switched off and plotly.js comes from the installed plotly package, so rendering works offline.
All charts of one report are rendered in a single browser session (:class:`ChartSession`: one start of
~2-3 s, overlapping the building of the report, then ~0.2-0.5 s per chart; the tab is reused between charts
instead of kaleido's reload after each), in a worker thread so the caller may have its own event loop
(Streamlit, tests).

Every image is cached in memory by its figure spec (JSON, size, scale): the same figure is never rendered
twice in a process. When Chromium or kaleido is missing, :func:`render` returns no images and a German
``note``; the writers print that note in place of each chart. Never raises for a missing browser.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import math
import os
import shutil
import threading
import time
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from monitor.core import palette
from monitor.figures import indicators as ic
from monitor.core.cache import Recent

SCALE = 2
#: Browser tabs rendering in parallel (1 keeps memory low; on many cores 2 may be faster)
TABS = 1
TIMEOUT_S = 60.0
CACHE_SIZE = 256
MAX_PIXELS = 4000  # a chart taller or wider than this (CSS px) is not rendered: Chromium returns no image
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BROWSER_ENV = ("REGIONALMONITOR_CHROMIUM", "BROWSER_PATH")
NO_KALEIDO = "Grafiken nicht verfügbar: Das Paket kaleido ist nicht installiert (bitte „make install“ ausführen)."
NO_BROWSER = ("Grafiken nicht verfügbar: Chromium wurde nicht gefunden. Bitte „make run“ ausführen (installiert "
              "Chromium) oder „sudo apt-get install chromium“.")
DISABLED = "Grafiken wurden für diese Ausgabe abgeschaltet."

_cache: Recent[bytes] = Recent(CACHE_SIZE)


# ---------------------------------------------------------------------------------------------- builder

def trend_panel(data: pd.DataFrame, *, styles: dict, series_break=None) -> dict:
    """The print variant of :func:`monitor.figures.indicators.trend_figure` as a plain figure dict (no hover
    texts, ~50x faster to build): one line per ``series`` label of ``styles`` (x = year), withheld values
    as gaps (never zero), each line split at ``series_break`` with a dashed marker and the break's note.
    ``data`` columns: ``series``, ``period``, ``value``."""
    traces, shapes, notes = [], [], []
    if data.empty:
        notes.append({"text": "Keine Werte vorhanden", "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
                      "showarrow": False})
        return {"data": traces, "layout": {"shapes": shapes, "annotations": notes, "xaxis": {}, "yaxis": {}}}
    periods = pd.to_datetime(data["period"])
    data = data.assign(_period=periods, _year=periods.dt.year).sort_values("_period")
    cut = pd.Timestamp(series_break.date) if series_break is not None else None
    for label, style in styles.items():
        part = data[data["series"] == label]
        if part.empty:
            continue
        pieces = [part] if cut is None else [part[part["_period"] < cut], part[part["_period"] >= cut]]
        first = True
        for piece in pieces:
            if piece.empty:
                continue
            traces.append({
                "type": "scatter", "mode": "lines+markers", "name": ic.plain(label), "showlegend": first,
                "x": [int(y) for y in piece["_year"]],
                "y": [None if pd.isna(v) else float(v) for v in piece["value"]], "connectgaps": False,
                "line": {"color": style.colour, "dash": style.dash, "width": style.width},
                "marker": {"color": style.colour, "size": 6}, "hoverinfo": "skip"})
            first = False
    years = data["_year"]
    if cut is not None:
        before, after = years[data["_period"] < cut], years[data["_period"] >= cut]
        x = (before.max() + after.min()) / 2 if len(before) and len(after) else cut.year - 0.5
        shapes.append({"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
                       "line": {"color": palette.BREAK_LINE, "dash": "dash", "width": 1.5}})
        notes.append({"x": x, "y": 1, "xref": "x", "yref": "paper", "text": ic.plain(f"Bruch: {series_break.note}"),
                      "showarrow": False, "xanchor": "right", "yanchor": "bottom", "align": "right"})
    span = int(years.max() - years.min())
    return {"data": traces, "layout": {
        "shapes": shapes, "annotations": notes,
        "xaxis": {"tickformat": "d", "dtick": 1 if span <= 7 else (2 if span <= 14 else 5),
                  "range": [float(years.min()) - 0.4, float(years.max()) + 0.4]},
        "yaxis": {"tickformat": ","}}}


def small_multiples(panels: list[tuple[str, go.Figure | dict]], *, title: str, width: int = 860, cols: int = 2,
                    panel_height: int = 215) -> go.Figure:
    """One figure with a panel per (label, figure): the traces, break lines and notes of each figure (a
    :func:`trend_panel` dict or any single-axes figure such as
    :func:`monitor.figures.indicators.trend_figure`) copied into a grid of ``cols`` panels per row, each panel
    with its own axes (ticks taken over from the panel), a title above it (escaped: data text, never markup)
    and one shared legend below (each series name once). Built as a plain dict (no re-validation: the panels
    are valid figures already)."""
    n = len(panels)
    cols = max(1, min(cols, n or 1))
    rows = max(1, math.ceil(n / cols))
    top, bottom, title_px, gap_px = 78, 70, 26, 44
    height = top + bottom + rows * panel_height + (rows - 1) * gap_px
    plot_h = height - top - bottom
    hgap = 0.09
    col_w = (1 - hgap * (cols - 1)) / cols
    data, shapes, annotations, layout = [], [], [], {}
    seen: set[str] = set()
    for k, (label, panel) in enumerate(panels):
        r, c = divmod(k, cols)
        x0 = c * (col_w + hgap)
        y1 = 1 - (r * (panel_height + gap_px) + title_px) / plot_h
        y0 = 1 - (r * (panel_height + gap_px) + panel_height) / plot_h
        suffix = "" if k == 0 else str(k + 1)
        xid, yid = "x" + suffix, "y" + suffix
        spec = panel if isinstance(panel, dict) else panel.to_plotly_json()
        for trace in spec.get("data", []):
            trace = dict(trace, xaxis=xid, yaxis=yid)
            name = trace.get("name") or ""
            show = bool(name) and name not in seen and trace.get("showlegend", True) is not False
            if show:
                seen.add(name)
            trace.update(showlegend=show, legendgroup=name)
            data.append(trace)
        pl = spec.get("layout", {})
        for shape in pl.get("shapes", []) or []:
            shapes.append(_remap(shape, xid, yid))
        for note in pl.get("annotations", []) or []:
            note = _remap(note, xid, yid)
            note["font"] = {**(note.get("font") or {}), "size": 10}
            annotations.append(note)
        xa, ya = pl.get("xaxis", {}) or {}, pl.get("yaxis", {}) or {}
        layout["xaxis" + suffix] = {
            "domain": [x0, x0 + col_w], "anchor": yid, "gridcolor": palette.GRID, "tickfont": {"size": 10},
            **{key: xa[key] for key in ("tickformat", "dtick", "range", "type") if key in xa}}
        layout["yaxis" + suffix] = {
            "domain": [max(y0, 0), max(y1, 0)], "anchor": xid, "gridcolor": palette.GRID, "tickfont": {"size": 10},
            "tickformat": ya.get("tickformat", ","), "zeroline": False}
        annotations.append({"text": ic.plain(label), "x": x0, "xref": "paper", "xanchor": "left",
                            "y": 1 - (r * (panel_height + gap_px)) / plot_h, "yref": "paper", "yanchor": "top",
                            "showarrow": False, "font": {"size": 12, "color": palette.PANEL_TITLE}, "align": "left"})
    layout.update({
        "title": {"text": ic.plain(title), "font": {"size": 15}, "x": 0, "xanchor": "left", "xref": "paper"},
        "separators": ",.", "template": _template(), "font": ic.FONT, "width": width,
        "height": height, "margin": {"l": 10, "r": 20, "t": top, "b": bottom},
        "legend": {"orientation": "h", "yanchor": "top", "y": -34 / plot_h, "xanchor": "left", "x": 0},
        "shapes": shapes, "annotations": annotations, "showlegend": True,
    })
    fig = go.Figure({"data": data, "layout": layout}, _validate=False)
    fig._rm_grid = True  # margins are set by hand; the report keeps them
    return fig


_TEMPLATE: dict = {}


def _template() -> dict:
    """The app's chart template (plotly's 'plotly_white') as a plain dict (the figure is built without validation)."""
    if not _TEMPLATE:
        _TEMPLATE.update(pio.templates[ic.APP_TEMPLATE].to_plotly_json())
    return _TEMPLATE


def _remap(item: dict, xid: str, yid: str) -> dict:
    """A shape/annotation of a single-axes figure with refs pointing at the panel's axes ``xid``/``yid``."""
    item = dict(item)
    for ref, axis in (("xref", xid), ("yref", yid)):
        value = item.get(ref)
        if value in (None, "paper") or (isinstance(value, str) and value.endswith("domain")):
            item[ref] = f"{axis} domain"
        else:
            item[ref] = axis
    return item


# ---------------------------------------------------------------------------------------------- images

@dataclass(frozen=True)
class ChartImages:
    """PNG images by chart key, and a German ``note`` saying why charts are missing (None when all are
    there). ``seconds``: render time per newly rendered chart; ``startup_s``: browser start time."""

    images: dict = field(default_factory=dict)
    note: str | None = None
    seconds: dict = field(default_factory=dict)
    startup_s: float = 0.0

    def get(self, key: str) -> bytes | None:
        return self.images.get(key)


def disabled(note: str = DISABLED) -> ChartImages:
    """No images, with ``note`` printed in place of each chart."""
    return ChartImages({}, note)


def _key(chart) -> str:
    h = hashlib.sha256()
    h.update(chart.figure_json.encode("utf-8"))
    h.update(f"|{chart.width}|{chart.height}|{SCALE}".encode())
    return h.hexdigest()


def browser_path() -> str | None:
    """The Chromium to use: ``$REGIONALMONITOR_CHROMIUM`` / ``$BROWSER_PATH``, else the one choreographer
    finds (``chromium`` on PATH, /usr/bin/chromium, Chrome, …); None when there is none."""
    for env in BROWSER_ENV:
        value = os.environ.get(env)
        if value:
            return value if os.path.isfile(value) and os.access(value, os.X_OK) else None
    try:
        from choreographer.browsers.chromium import Chromium

        found = Chromium.find_browser(skip_local=False)
    except Exception:  # noqa: BLE001 - any trouble finding it means: no browser
        found = None
    return found or shutil.which("chromium") or shutil.which("chromium-browser")


def availability() -> str | None:
    """None when charts can be rendered here; else the German reason (kaleido or Chromium missing)."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return NO_KALEIDO
    return None if browser_path() else NO_BROWSER


def cached(chart) -> bytes | None:
    """The cached PNG of ``chart``, if rendered before in this process."""
    return _cache.get(_key(chart))


def clear_cache() -> None:
    _cache.clear()


#: kaleido 1.5 reloads its page (and with it the 4.5 MB plotly.js) after every figure; reusing the tab makes a
#: chart ~40 % faster with byte-identical images. Reloaded anyway every RELOAD_EVERY charts.
RELOAD_EVERY = 20


def _kaleido_class():
    """kaleido.Kaleido, reusing a tab between figures (see RELOAD_EVERY); falls back to kaleido's own
    behaviour when its internals differ from the pinned version."""
    import kaleido

    class _ReusingKaleido(kaleido.Kaleido):
        _rm_rendered = 0

        async def _return_kaleido_tab(self, tab):
            self._rm_rendered += 1
            queue = getattr(self, "tabs_ready", None)
            if queue is None or self._rm_rendered % RELOAD_EVERY == 0:
                return await super()._return_kaleido_tab(tab)
            await queue.put(tab)

    return _ReusingKaleido


class ChartSession:
    """A Chromium/kaleido session in a background thread: :meth:`submit` charts as soon as they exist (the
    browser starts right away, while the caller keeps working), then :meth:`collect` the images.

        with ChartSession() as session:
            report = build_report(params, on_chart=session.submit)
            images = session.collect(report.charts)

    Cached charts are not rendered again. A missing kaleido/Chromium or a failing browser never raises: the
    images are missing and :meth:`collect` returns the German reason as ``note``.
    """

    def __init__(self, timeout: float = TIMEOUT_S):
        self.timeout = timeout
        self._futures: dict[str, concurrent.futures.Future] = {}
        self._seconds: dict[str, float] = {}
        self._failures: list[str] = []
        self._last_done = 0.0
        self.startup_s = 0.0
        self.problem = availability()
        self._loop = None
        self._opened = None

    def start(self) -> "ChartSession":
        """Start the browser now (it takes a few seconds), e.g. before a report is built; else it starts
        with the first chart that is not cached."""
        self._start()
        return self

    def _start(self) -> None:
        """Start the browser (once)."""
        if self._loop is not None or self.problem is not None:
            return
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="report-charts", daemon=True)
        self._thread.start()
        self._opened = asyncio.run_coroutine_threadsafe(self._open(browser_path()), self._loop)

    async def _open(self, path: str):
        started = time.perf_counter()
        session = _kaleido_class()(n=TABS, timeout=self.timeout, mathjax=False, path=path)
        await session.open()
        self.startup_s = time.perf_counter() - started
        return session

    async def _render(self, chart) -> bytes | None:
        session = await asyncio.wrap_future(self._opened)
        queued = time.perf_counter()
        if max(chart.width, chart.height) > MAX_PIXELS:
            self._failures.append(f"{chart.key}: zu groß")
            return None
        try:
            png = await session.calc_fig(json.loads(chart.figure_json),
                                         opts=dict(format="png", width=chart.width, height=chart.height, scale=SCALE))
        except Exception as exc:  # noqa: BLE001 - one broken chart must not stop the others
            self._failures.append(f"{chart.key}: {type(exc).__name__}")
            return None
        if not png.startswith(PNG_SIGNATURE):
            self._failures.append(f"{chart.key}: kein Bild")
            return None
        done = time.perf_counter()
        # charts render one after another: this one started when the previous one was done (or when queued)
        self._seconds[chart.key] = done - max(queued, self._last_done)
        self._last_done = done
        _cache.put(_key(chart), png)
        return png

    def submit(self, chart) -> None:
        """Start rendering ``chart`` unless it is cached or already submitted."""
        if self.problem is not None or chart.key in self._futures or cached(chart) is not None:
            return
        self._start()
        self._futures[chart.key] = asyncio.run_coroutine_threadsafe(self._render(chart), self._loop)

    def collect(self, charts, on_image=None) -> ChartImages:
        """The images of ``charts`` (submitting those not yet submitted), waiting for the browser;
        ``on_image(png)`` (optional) is called for each image as soon as it is there, while later ones are
        still rendering (e.g. to convert it for the PDF)."""
        charts = list(charts)
        for chart in charts:
            self.submit(chart)
        images, note = {}, self.problem
        for chart in charts:
            png = cached(chart)
            future = self._futures.get(chart.key)
            if png is None and future is not None:
                try:
                    png = future.result(timeout=self.timeout * 2)
                except Exception as exc:  # noqa: BLE001 - browser did not start or timed out
                    note = note or (f"Grafiken konnten nicht erzeugt werden: Chromium ließ sich nicht starten oder "
                                    f"antwortete nicht ({type(exc).__name__}).")
                    png = None
            if png is not None:
                images[chart.key] = png
                if on_image is not None:
                    on_image(png)
        if note is None and self._failures:
            note = f"{len(self._failures)} Grafik(en) konnten nicht erzeugt werden ({'; '.join(self._failures[:3])})."
        return ChartImages(images, note, dict(self._seconds), self.startup_s)

    def close(self) -> None:
        """Close the browser and stop the thread (safe to call twice)."""
        if self._loop is None:
            return
        try:
            session = self._opened.result(timeout=self.timeout)  # let a starting browser finish, then close it
            asyncio.run_coroutine_threadsafe(session.close(), self._loop).result(timeout=30)
        except Exception:  # noqa: BLE001 - closing is best effort; a browser that never opened needs none
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        if not self._thread.is_alive():
            self._loop.close()
        self._loop = None

    def __enter__(self) -> "ChartSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def render(charts, *, timeout: float = TIMEOUT_S) -> ChartImages:
    """PNG images (scale 2) of ``charts`` (:class:`monitor.report.model.Chart`), from the cache or rendered in
    one browser session. Missing kaleido/Chromium or a failing browser give a ``note``, never an exception."""
    charts = list(charts)
    if all(cached(c) is not None for c in charts):
        return ChartImages({c.key: cached(c) for c in charts})
    with ChartSession(timeout) as session:
        return session.collect(charts)
