"""Project sessions. `python3 -m nox` runs the checks CI runs: lint, typecheck, tests (3.11-3.13), docs, package.

Other sessions: `demo` (the README's first command), `bench` (figures for docs/benchmarks.md).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHONS = ["3.11", "3.12", "3.13"]
PRISM_DIR = ROOT / ".cache" / "prism"
PRISM_BIN = PRISM_DIR / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5.14.2"

nox.options.sessions = ["lint", "typecheck", "tests", "docs", "package"]
nox.options.reuse_venv = "yes"


def _expose_pyenv_interpreters() -> None:
    """Let pyenv's shims answer for every installed 3.11-3.13, as they only do when PYENV_VERSION lists them.

    pyenv's own `python3` shim exports PYENV_VERSION with just the default version, so the list is
    extended, keeping what is there first. Without this, nox finds only the default interpreter;
    with CI set it then fails the other sessions as missing (deliberately: CI must test all
    three), and locally it skips them.
    """
    if shutil.which("pyenv") is None:
        return
    try:
        listed = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return
    newest: dict[str, tuple[int, str]] = {}
    for version in listed.split():
        match = re.fullmatch(r"3\.(1[1-3])\.(\d+)", version)
        if match and int(match[2]) >= newest.get(match[1], (-1, ""))[0]:
            newest[match[1]] = (int(match[2]), version)
    current = [v for v in os.environ.get("PYENV_VERSION", "").split(":") if v]
    wanted = current + [newest[minor][1] for minor in sorted(newest) if newest[minor][1] not in current]
    if wanted:
        os.environ["PYENV_VERSION"] = ":".join(wanted)


_expose_pyenv_interpreters()


def _install_prism(session: nox.Session) -> bool:
    """Install the Prism mock server into .cache/prism once; tell whether it is available."""
    if PRISM_BIN.exists():
        return True
    if shutil.which("npm") is None:
        session.warn("npm not found: the Prism conformance tests will be skipped")
        return False
    PRISM_DIR.mkdir(parents=True, exist_ok=True)
    session.run(
        "npm", "install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error",
        "--prefix", str(PRISM_DIR), PRISM_PACKAGE,
        external=True,
    )  # fmt: skip
    return PRISM_BIN.exists()


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite (loopback servers only) with coverage."""
    session.install("-e", ".[cli]")
    session.install(*nox.project.dependency_groups(PYPROJECT, "test"))
    env = {"LINQ_ASYNC_PRISM": str(PRISM_BIN)} if _install_prism(session) else {}
    if os.environ.get("CI"):
        env["LINQ_ASYNC_REQUIRE_PRISM"] = "1"
    session.run("coverage", "erase")
    session.run("coverage", "run", "-m", "pytest", *session.posargs, env=env)
    session.run("coverage", "combine", "--quiet", success_codes=[0, 1])
    session.run("coverage", "report", "--format=total")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install("-e", ".[cli]")
    session.install(*nox.project.dependency_groups(PYPROJECT, "typecheck"))
    session.run("mypy", "linq_async", "tests/typing")


def _chromium() -> str | None:
    """The Chromium (or Chrome) to check the site in: $CHROMIUM, else the first one on PATH."""
    candidates = [
        os.environ.get("CHROMIUM", ""),
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    return next((found for name in candidates if name and (found := shutil.which(name))), None)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation (mkdocs --strict) into site/, then check it, in headless Chromium when there is one.

    tests/check_site.py checks the API reference against the package and loads pages served under the
    site's sub-path; screenshots go to .cache/site-check/. The browser check needs Chromium, which this
    session never installs: without one it is skipped with a warning, and fails the session under CI
    (.ci/run installs Chromium first).
    """
    session.install("-e", ".")
    session.install(*nox.project.dependency_groups(PYPROJECT, "docs"))
    session.run("mkdocs", "build", "--strict", "--site-dir", "site", env={"NO_MKDOCS_2_WARNING": "1"})
    check = ["python", "tests/check_site.py", "site"]
    browser = _chromium()
    if browser is not None:
        check += ["--chromium", browser, "--screenshots", str(ROOT / ".cache" / "site-check")]
    elif os.environ.get("CI"):
        session.error("Chromium not found: under CI the built site is checked in a browser (.ci/run installs it)")
    else:
        session.warn("Chromium not found (install it or set CHROMIUM): the site is checked without a browser")
    session.run(*check)


@nox.session
def package(session: nox.Session) -> None:
    """Build the sdist and the wheel into dist/ and check them: contents, metadata, twine, a fresh install.

    tests/check_dist.py checks what each holds (and does not), the metadata, builds the docs from the
    sdist, and installs the wheel into a new virtual environment to import it from outside the tree.
    """
    session.install("build", "twine", "trove-classifiers")
    session.install(*nox.project.dependency_groups(PYPROJECT, "docs"))
    dist = ROOT / "dist"
    for old in dist.glob("linq_async-*"):
        old.unlink()
    session.run("python", "-m", "build", "--outdir", str(dist))
    session.run("python", "-m", "twine", "check", "--strict", *map(str, sorted(dist.glob("linq_async-*"))))
    venv = Path(session.create_tmp()) / "installed"
    session.run("python", "tests/check_dist.py", str(dist), "--venv", str(venv), "--build-docs")


@nox.session
def demo(session: nox.Session) -> None:
    """Run the demo against the embedded fake Linq server."""
    session.install(".[cli]")
    session.run("python", "-m", "linq_async", "demo", *session.posargs)


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Benchmark against bare aiohttp and the official SDK; writes docs/benchmarks.md."""
    session.install(".")
    bench_group = nox.project.dependency_groups(PYPROJECT, "bench")
    session.install(*bench_group)
    first_calls: list[str] = []
    for version in PYTHONS[1:]:
        # The first request is also timed on the newer interpreters, each in its own environment.
        interpreter = shutil.which(f"python{version}")
        if interpreter is None:
            session.warn(f"python{version} not found: the first-call figures leave it out")
            continue
        venv = Path(session.create_tmp()) / f"first-call-{version}"
        python = venv / "bin" / "python"
        if not python.exists():
            session.run(interpreter, "-m", "venv", str(venv), external=True)
        session.run(str(python), "-m", "pip", "install", "-q", ".", *bench_group, external=True)
        first_calls += ["--first-call-python", str(python)]
    session.run("python", "tests/bench/bench.py", "--write", "docs/benchmarks.md", *first_calls, *session.posargs)
