"""The period report to the federal ministry and the Gemeinde-Steckbrief.

- :mod:`monitor.report.model`: the report as a frozen dataclass tree (tables, key figures, chart specs, blocks).
- :mod:`monitor.report.content`: :func:`~monitor.report.content.build_report` (params -> Report), pure; a package
  with one module per role (selection, queries, indicators, charts, sections, text, layout).
- :mod:`monitor.report.page`: the page "Bericht"'s loader (the report cached per parameters and database
  version, the preview, files on demand).
- :mod:`monitor.report.figures`: chart images via kaleido/Chromium (cached; a German note when unavailable).
- :mod:`monitor.report.pdf`, :mod:`~monitor.report.docx`, :mod:`~monitor.report.xlsx`: writers, Report -> bytes.
- :mod:`monitor.report.profile`: the one-page municipality profile (PDF).
- ``python -m monitor.report``: the command line (same content as the page "Bericht").

Kept free of imports so that ``monitor.report.figures`` can start the browser before the heavy modules load.
"""
