"""Figures layer: plotly and pydeck builders from data results (colours from ``monitor.core.palette``). No SQL, no
Streamlit."""
