"""rightsgraph: UN treaty-body concluding observations as a validated linked-data graph."""

__version__ = "0.3.0.dev0"
