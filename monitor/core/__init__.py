"""Bottom layer: the project's vocabulary (themes, statuses, flags), the one palette of colours, German formatting
and the one bounded cache.
Imports nothing else of ``monitor``; no Streamlit, no plotly, no database."""
