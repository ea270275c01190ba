"""The data files that ship inside the package, found with :mod:`importlib.resources`.

Data lives in packages of its own (``rightsgraph.ontology`` with the registries,
``rightsgraph.shapes``, ``rightsgraph.seeds``) or beside the module that reads it (a stage's
phrase files, templates and example queries, found by that stage with :func:`package_path`).
Nothing is found through ``Path(__file__).parent.parent``: the same code works from a checkout,
an editable install and an installed wheel.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from rightsgraph.core.errors import RightsgraphError


class MissingDataError(RightsgraphError, FileNotFoundError):
    """A data file the package should carry is not there (a broken installation)."""


def package_path(package: str, *parts: str) -> Path:
    """The file or folder ``parts`` inside ``package`` as a path on disk.

    rightsgraph is installed as plain files (a wheel unpacks to folders), so the package's
    resources are real paths; a zipped installation is refused with a clear message.
    """
    resource = files(package).joinpath(*parts)
    path = Path(str(resource))
    if not path.exists():
        where = "/".join(parts) or "."
        raise MissingDataError(
            f"{package}: {where} is missing from the installation ({path}); "
            "reinstall rightsgraph")
    return path


def ontology_file() -> Path:
    """``ontology/rightsgraph.ttl``."""
    return package_path("rightsgraph.ontology", "rightsgraph.ttl")


def registries_root() -> Path:
    """``ontology/registries/``: treaties, committees, general comments, ILO, SDG, States."""
    return package_path("rightsgraph.ontology", "registries")


def shapes_root() -> Path:
    """``shapes/``: the SHACL shapes (``*.ttl``)."""
    return package_path("rightsgraph.shapes")


def seeds_root() -> Path:
    """``seeds/``: the seed documents that ``rightsgraph build seeds`` builds."""
    return package_path("rightsgraph.seeds")


def symbols_file() -> Path:
    """``rightsgraph/core/symbols.toml``: how UN document symbols are written."""
    return package_path("rightsgraph.core", "symbols.toml")
