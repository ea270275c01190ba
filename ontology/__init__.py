"""The rightsgraph ontology (``rightsgraph.ttl``) and the reference registries
(``registries/``), shipped as package data."""
