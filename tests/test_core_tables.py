"""The shared tables of rightsgraph.core: formats and languages, checked against the
libraries that use them and against the data files."""
from __future__ import annotations

from typing import get_args

import pyoxigraph as ox
import pytest
from rdflib.plugin import Serializer, get

from rightsgraph.core import formats, languages
from rightsgraph.core.resources import package_path

ALL = formats.RDF + formats.RESULTS


@pytest.mark.parametrize("fmt", ALL, ids=lambda f: f.name)
def test_every_format_is_known_to_pyoxigraph_by_its_media_type(fmt):
    found = fmt.oxigraph
    assert found.media_type.split(";")[0] == fmt.media_type
    assert isinstance(found, ox.RdfFormat if fmt.kind == "rdf" else ox.QueryResultsFormat)


@pytest.mark.parametrize("fmt", formats.RDF, ids=lambda f: f.name)
def test_every_rdf_format_has_an_rdflib_serializer(fmt):
    assert get(fmt.rdflib, Serializer)


def test_names_are_unique_within_each_table():
    for table in (formats.RDF, formats.RESULTS):
        names = [n for f in table for n in (f.name, *f.aliases)]
        assert len(names) == len(set(names))
    suffixes = [s for f in ALL for s in f.suffixes]
    assert len(suffixes) == len(set(suffixes))


def test_rdf_xml_is_rdf_and_xml_is_its_alias_only_for_rdf():
    assert formats.rdf("rdf") is formats.rdf("xml")
    assert formats.rdf("xml").media_type == "application/rdf+xml"
    assert formats.results("xml").media_type == "application/sparql-results+xml"
    web = formats.web_names()
    assert web["rdf"] == "application/rdf+xml"
    assert web["xml"] == "application/sparql-results+xml"
    with pytest.raises(KeyError):
        formats.results("rdf")


def test_every_use_names_formats_of_the_table():
    for chosen in (formats.GRAPHS, formats.DUMPS, formats.EXTRACT, formats.REGISTRIES):
        for name in chosen:
            assert formats.rdf(name).name == name


def test_the_language_type_and_the_tuple_agree_with_the_phrase_files():
    assert get_args(languages.Language) == languages.LANGUAGES
    assert languages.LANGUAGES == ("en", "fr", "es", "ru", "zh", "ar")
    phrases = package_path("rightsgraph.extract", "phrases")
    assert sorted(p.stem for p in phrases.glob("*.toml")) == sorted(languages.LANGUAGES)
    assert set(languages.LANGUAGES) >= languages.RTL
