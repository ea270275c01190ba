"""The closed ``hro:`` namespace (rightsgraph/core/_hro.py) is generated from the ontology
and current; an undeclared term is an error, not a new IRI."""
from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT
from rdflib import URIRef

from rightsgraph.core.namespaces import HRO, HRO_IRI, PREFIXES


def test_the_generated_module_is_current():
    """Run the generator in check mode: it compares the module with what it would write."""
    tool = ROOT / "tools" / "build_namespace.py"
    run = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_declared_terms_resolve_and_others_fail():
    assert HRO.concernsArticle == URIRef(HRO_IRI + "concernsArticle")
    assert HRO["Paragraph"] == URIRef(HRO_IRI + "Paragraph")
    with pytest.raises(AttributeError, match="concernsArticel"):
        _ = HRO.concernsArticel
    with pytest.raises(AttributeError):
        _ = HRO["NoSuchClass"]


def test_the_prefix_table_uses_the_namespace():
    assert PREFIXES["hro"] == HRO_IRI == str(HRO)
