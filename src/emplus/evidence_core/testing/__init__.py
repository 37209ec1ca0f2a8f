"""Synthetic test data for the evidence core (tests and benchmarks only, never the platform)."""
