"""Text from data files made safe for the places that read markup: Streamlit's Markdown and plotly's labels.

Every text that comes from a source file or the workbook (names, sources, units, titles, notes) is shown as
text, never as Markdown, HTML or LaTeX — a Markdown image in a source name would otherwise make every
visitor's browser fetch its address, a link would be clickable, ``<span style=…>`` would be styled.

- :func:`md_text` for ``st.markdown``/``st.caption``/``st.info``/metric labels and any other Streamlit
  element that renders Markdown: every Markdown, HTML and LaTeX special character backslash-escaped, and
  addresses that Streamlit's Markdown would turn into links by themselves (``https://…``, ``www.…``,
  ``name@host.de``) interrupted by an invisible word joiner.
- :func:`plotly_text` for plotly titles, axis titles, tick labels, bar texts, annotations and hover texts:
  plotly reads a subset of HTML there (``<a href>``, ``<span style>``, ``<b>``, ``<br>``, entities), so ``&``,
  ``<`` and ``>`` become entities.

Pydeck tooltips are set as text (``{"text": …}``, rendered with ``innerText``), reportlab and Word get
their own XML escaping (``monitor/report/pdf.py``, ``docx.py``).
"""
from __future__ import annotations

import html
import math
import re

from monitor.core.format import MISSING


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>:~$=&])")
#: U+2060 WORD JOINER: invisible and no line break; splits what GitHub-flavoured Markdown autolinks.
_JOINER = "\u2060"
#: What GFM links without any markup ("autolink literals"): a scheme's ``://``, ``www.`` and an e-mail's ``@``.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=\\?://)|(?<=\bwww)(?=\\?\.)|(?<=@)")


def _missing(text) -> bool:
    return text is None or (isinstance(text, float) and math.isnan(text))


def md_text(text) -> str:
    """``text`` as Markdown that shows exactly ``text``: Markdown, HTML and LaTeX (``$``) special characters
    backslash-escaped, line breaks kept, automatic links (``https://``, ``www.``, ``a@b.de``) broken by an
    invisible word joiner. None/NaN -> '–'."""
    if _missing(text):
        return MISSING
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text))
    return _AUTOLINK.sub(_JOINER, escaped).replace("\r\n", "\n").replace("\n", "  \n")


def plotly_text(text) -> str:
    """``text`` for a plotly label, title or hover text: ``&``, ``<`` and ``>`` as entities, so plotly's HTML
    subset (links, styles, bold) shows literally. None/NaN -> ''."""
    if _missing(text):
        return ""
    return html.escape(str(text), quote=False)
