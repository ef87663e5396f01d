"""Benchmarks: figures, not tests (``python -m bench``)."""
