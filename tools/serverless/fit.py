"""Does the wheel fit a serverless environment? `make serverless-check` (CI runs it).

Builds the wheel once, then for each image file (env3.txt, env4.txt: the packages a serverless
environment's client image carries) asks pip, in a venv holding exactly those packages, what
installing the wheel would do: ``pip install --dry-run --report``. It fails when the install
would change any package the image already has (databricks-sdk, protobuf, ...), or leave any
package's requirements unmet, and when the build prints a setuptools deprecation warning.

The image venvs are cached (keyed by the image file and the interpreter) under
``$INTACCT_SYNC_CACHE`` or ``~/.cache/intacct-sync``: the first run installs them (about a
minute each), later runs only build and resolve. Python 3.12, serverless's, is used when found.

    python tools/serverless/fit.py [--image tools/serverless/env4.txt ...] [--wheel dist/x.whl]
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
IMAGES = sorted((ROOT / "tools" / "serverless").glob("env*.txt"))

# Run inside an image venv: what is installed, what each requires, and the marker environment.
_INSPECT = """
import importlib.metadata as m, json, platform, sys
from pip._vendor.packaging.markers import default_environment
dists = {}
for d in m.distributions():
    dists[d.metadata["Name"]] = {"version": d.version, "requires": list(d.requires or [])}
print(json.dumps({"dists": dists, "env": default_environment()}))
"""


def run(argv: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=False, capture_output=True, text=True, **kw)  # noqa: S603


def python312() -> str:
    """Serverless runs Python 3.12; use it when this machine has one (pyenv or PATH)."""
    found = os.environ.get("SERVERLESS_PYTHON") or shutil.which("python3.12")
    candidates = [found] if found else []
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")))
    for candidate in candidates:
        if candidate and run([candidate, "--version"]).returncode == 0:
            return candidate
    print("note: no Python 3.12 found; resolving with", sys.executable, file=sys.stderr)
    return sys.executable


def build_wheel(out: Path) -> Path:
    """``pip wheel --no-deps`` (what the bundle's artifact runs), verbose to see the backend."""
    done = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(out), str(ROOT)])
    if done.returncode:
        sys.exit(f"wheel build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    output = (done.stdout + done.stderr).splitlines()
    # setuptools' own name for it, or what newer pip relabels a backend's warning as
    marks = ("SetuptoolsDeprecationWarning", "BuildBackendWarning", "DeprecationWarning")
    warnings = [line.strip() for line in output if any(mark in line for mark in marks)]
    if warnings:
        sys.exit("the build warns (fix pyproject.toml):\n" + "\n".join(warnings))
    (wheel,) = out.glob("intacct_sync-*.whl")
    return wheel


def image_venv(image: Path, python: str) -> Path:
    """A venv holding exactly the image's packages, made once and reused."""
    version = run([python, "--version"]).stdout.strip() or run([python, "--version"]).stderr
    key = hashlib.sha256(image.read_bytes() + version.encode()).hexdigest()[:12]
    cache = Path(os.environ.get("INTACCT_SYNC_CACHE", "~/.cache/intacct-sync")).expanduser()
    venv = cache / f"serverless-{image.stem}-{key}"
    if (venv / ".ready").exists():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    steps = [
        [python, "-m", "venv", str(venv)],
        [str(venv / "bin" / "pip"), "install", "--quiet", "-r", str(image)],
    ]
    for step in steps:
        done = run(step)
        if done.returncode:
            sys.exit(f"could not build the {image.name} venv:\n{done.stderr[-3000:]}")
    (venv / ".ready").write_text(version)
    return venv


def inspect(venv: Path) -> dict:
    return json.loads(run([str(venv / "bin" / "python"), "-c", _INSPECT]).stdout)


def unmet(dists: dict[str, dict], env: dict[str, str]) -> set[str]:
    """Every requirement (no extras) some distribution in ``dists`` has and the set misses."""
    versions = {canonicalize_name(name): d["version"] for name, d in dists.items()}
    problems = set()
    for name, dist in dists.items():
        for text in dist["requires"]:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                continue
            if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
                continue
            have = versions.get(canonicalize_name(req.name))
            if have is None or not req.specifier.contains(have, prereleases=True):
                problems.add(f"{name} requires {req} but has {have or 'nothing'}")
    return problems


def check(image: Path, wheel: Path, python: str) -> list[str]:
    started = time.monotonic()
    venv = image_venv(image, python)
    ready = time.monotonic()
    before = inspect(venv)
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        done = run(
            [str(venv / "bin" / "pip"), "install", "--dry-run", "--quiet", "--report",
             str(report_path), str(wheel)]
        )  # fmt: skip
        if done.returncode:
            return [f"pip cannot install the wheel here:\n{done.stderr[-3000:]}"]
        report = json.loads(report_path.read_text())
    resolved = time.monotonic()
    installed = {canonicalize_name(n): d["version"] for n, d in before["dists"].items()}
    failures, added = [], []
    after = dict(before["dists"])
    for item in report["install"]:
        meta = item["metadata"]
        name, version = canonicalize_name(meta["name"]), meta["version"]
        if name in installed:  # an upgrade or downgrade of something the image holds
            failures.append(f"would change {meta['name']} {installed[name]} -> {version}")
        elif name != "intacct-sync":
            added.append(f"{meta['name']} {version}")
        after = {k: v for k, v in after.items() if canonicalize_name(k) != name}
        after[meta["name"]] = {"version": version, "requires": meta.get("requires_dist") or []}
    new_problems = unmet(after, before["env"]) - unmet(before["dists"], before["env"])
    failures += sorted(new_problems)
    pinned = [canonicalize_name(name) for name in _pinned(image)]
    kept = ", ".join(f"{name} {installed[name]}" for name in pinned if name in installed)
    print(f"{image.name}: image venv {ready - started:.1f} s, resolve {resolved - ready:.1f} s")
    print(f"  unchanged: {kept}")
    print(f"  added: {', '.join(added) or 'nothing'}")
    return failures


def _pinned(image: Path) -> list[str]:
    names = []
    for line in image.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(Requirement(line).name)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", action="append", type=Path, help="image file (default: all)")
    parser.add_argument("--wheel", type=Path, help="a built wheel (default: build one now)")
    args = parser.parse_args(argv)
    python = python312()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or build_wheel(Path(tmp))
        built = time.monotonic()
        print(f"wheel {wheel.name} ({built - started:.1f} s), resolving with {python}")
        failures = {image.name: check(image, wheel, python) for image in args.image or IMAGES}
    print(f"total {time.monotonic() - started:.1f} s")
    bad = {name: found for name, found in failures.items() if found}
    for name, found in bad.items():
        print(f"{name}: the wheel does not fit:\n  " + "\n  ".join(found), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
