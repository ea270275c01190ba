"""Extractor: concluding observations -> structured model -> references -> RDF.

The public verbs, one per stage (see the README for the flow)::

    read(path)                  a file -> the intermediate form (readers/)
    extract_file(path)          a file -> the structured model with its references
    find_references(text, ctx)  the references in one text
    to_graph(document)          the model -> an RDF dataset with one named graph
"""
from rightsgraph.extract.pipeline import ExtractionError, extract_file, extract_source
from rightsgraph.extract.readers import ReadError, read
from rightsgraph.extract.references import Context, find_references
from rightsgraph.extract.triples import to_graph

__all__ = ["Context", "ExtractionError", "ReadError", "extract_file", "extract_source",
           "find_references", "read", "to_graph"]
