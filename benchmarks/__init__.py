"""Synth-time benchmarks (not tests): ``python benchmarks/synth_bench.py``."""
