"""Every colour of the project, named by its role: themes and statuses (also written into the database by the
ETL through :mod:`monitor.core.vocab`), charts, maps, the app's legends and badges, the report files and the
XLSX header. No other module writes a colour value; they name the role here.

It lives in ``monitor.core`` (not in ``monitor.figures``) because the vocabulary (themes), the data layer (map
value classes, the XLSX header) and the report all need colours, and imports only go downwards. Imports nothing.

Origins, noted once:
- *Okabe-Ito* (Okabe & Ito 2008, "Color Universal Design"): the theme colours, the highlight and the milestone
  states; they stay distinguishable with the common colour-vision deficiencies.
- *viridis* (matplotlib): the map's sequential value ramp, perceptually uniform and colour-blind safe.
- *ColorBrewer* "Blues": the status line, light = early, dark = late.
- Greys for everything that must not compete with the data (references, grid, notes, missing values).
"""
from __future__ import annotations

from types import MappingProxyType

# ---------------------------------------------------------------------------------------------- base colours
# Okabe-Ito
_BLUE = "#0072B2"
_BLUISH_GREEN = "#009E73"
_ORANGE = "#E69F00"
_REDDISH_PURPLE = "#CC79A7"
_VERMILLION = "#D55E00"
_SKY_BLUE = "#56B4E9"
# Neutrals, dark to light
BLACK = "#000000"
_GREY_12 = "#1E1E1E"
_GREY_13 = "#222222"
_GREY_20 = "#333333"
_GREY_30 = "#4D4D4D"
_GREY_33 = "#555555"
_GREY_43 = "#6E6E6E"
_GREY_50 = "#7F7F7F"
_GREY_60 = "#999999"
_GREY_62 = "#9E9E9E"
_GREY_69 = "#B0B0B0"
_GREY_74 = "#BDBDBD"
_GREY_85 = "#D9D9D9"
_GREY_90 = "#E5E5E5"
_GREY_93 = "#EEEEEE"
WHITE = "#FFFFFF"

# ---------------------------------------------------------------------------------------------- vocabulary
#: One colour per theme (Okabe-Ito), demography neutral grey; keyed by ``Theme.theme_id``.
THEME_COLOURS = MappingProxyType({
    "mobility": _BLUE, "supply": _BLUISH_GREEN, "tourism": _ORANGE, "value_chains": _REDDISH_PURPLE,
    "demography": _GREY_50,
})
#: Nearest named Streamlit colour of each theme colour, for ``st.badge`` next to theme names.
THEME_BADGES = MappingProxyType({
    "mobility": "blue", "supply": "green", "tourism": "orange", "value_chains": "violet", "demography": "gray",
})
#: Unknown theme (badge) and the Beispieldaten badge.
OTHER_BADGE = "gray"
SAMPLE_BADGE = "orange"
#: The status line in ColorBrewer "Blues" (light = early), greys for the two states off the line.
STATUS_COLOURS = MappingProxyType({
    "Idee": "#deebf7", "In Beratung": "#c6dbef", "In Vorbereitung": "#9ecae1", "Beantragt": "#6baed6",
    "Bewilligt": "#4292c6", "In Umsetzung": "#2171b5", "Abgeschlossen": "#08306b",
    "Ruht": "#bdbdbd", "Verworfen": "#737373",
})
#: Text on a bar in a status colour: dark text on the light blues, light text on the dark ones.
TEXT_ON_LIGHT = BLACK
TEXT_ON_DARK = WHITE

# ---------------------------------------------------------------------------------------------- charts
#: Reference lines (district, Land) in neutral greys, so the theme colour stays the subject.
DISTRICT_LINE = _GREY_30
STATE_LINE = _GREY_60
#: Germany, the third benchmark, in its own colour (Okabe-Ito sky blue, used by no theme) and dash-dotted, so it
#: stays apart from the greys and from the mobility blue without relying on colour alone.
GERMANY_LINE = _SKY_BLUE
#: The one municipality highlighted against the others (Okabe-Ito vermillion).
HIGHLIGHT = _VERMILLION
#: A withheld or missing value (bars, map).
MISSING = _GREY_74
#: The dashed line of a break in a series.
BREAK_LINE = _GREY_20
#: Small grey notes in a chart ('keine Angabe ...').
NOTE_TEXT = _GREY_33
#: Separators between stacked or funnel segments.
SEGMENT_EDGE = WHITE
FUNNEL_EDGE = _GREY_30
FUNNEL_CONNECTOR = _GREY_93
#: Grid lines of the report's small multiples and their panel titles.
GRID = _GREY_90
PANEL_TITLE = _GREY_13
#: Milestone states (Okabe-Ito): done = bluish green, done late = orange, overdue = vermillion, open = grey;
#: the due date as a black outline.
DONE = _BLUISH_GREEN
DONE_LATE = _ORANGE
OVERDUE = _VERMILLION
OPEN = _GREY_60
DUE_MARKER = BLACK
#: Money: funds granted (Okabe-Ito blue) against total cost (a light tint of it).
GRANTED = _BLUE
COST = "#C7DDEE"
#: The 'today' line of timelines, the status history line and the edge of its markers.
TODAY_LINE = _GREY_30
HISTORY_LINE = _GREY_62
HISTORY_MARKER_EDGE = _GREY_30

# ---------------------------------------------------------------------------------------------- actor network
NO_THEME = _GREY_60
NETWORK_EDGE = _GREY_69
NODE_EDGE = _GREY_20
ROUNDS_BAR = _GREY_30
#: Invisible markers that only carry a hover (plotly rgba).
TRANSPARENT = "rgba(0,0,0,0)"

# ---------------------------------------------------------------------------------------------- maps
#: Viridis in five steps, reversed so light = low and dark = high (readable on white without base map).
RAMP: tuple[str, ...] = ("#FDE725", "#5EC962", "#21918C", "#3B528B", "#440154")
MUNICIPALITY_EDGE = WHITE
SELECTED_EDGE = BLACK
#: The approximate extent (hull of the municipality points): a very light area with a dashed grey edge.
OUTLINE_FILL = _GREY_50
OUTLINE_EDGE = _GREY_43
#: Names of the central places: dark text with a white halo.
PLACE_NAME = _GREY_12
PLACE_HALO = WHITE
#: Edge of the initiative points; an initiative of an unknown theme.
INITIATIVE_EDGE = _GREY_20
UNKNOWN_THEME = BLACK
#: Locator map: the other municipalities of the district and the chosen one (Okabe-Ito vermillion).
LOCATOR_OTHER = _GREY_85
LOCATOR_CHOSEN = _VERMILLION
#: A legend symbol whose colour is not a ``#RRGGBB`` value.
LEGEND_FALLBACK = BLACK

# ---------------------------------------------------------------------------------------------- report files
#: The report's accent (headings, table rules, the XLSX header), grey for secondary text, red for the
#: 'intern' marking and errors, orange for the draft marking and warnings.
REPORT_ACCENT = "#0B3C5D"
REPORT_SECONDARY = _GREY_33
REPORT_ZEBRA = "#F2F5F8"
REPORT_RULE = "#C8D0D8"
REPORT_ALERT = "#B00020"
REPORT_ALERT_BG = "#FDECEE"
REPORT_WARNING = "#B35C00"
REPORT_WARNING_BG = "#FFF4E0"


def hex_digits(colour: str) -> str:
    """'#0B3C5D' -> '0B3C5D' (openpyxl's and python-docx's form)."""
    return colour.lstrip("#").upper()


def rgba(colour: str, alpha: int = 255) -> list[int]:
    """'#0072B2' -> [0, 114, 178, alpha] (deck.gl's form)."""
    c = colour.lstrip("#")
    return [int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), alpha]
