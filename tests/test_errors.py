"""One error base class: every exception class rightsgraph defines derives from
RightsgraphError and carries the exit code the command line ends with."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from conftest import run_cli

from rightsgraph.core.errors import (
    EXIT_FAILED,
    EXIT_SERVE,
    EXIT_USAGE,
    RightsgraphError,
    ServeError,
    UsageError,
)

STAGES = ("rightsgraph", "rightsgraph.extract", "rightsgraph.graph", "rightsgraph.api",
          "rightsgraph.fetch")  # the stages are installed as subpackages from their folders


def _modules():
    names = set()
    for stage in STAGES:
        package = importlib.import_module(stage)
        names.update(info.name for info in pkgutil.walk_packages(package.__path__, stage + ".")
                     if not info.ispkg)
    for name in sorted(names):
        yield importlib.import_module(name)


def test_every_public_exception_class_derives_from_the_base():
    defined = {
        (module.__name__, name): cls
        for module in _modules()
        for name, cls in vars(module).items()
        if inspect.isclass(cls) and issubclass(cls, BaseException)
        and cls.__module__ == module.__name__ and not name.startswith("_")
    }
    assert len(defined) >= 15  # stores, readers, extraction, validation, server, fetch
    outside = sorted(f"{module}.{name}" for (module, name), cls in defined.items()
                     if not issubclass(cls, RightsgraphError))
    assert outside == []
    for cls in defined.values():
        assert cls.exit_code in (EXIT_FAILED, EXIT_USAGE, EXIT_SERVE)


def test_exit_codes_by_kind():
    from rightsgraph.extract.pipeline import ExtractionError
    from rightsgraph.graph.rdfio import RdfReadError
    from rightsgraph.graph.store import QuerySyntaxError, StoreError

    assert ExtractionError.exit_code == StoreError.exit_code == EXIT_FAILED == 1
    assert QuerySyntaxError.exit_code == RdfReadError.exit_code == UsageError.exit_code == 2
    assert ServeError.exit_code == 3


@pytest.mark.parametrize("argv, code, says", [
    (["validate", "missing.ttl"], 2, "missing.ttl: no such file"),
    (["extract", "missing.txt"], 1, "missing.txt"),
    (["query", "SELECT ?x WHERE {", "--store", "{store}"], 2, "does not parse"),
    (["query", "ASK {}", "--store", "no-store-here"], 1, "no store here"),
])
def test_the_command_line_exits_with_the_code_of_the_error(capsys, tmp_path, argv, code, says):
    if "{store}" in argv:
        assert run_cli(capsys, "build", "seeds", "--store", tmp_path / "store")[0] == 0
        argv = [str(tmp_path / "store") if a == "{store}" else a for a in argv]
    exit_code, _, err = run_cli(capsys, *argv)
    assert exit_code == code
    assert says in err and "Traceback" not in err
