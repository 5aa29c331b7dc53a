"""Data layer: the one way into DuckDB, the filter value with its SQL, and one loader module per page.
Returns DataFrames and frozen dataclasses. Imports only ``monitor.core``; no Streamlit, no plotly/pydeck."""
