"""Synthetic archive dumps in our own words, for demos, tests and benchmarks."""

from samples.generator import generate_corpus

__all__ = ["generate_corpus"]
