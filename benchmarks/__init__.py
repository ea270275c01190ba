"""Benchmarks of rightsgraph: synthetic corpora, build throughput, SPARQL servers (not tests)."""
