"""The SHACL shapes (``*.ttl``), shipped as package data."""
