"""The wheel holds every data file of the data folders, where importlib.resources finds
them, and reports the version rightsgraph reports.  Built offline (no build isolation,
no dependencies) from a copy of the sources, so nothing is written into the checkout;
`make wheel-check` installs it and runs it from an empty folder."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser

import pytest
from conftest import ROOT

from rightsgraph import __version__

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# what the wheel is made of: the folders of [tool.setuptools.package-dir] besides rightsgraph/
SOURCES = sorted({"pyproject.toml", "README.md", "rightsgraph",
                  *PYPROJECT["tool"]["setuptools"]["package-dir"].values()})
# repo folder -> where its files are in the wheel
DATA_FOLDERS = {
    "ontology": "rightsgraph/ontology", "shapes": "rightsgraph/shapes",
    "seeds": "rightsgraph/seeds", "extract/phrases": "rightsgraph/extract/phrases",
    "api/templates": "rightsgraph/api/templates", "api/static": "rightsgraph/api/static",
    "api/queries": "rightsgraph/api/queries",
}
NOT_DATA = ("__pycache__", ".pyc")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, src / name)
    dist = tmp_path_factory.mktemp("dist")
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "-w", str(dist), str(src)],
        capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    [built] = dist.glob("rightsgraph-*.whl")
    return zipfile.ZipFile(built)


def _data_files(folder: str) -> list[str]:
    return sorted(str(path.relative_to(ROOT / folder)) for path in (ROOT / folder).rglob("*")
                  if path.is_file() and not any(part in str(path) for part in NOT_DATA)
                  and path.suffix != ".py")


@pytest.mark.parametrize("folder", sorted(DATA_FOLDERS))
def test_every_data_file_is_in_the_wheel(wheel, folder):
    names = set(wheel.namelist())
    files = _data_files(folder)
    assert files, f"{folder} holds no data files"
    missing = [f for f in files if f"{DATA_FOLDERS[folder]}/{f}" not in names]
    assert missing == []


def test_the_core_data_files_and_every_module_are_in_the_wheel(wheel):
    names = set(wheel.namelist())
    for folder, target in {"rightsgraph": "rightsgraph", "extract": "rightsgraph/extract",
                           "graph": "rightsgraph/graph", "api": "rightsgraph/api",
                           "fetch": "rightsgraph/fetch"}.items():
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".toml") and "__pycache__" not in str(path):
                assert f"{target}/{path.relative_to(ROOT / folder)}" in names, path


def test_the_metadata_is_publishable_and_the_version_is_ours(wheel):
    [metadata_name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    metadata = Parser().parsestr(wheel.read(metadata_name).decode("utf-8"))
    assert metadata["Name"] == "rightsgraph"
    assert metadata["Version"] == __version__
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Requires-Python"] == ">=3.11"
    assert any(c.startswith("Programming Language :: Python :: 3.11")
               for c in metadata.get_all("Classifier"))
    assert any(url.startswith("Homepage, https://rightsgraph.org/")
               for url in metadata.get_all("Project-URL"))
    entry_points = next(n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt"))
    assert "rightsgraph = rightsgraph.cli:main" in wheel.read(entry_points).decode()
