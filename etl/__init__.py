"""ETL of the Regionalmonitor: statistics exports and the portfolio workbook into one DuckDB file."""
