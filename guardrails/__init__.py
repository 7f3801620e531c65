"""Compliance rules as code and data. Knows no pipeline and no HTTP: pure checks over models."""
