"""Figures of the Akteure page: the actor network and the coordination rounds per quarter (plotly). Built from
the results of :func:`monitor.data.actors.load` (the network's positions are computed there); no SQL.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from monitor.core import palette
from monitor.core.format import stand_text
from monitor.core.vocab import THEME_BY_ID, THEMES
from monitor.figures.indicators import FONT, Draft, count_axis, plain


def theme_colour(theme: str | None) -> str:
    """The theme's colour, grey for organisations without an initiative in scope."""
    return THEME_BY_ID[theme].colour if theme in THEME_BY_ID else palette.NO_THEME


def network_figure(nodes: pd.DataFrame, edges: pd.DataFrame, positions: dict[str, tuple[float, float]], *, stand,
                   title: str = "Wer arbeitet mit wem?", label_top: int = 10) -> go.Figure:
    """The actor network: lines for links (width by weight, hover names the shared initiatives/rounds),
    circles for organisations (size by number of partners, colour by main theme, one legend entry per theme).
    Only the ``label_top`` most connected organisations carry a name label, written away from the centre (to the
    right of nodes right of the centre, else to the left); all have a hover, so a large
    network stays readable.

    ``nodes`` as from :func:`monitor.data.actors.actors` (needs ``organisation``, ``partners``, ``initiatives``,
    ``rounds``, ``main_theme``); ``edges`` as from :func:`monitor.data.actors.links`; ``positions`` of every node
    as from :func:`monitor.data.actors.network_positions`."""
    fig = Draft()
    ranked = nodes.sort_values(["partners", "initiatives", "organisation"], ascending=[False, False, True])
    labelled = set(ranked["organisation"].head(label_top))
    note = "" if len(nodes) <= label_top else f" · Namen der {label_top} am stärksten vernetzten, alle beim Zeigen"
    fig.update_layout(
        title=dict(text=title, subtitle=dict(
            text=f"{stand_text(stand)} · Kreisgröße = Zahl der Partner, Linienstärke = gemeinsame Initiativen "
                 f"und Runden{note}")),
        separators=",.", font=FONT, height=680, margin=dict(l=10, r=10, t=80, b=10),
        xaxis=dict(visible=False), yaxis=dict(visible=False),
        legend=dict(orientation="h", yanchor="top", y=-0.02, xanchor="left", x=0, title=dict(text="Hauptthema:")),
        hoverlabel=dict(namelength=-1),
    )
    if nodes.empty:
        fig.add_annotation(text="Keine Akteure im gewählten Ausschnitt", x=0.5, y=0.5, xref="paper",
                           yref="paper", showarrow=False)
        return fig.figure()
    for weight, part in edges.groupby("weight"):
        xs, ys = [], []
        for e in part.itertuples(index=False):
            (x0, y0), (x1, y1) = positions[e.source], positions[e.target]
            xs += [x0, x1, None]
            ys += [y0, y1, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines",
                                 line=dict(color=palette.NETWORK_EDGE, width=1 + 1.5 * float(weight)),
                                 hoverinfo="skip", showlegend=False, name=f"Verbindung (Gewicht {weight})"))
    if not edges.empty:
        mids_x, mids_y, texts = [], [], []
        for e in edges.itertuples(index=False):
            (x0, y0), (x1, y1) = positions[e.source], positions[e.target]
            mids_x.append((x0 + x1) / 2)
            mids_y.append((y0 + y1) / 2)
            texts.append(f"{plain(e.source)} – {plain(e.target)}<br>gemeinsame Initiativen: {e.shared_initiatives}"
                         f"<br>gemeinsame Abstimmungsrunden: {e.shared_rounds}")
        fig.add_trace(go.Scatter(x=mids_x, y=mids_y, mode="markers", marker=dict(size=8, color=palette.TRANSPARENT),
                                 text=texts, hovertemplate="%{text}<extra></extra>", showlegend=False,
                                 name="Verbindungen"))
    groups = [(t.theme_id, t.name_de) for t in THEMES] + [(None, "ohne Initiative im Ausschnitt")]
    for theme_id, label in groups:
        part = nodes[nodes["main_theme"].isna()] if theme_id is None else nodes[nodes["main_theme"] == theme_id]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=[positions[o][0] for o in part["organisation"]], y=[positions[o][1] for o in part["organisation"]],
            mode="markers+text", name=label,
            text=[plain(o) if o in labelled else "" for o in part["organisation"]],
            textposition=["middle right" if positions[o][0] >= 0 else "middle left" for o in part["organisation"]],
            textfont=dict(size=11),
            marker=dict(size=[min(9 + 2 * int(p), 36) for p in part["partners"]], color=theme_colour(theme_id),
                        line=dict(color=palette.NODE_EDGE, width=1)),
            customdata=list(zip([plain(o) for o in part["organisation"]], part["initiatives"].astype(int),
                                part["rounds"].astype(int), part["partners"].astype(int))),
            hovertemplate="%{customdata[0]}<br>Initiativen: %{customdata[1]}<br>Abstimmungsrunden: "
                          "%{customdata[2]}<br>Partner: %{customdata[3]}<extra></extra>",
        ))
    # The disc fills the plot (stretched to the figure's aspect): more room between the names; at the sides
    # room for the names written beside the outermost nodes (up to ~30 characters on a page-wide chart).
    fig.update_xaxes(range=[-1.4, 1.4])
    fig.update_yaxes(range=[-1.08, 1.12])
    return fig.figure()


def rounds_figure(per_quarter: pd.DataFrame, *, stand) -> go.Figure:
    """Bars: number of coordination rounds per quarter (``quarter``, ``n`` from
    :func:`monitor.data.actors.rounds_per_quarter`)."""
    fig = Draft()
    fig.update_layout(
        title=dict(text="Abstimmungsrunden je Quartal", subtitle=dict(text=stand_text(stand))),
        separators=",.", font=FONT, height=320, margin=dict(l=10, r=10, t=80, b=10),
        showlegend=False,
    )
    fig.update_xaxes(title=dict(text="Quartal"), type="category")
    fig.update_yaxes(**count_axis(per_quarter["n"].max() if not per_quarter.empty else 0,
                                  title=dict(text="Anzahl Abstimmungsrunden")))
    if per_quarter.empty:
        return fig.figure()
    fig.add_trace(go.Bar(x=per_quarter["quarter"].tolist(), y=per_quarter["n"].tolist(),
                         marker=dict(color=palette.ROUNDS_BAR), name="Abstimmungsrunden",
                         hovertemplate="%{x}: %{y} Runden<extra></extra>"))
    return fig.figure()
