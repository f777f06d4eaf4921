"""Check a built sdist and wheel: what they hold, their metadata, and that the wheel installs and imports.

Run by ``nox -s package`` after ``python -m build``, in an environment with trove-classifiers (and, for
``--build-docs``, the docs dependency group)::

    python tests/check_dist.py dist [--venv DIR] [--build-docs]

It checks the files of ``linq_async-<version>.tar.gz`` and ``linq_async-<version>-py3-none-any.whl``,
where ``<version>`` is ``linq_async/_version.py``'s: the sdist holds every tracked file of the package,
the tests and the docs (and what ``mkdocs build`` needs), the wheel the package and LICENSE, neither
anything built or cached. Then the wheel's metadata (version, license, PyPI description, classifiers,
entry points), and an install of the wheel into a fresh virtual environment, imported from outside the
source tree. ``--build-docs`` also builds the documentation from the unpacked sdist.
"""

from __future__ import annotations

import argparse
import email.parser
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAILURES: list[str] = []

# What the sdist must hold besides the tracked files of SDIST_TREES, and what no artefact may hold.
SDIST_FILES = {"PKG-INFO", "pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "mkdocs.yml", "noxfile.py"}
SDIST_TREES = ("linq_async", "tests", "docs", "overrides")
FORBIDDEN = re.compile(
    r"(^|/)(\.git|\.nox|\.venv|\.cache|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.hypothesis|__pycache__|"
    r"site|dist|build|node_modules|htmlcov)(/|$)|\.py[cod]$|(^|/)\.coverage|last-run\.json$"
)

INSTALLED_CHECK = """
import importlib.metadata as md, sys
import linq_async
from linq_async import AsyncLinqClient, Chat, SyncLinqClient
import linq_async.testing, linq_async.webhooks
assert "site-packages" in linq_async.__file__, linq_async.__file__
assert md.version("linq-async") == linq_async.__version__ == sys.argv[1], (md.version("linq-async"), sys.argv[1])
files = {str(f) for f in md.distribution("linq-async").files}
assert f"linq_async-{sys.argv[1]}.dist-info/licenses/LICENSE" in files, [f for f in files if "dist-info" in f]
plugins = {e.name: e.value for e in md.entry_points(group="pytest11")}
assert plugins.get("linq_async") == "linq_async.testing.pytest_plugin", plugins
print("installed:", linq_async.__file__, linq_async.__version__)
"""


def fail(message: str) -> None:
    FAILURES.append(message)
    print(f"FAIL {message}")


def version() -> str:
    match = re.search(r'^__version__ = "([^"]+)"$', (ROOT / "linq_async" / "_version.py").read_text(), re.MULTILINE)
    assert match, "linq_async/_version.py has no __version__ line"
    return match[1]


def tracked(trees: tuple[str, ...]) -> set[str] | None:
    """The files git tracks under ``trees`` (None outside a git checkout)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return None
    run = subprocess.run(["git", "ls-files", "-z", *trees], cwd=ROOT, capture_output=True, text=True, check=False)
    return set(run.stdout.split("\0")) - {""} if run.returncode == 0 else None


def check_forbidden(kind: str, names: set[str]) -> None:
    for name in sorted(names):
        if FORBIDDEN.search(name):
            fail(f"{kind} holds {name}")


def check_sdist(path: Path, ver: str) -> None:
    top = f"linq_async-{ver}/"
    with tarfile.open(path) as archive:
        members = archive.getnames()
    outside = [name for name in members if not name.startswith(top)]
    if outside:
        fail(f"sdist entries outside {top}: {outside[:5]}")
    names = {name[len(top) :] for name in members if name.startswith(top) and name != top}
    files = {name for name in names if not any(other.startswith(f"{name}/") for other in names)}
    for name in sorted(SDIST_FILES - files):
        fail(f"sdist lacks {name}")
    expected = tracked(SDIST_TREES)
    if expected is None:
        print("sdist: not a git checkout, the tracked files are not compared")
    else:
        for name in sorted(expected - files):
            fail(f"sdist lacks the tracked file {name}")
    check_forbidden("sdist", names)
    print(f"sdist: {path.name}, {len(files)} files")


def check_wheel(path: Path, ver: str, description: str) -> None:
    info = f"linq_async-{ver}.dist-info/"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        metadata = email.parser.Parser().parsestr(archive.read(f"{info}METADATA").decode())
        entry_points = archive.read(f"{info}entry_points.txt").decode()
    package = {name for name in names if name.startswith("linq_async/")}
    others = names - package - {name for name in names if name.startswith(info)}
    if others:
        fail(f"wheel holds files outside the package: {sorted(others)}")
    expected = tracked(("linq_async",))
    if expected is not None:
        for name in sorted(expected - package):
            fail(f"wheel lacks {name}")
    for name in (f"{info}licenses/LICENSE", "linq_async/py.typed", "linq_async/testing/pytest_plugin.py"):
        if name not in names:
            fail(f"wheel lacks {name}")
    check_forbidden("wheel", names)

    expect = {"Name": "linq-async", "Version": ver, "License-Expression": "MIT", "License-File": "LICENSE"}
    for field, value in expect.items():
        if metadata.get(field) != value:
            fail(f"wheel metadata {field}: {metadata.get(field)!r}, expected {value!r}")
    if metadata.get("Description-Content-Type", "").split(";")[0] != "text/markdown":
        fail(f"wheel metadata Description-Content-Type: {metadata.get('Description-Content-Type')!r}")
    if metadata.get_payload().strip() != description.strip():
        fail("the wheel's long description is not docs/pypi.md")
    urls = dict(value.split(", ", 1) for value in metadata.get_all("Project-URL", []))
    for label in ("Documentation", "Source", "Changelog", "Issues"):
        if not urls.get(label, "").startswith("https://"):
            fail(f"wheel metadata has no https Project-URL {label}: {urls}")
    import trove_classifiers

    for classifier in metadata.get_all("Classifier", []):
        if classifier not in trove_classifiers.classifiers:
            fail(f"unknown classifier (PyPI would refuse the upload): {classifier}")
    for line in ("linq-async = linq_async.cli:main", "linq_async = linq_async.testing.pytest_plugin"):
        if line not in entry_points:
            fail(f"wheel entry points lack {line!r}")
    print(f"wheel: {path.name}, {len(names)} files, {len(metadata.get_all('Classifier', []))} classifiers")


def check_install(wheel: Path, ver: str, venv: Path) -> None:
    """Install the wheel into a fresh virtual environment and import it from a directory outside the tree."""
    venv = venv.resolve()
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    python = venv / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)]
    installed = subprocess.run(pip, capture_output=True, text=True)
    if installed.returncode:
        fail(f"pip could not install the wheel:\n{installed.stdout}\n{installed.stderr}")
        return
    with tempfile.TemporaryDirectory() as elsewhere:
        run = subprocess.run([python, "-c", INSTALLED_CHECK, ver], cwd=elsewhere, capture_output=True, text=True)
        print(run.stdout.strip())
        if run.returncode:
            fail(f"the installed wheel does not import as expected:\n{run.stderr}")
        cli = subprocess.run([python, "-m", "linq_async", "--version"], cwd=elsewhere, capture_output=True, text=True)
        if cli.stdout.strip() != f"linq-async {ver}":
            fail(f"linq-async --version printed {cli.stdout!r} {cli.stderr!r}")


def build_docs(sdist: Path) -> None:
    """Build the documentation from the unpacked sdist, as a packager would."""
    with tempfile.TemporaryDirectory() as unpacked:
        with tarfile.open(sdist) as archive:
            archive.extractall(unpacked, filter="data")
        (tree,) = Path(unpacked).iterdir()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "build",
                "--strict",
                "--quiet",
                "--site-dir",
                str(Path(unpacked) / "site"),
            ],
            cwd=tree,
            capture_output=True,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        if run.returncode:
            fail(f"the docs do not build from the sdist:\n{run.stdout}\n{run.stderr}")
        else:
            print("sdist: its documentation builds (mkdocs --strict)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path)
    parser.add_argument("--venv", type=Path, help="where to create the fresh virtual environment")
    parser.add_argument("--build-docs", action="store_true", help="build the documentation from the sdist")
    args = parser.parse_args()
    ver = version()
    sdist, wheel = args.dist / f"linq_async-{ver}.tar.gz", args.dist / f"linq_async-{ver}-py3-none-any.whl"
    for path in (sdist, wheel):
        if not path.is_file():
            fail(f"{path} was not built (is linq_async/_version.py the version hatch used?)")
    if FAILURES:
        return 1
    readme = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["readme"]
    check_sdist(sdist, ver)
    check_wheel(wheel, ver, (ROOT / readme["file"]).read_text())
    if args.build_docs:
        build_docs(sdist)
    with tempfile.TemporaryDirectory() as scratch:
        check_install(wheel, ver, args.venv or Path(scratch) / "venv")
    if FAILURES:
        print(f"{len(FAILURES)} problems with the distributions")
        return 1
    print("distributions: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
