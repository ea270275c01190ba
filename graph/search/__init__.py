"""Full-text search over the paragraphs of the store: language-aware analysis
(:mod:`.analysis`, rules in ``languages.toml``), the query language (:mod:`.query`), facets
(:mod:`.facets`, the table ``facets.toml``) and the Tantivy index beside the store
(:mod:`.index`)."""
from __future__ import annotations

from rightsgraph.graph.search.index import (
    Hit,
    Results,
    SearchIndex,
    SearchIndexError,
    default_path,
    open_index,
)
from rightsgraph.graph.search.query import QueryError
from rightsgraph.graph.search.rows import GraphRows, document_rows

__all__ = ["GraphRows", "Hit", "QueryError", "Results", "SearchIndex", "SearchIndexError",
           "default_path", "document_rows", "open_index"]
