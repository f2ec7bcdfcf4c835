"""Benchmarks and fault drills (scripts, not tests). Run with `make bench`."""
