"""Figures layer: plotly and pydeck builders from data results, and the one palette. No SQL, no Streamlit."""
