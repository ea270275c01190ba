"""The bottom layer of rightsgraph: what every stage shares and no stage owns.

Identifiers and the URI scheme (:mod:`.identifiers`), the ``hro:`` namespace and the prefixes
(:mod:`.namespaces`), the reference registries (:mod:`.registries`), the data files that
ship with the package (:mod:`.resources`) and values bound into SPARQL (:mod:`.sparql`).
Nothing here imports a stage: the import contract is core ← extract ← graph ← api ← cli.
"""
