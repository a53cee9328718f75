"""Geometry and spatial analysis. No Streamlit here: the ETL, the dashboard and the benchmark share it."""
