"""The seed documents that ``rightsgraph build seeds`` builds, shipped as package data."""
