"""Extractor: concluding observations -> structured model -> references -> RDF."""
