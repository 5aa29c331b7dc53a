"""App layer: Streamlit widgets (sidebar filters), page helpers, the page-run gate and the launcher."""
