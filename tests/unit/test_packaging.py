"""pyproject.toml and the constraints files, checked without a network.

The resolver itself runs in `make serverless-check` (tools/serverless/fit.py): pip, in venvs
holding a serverless image's packages. These are the fast rules behind it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from 3.11")

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
IMAGES = sorted((ROOT / "tools" / "serverless").glob("env*.txt"))


def pins(path: Path) -> dict[str, str]:
    """name -> exact version of a requirements or constraints file (`-c` lines followed)."""
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-c "):
            out.update(pins(path.parent / line[3:].strip()))
        elif line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"{path.name}: {line} is not an exact pin"
            out[canonicalize_name(req.name)] = spec.version
    return out


def runtime() -> list[Requirement]:
    return [Requirement(text) for text in PROJECT["dependencies"]]


def extra(name: str) -> list[Requirement]:
    return [Requirement(text) for text in PROJECT["optional-dependencies"][name]]


def test_the_wheel_requires_ranges_never_exact_pins():
    # An exact pin would replace the package in a serverless image, under the runtime.
    for req in runtime():
        assert not any(s.operator in ("==", "===") for s in req.specifier), str(req)


@pytest.mark.parametrize("image", IMAGES, ids=lambda p: p.name)
def test_every_serverless_image_version_meets_the_wheels_requirements(image):
    versions = pins(image)
    assert "databricks-sdk" in versions and "protobuf" in versions
    for req in runtime():
        have = versions.get(canonicalize_name(req.name))
        if have is not None:
            assert req.specifier.contains(have), f"{image.name}: {req.name} {have} vs {req}"


def test_local_work_pins_fit_the_ranges_and_extras():
    local = pins(ROOT / "constraints.txt")
    remote = pins(ROOT / "constraints-remote.txt")
    assert local["databricks-sdk"] == "0.156.0"  # newer ones need a certifi the registry lacks
    assert local["pyspark"].startswith("4.2.") and local["delta-spark"] == "4.4.0"
    assert int(local["pandas"].split(".")[0]) < 3  # pyspark 4.2 does not support pandas 3
    for req in (*runtime(), *extra("local"), *extra("remote")):
        for versions in (local, remote):
            have = versions.get(canonicalize_name(req.name))
            if have is not None:
                assert req.specifier.contains(have), f"{req.name} {have} vs {req}"


def test_databricks_connect_is_its_own_extra_never_beside_pyspark():
    local = {canonicalize_name(r.name) for r in extra("local")}
    remote = {canonicalize_name(r.name) for r in extra("remote")}
    assert "pyspark" in local and "databricks-connect" in remote
    assert not remote & {"pyspark", "delta-spark"}  # databricks-connect brings its own pyspark
    assert "pyspark" not in {canonicalize_name(r.name) for r in runtime()}
    (connect,) = extra("remote")
    # versions at or below serverless's runtime: environment 3 carries 16.x, 4 carries 18.0
    assert connect.specifier.contains("16.1.7") and connect.specifier.contains("18.0.1")
    assert not connect.specifier.contains("18.1.0")


def test_license_is_an_spdx_string_for_a_setuptools_that_reads_it():
    # The TOML-table form warns on every build from setuptools 77 on; the string needs 77+.
    assert PROJECT["license"] == "Apache-2.0"
    (setuptools,) = [
        Requirement(r) for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools")
    ]
    assert not setuptools.specifier.contains("76.1.0")
    assert setuptools.specifier.contains("77.0.3")


def test_make_setup_installs_with_the_constraints():
    makefile = (ROOT / "Makefile").read_text()
    assert '-c constraints.txt -e ".[local,dev]"' in makefile
    assert '-c constraints-remote.txt -e ".[remote,dev]"' in makefile
    assert "tools/serverless/fit.py" in makefile
