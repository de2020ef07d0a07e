"""Benchmarks: where the time goes, against the naive alternatives. Run with ``make bench``."""
