"""The pure evidence core: reference data, the participant file, indicators, progression, effects.

Plain Python over columnar data (Polars, NumPy): no Django, no import of any app, so the same
code runs from the database, from a file on the command line and in the benchmarks. Callers
pass in what it needs; the import-linter contracts in pyproject.toml keep it so.
"""
