"""Downloading concluding observations into a cache folder that ``rightsgraph build`` reads.

Sources (:mod:`.sources`, their URL templates in ``sources.toml`` with citations) are tried
in order for each (symbol, language); every download is checked (:mod:`.checks`) before it
enters the cache (:mod:`.cache`), whose manifest records every outcome.  May import
``rightsgraph.core`` and ``rightsgraph.extract`` only.
"""
from rightsgraph.fetch.cache import Cache, CacheError, Row
from rightsgraph.fetch.run import Options, Summary, fetch
from rightsgraph.fetch.sources import Source, SourceError, ordered_sources

__all__ = ["Cache", "CacheError", "Options", "Row", "Source", "SourceError", "Summary", "fetch",
           "ordered_sources"]
