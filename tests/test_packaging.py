"""What a release is made of stays true: version, changelog, metadata, PyPI page, pre-commit, docs reference.

The built artefacts themselves are checked by ``nox -s package`` (tests/check_dist.py) and the built site
by ``nox -s docs`` (tests/check_site.py); these tests check the sources those sessions build from.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

import linq_async
from linq_async import models

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
MKDOCS = (ROOT / "mkdocs.yml").read_text()
CHANGELOG = (ROOT / "CHANGELOG.md").read_text()
REFERENCE = (ROOT / "docs" / "reference.md").read_text()
PYPI_PAGE = ROOT / "docs" / "pypi.md"

SECTION = re.compile(r"^## \[(?P<name>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?[ \t]*$", re.MULTILINE)
KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def mkdocs_value(key: str) -> str:
    match = re.search(rf"^{key}:[ \t]*(\S+)[ \t]*$", MKDOCS, re.MULTILINE)
    assert match, f"mkdocs.yml has no {key}"
    return match[1]


def released_versions() -> list[str]:
    return [m["name"] for m in SECTION.finditer(CHANGELOG) if m["name"] != "Unreleased"]


# --- the version -----------------------------------------------------------------------------------


def test_the_version_is_single_sourced_in_version_py() -> None:
    assert PROJECT["dynamic"] == ["version"] and "version" not in PROJECT
    assert PYPROJECT["tool"]["hatch"]["version"] == {"path": "linq_async/_version.py"}
    text = (ROOT / "linq_async" / "_version.py").read_text()
    (written,) = re.findall(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)  # hatch's own pattern
    assert written == linq_async.__version__
    assert str(Version(written)) == written, "a PEP 440 version in its normal form"


def test_installed_metadata_agrees_with_version_py() -> None:
    try:
        distribution = metadata.distribution("linq-async")
    except metadata.PackageNotFoundError:
        pytest.skip("linq-async is not installed (nox -s package checks a built wheel's metadata)")
    direct = json.loads(distribution.read_text("direct_url.json") or "{}")
    if direct.get("url", "").removeprefix("file://").rstrip("/") != str(ROOT):
        pytest.skip(f"the installed linq-async is another checkout's ({direct.get('url')})")
    assert distribution.version == linq_async.__version__


# --- the changelog ---------------------------------------------------------------------------------


def test_the_changelog_keeps_a_changelog_form() -> None:
    assert CHANGELOG.startswith("# Changelog\n")
    sections = list(SECTION.finditer(CHANGELOG))
    assert sections and sections[0]["name"] == "Unreleased" and sections[0]["date"] is None
    for section in sections[1:]:
        assert section["date"], f"released section [{section['name']}] has no date"
        Version(section["name"])
    names = [s["name"] for s in sections]
    assert len(names) == len(set(names))
    for name in names:
        assert re.search(rf"^\[{re.escape(name)}\]: https://", CHANGELOG, re.MULTILINE), f"no link for [{name}]"
    kinds = set(re.findall(r"^### (.+)$", CHANGELOG, re.MULTILINE))
    assert kinds <= KINDS, kinds - KINDS


def test_the_changelog_says_whether_this_version_is_released() -> None:
    version = Version(linq_async.__version__)
    released = released_versions()
    if version.is_devrelease or version.is_prerelease:
        # Between releases: the changes wait under [Unreleased], and this version's final release is not listed.
        assert version.base_version not in released, f"{version.base_version} is released: bump _version.py"
    else:
        assert released and released[0] == str(version), "a final version is the changelog's newest release"


def test_the_changelog_names_every_resource_of_the_client() -> None:
    from linq_async._client import _RESOURCES

    missing = [name for name in _RESOURCES if f"`{name}`" not in CHANGELOG]
    assert not missing, f"CHANGELOG.md does not mention client.{missing}: add them to [Unreleased]"


# --- install instructions and the PyPI page --------------------------------------------------------

PIP_INSTALL_FROM_PYPI = re.compile(r"pip install\s+[\"']?linq-async\b")


def test_the_docs_install_from_pypi_only_once_a_release_exists() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    claims = [p.name for p in pages if p != PYPI_PAGE and PIP_INSTALL_FROM_PYPI.search(p.read_text())]
    if not released_versions():
        assert not claims, f"nothing is on PyPI yet, but {claims} say `pip install linq-async`"


def test_pypi_gets_its_own_description() -> None:
    assert PROJECT["readme"] == {"file": "docs/pypi.md", "content-type": "text/markdown"}
    text = PYPI_PAGE.read_text()
    assert "nox" not in text.split("\n## ")[0], "PyPI's page opens with the package, not the project's commands"
    assert re.search(r"^exclude_docs: \|\n  pypi\.md$", MKDOCS, re.MULTILINE), "pypi.md is not a page of the site"


def test_every_link_of_the_pypi_description_is_absolute() -> None:
    text = PYPI_PAGE.read_text()
    links = re.findall(r"\]\(([^)\s]+)", text) + re.findall(r"<(https?:[^>]+)>", text)
    links += re.findall(r"(?:href|src)=[\"']([^\"']+)", text)
    assert len(links) >= 5
    site = mkdocs_value("site_url")
    for link in links:
        assert link.startswith("https://"), f"docs/pypi.md links to {link!r}, which PyPI cannot follow"
        if link.startswith(site):
            page = link[len(site) :].strip("/") or "index"
            assert (ROOT / "docs" / f"{page}.md").exists(), f"{link} is no page of the site"


# --- project metadata ------------------------------------------------------------------------------


def test_project_urls_point_at_the_site_the_repository_and_its_changelog() -> None:
    urls = PROJECT["urls"]
    repo = mkdocs_value("repo_url")
    assert urls["Documentation"] == mkdocs_value("site_url")
    assert urls["Documentation"].endswith(".github.io/linq-async/")
    assert urls["Source"] == repo == "https://github.com/linq-async/linq-async"
    assert urls["Changelog"] == f"{repo}/blob/main/CHANGELOG.md"
    assert urls["Issues"] == f"{repo}/issues"


def test_classifiers() -> None:
    classifiers = PROJECT["classifiers"]
    for wanted in ("Operating System :: OS Independent", "Programming Language :: Python :: 3 :: Only"):
        assert wanted in classifiers
    assert any(c.startswith("Topic :: ") for c in classifiers)
    assert not any(c.startswith("License :: ") for c in classifiers), "the license is the SPDX expression alone"
    supported = {
        c.rpartition(" :: ")[2] for c in classifiers if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    assert PROJECT["requires-python"] == f">={min(supported, key=Version)}"
    assert classifiers == sorted(classifiers)


def test_the_license_is_mit_and_ships_in_both_artefacts() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert re.search(r"^Copyright \(c\) \d{4} linq_async contributors$", text, re.MULTILINE)
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert "LICENSE" in PYPROJECT["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]


def test_the_sdist_holds_what_the_docs_build_needs() -> None:
    include = set(PYPROJECT["tool"]["hatch"]["build"]["targets"]["sdist"]["include"])
    needed = {"mkdocs.yml", "docs", "linq_async", "CHANGELOG.md", "LICENSE", "README.md", mkdocs_value("docs_dir")}
    custom = re.search(r"^  custom_dir:[ \t]*(\S+)$", MKDOCS, re.MULTILINE)
    if custom:
        needed.add(custom[1])
    assert needed <= include, needed - include


# --- pre-commit ------------------------------------------------------------------------------------


def pre_commit_hooks() -> dict[str, dict[str, Any]]:
    """The local hooks of .pre-commit-config.yaml: entry and additional_dependencies, by id."""
    hooks: dict[str, dict[str, Any]] = {}
    text = (ROOT / ".pre-commit-config.yaml").read_text()
    assert re.search(r"^  - repo: local$", text, re.MULTILINE) and text.count("- repo:") == 1
    for block in re.split(r"^      - id: ", text, flags=re.MULTILINE)[1:]:
        ident = block.split("\n", 1)[0].strip()
        entry = re.search(r"^        entry: (.+)$", block, re.MULTILINE)
        inline = re.search(r"^        additional_dependencies: \[(.*)\]$", block, re.MULTILINE)
        listed = re.findall(r'^          - "([^"]+)"$', block, re.MULTILINE)
        deps = [d.strip().strip('"') for d in inline[1].split(",")] if inline else listed
        assert entry, ident
        language = re.search(r"^        language: (\w+)$", block, re.MULTILINE)
        hooks[ident] = {"entry": entry[1].strip(), "deps": deps, "language": language and language[1]}
    return hooks


def pinned(deps: list[str], name: str) -> Version:
    (requirement,) = [Requirement(d) for d in deps if Requirement(d).name == name]
    (spec,) = requirement.specifier
    assert spec.operator == "==", f"{name} is pinned in .pre-commit-config.yaml"
    return Version(spec.version)


def group(name: str) -> list[Requirement]:
    return [Requirement(r) for r in PYPROJECT["dependency-groups"][name]]


def test_pre_commit_runs_the_commands_of_the_lint_and_typecheck_sessions() -> None:
    hooks = pre_commit_hooks()
    noxfile = (ROOT / "noxfile.py").read_text()
    assert {h["entry"] for h in hooks.values()} == {
        "ruff check .",
        "ruff format --check .",
        "mypy linq_async tests/typing",
    }
    for hook in hooks.values():
        assert hook["language"] == "python"
        words = ", ".join(f'"{w}"' for w in hook["entry"].split())
        assert f"session.run({words})" in noxfile, f"nox does not run {hook['entry']!r}"


def test_pre_commit_pins_versions_the_nox_sessions_admit() -> None:
    hooks = pre_commit_hooks()
    for ident, session_group, tool in (
        ("ruff-check", "lint", "ruff"),
        ("ruff-format", "lint", "ruff"),
        ("mypy", "typecheck", "mypy"),
    ):
        version = pinned(hooks[ident]["deps"], tool)
        (spec,) = [r.specifier for r in group(session_group) if r.name == tool]
        assert spec.contains(version), f"pre-commit's {tool} {version} is outside the {session_group} group's {spec}"
    assert pinned(hooks["ruff-check"]["deps"], "ruff") == pinned(hooks["ruff-format"]["deps"], "ruff")
    # mypy sees what the typecheck session installs: its group, the package's dependencies and the cli extra.
    wanted = {str(r) for r in group("typecheck") if r.name != "mypy"}
    wanted |= set(PROJECT["dependencies"]) | set(PROJECT["optional-dependencies"]["cli"])
    assert wanted <= set(hooks["mypy"]["deps"]), wanted - set(hooks["mypy"]["deps"])


# --- the API reference -----------------------------------------------------------------------------


def directives() -> list[tuple[str, str, dict[str, str]]]:
    """(section heading, dotted path, options) of every ``:::`` directive of docs/reference.md."""
    found: list[tuple[str, str, dict[str, str]]] = []
    heading = ""
    lines = REFERENCE.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("## "):
            heading = line[3:]
        if line.startswith("::: "):
            options: dict[str, str] = {}
            for option in lines[index + 1 :]:
                if not option.startswith("    "):
                    break
                key, _, value = option.strip().partition(":")
                if option.startswith("      "):
                    options[key] = value.strip()
            found.append((heading, line[4:].strip(), options))
    return found


def resolve(path: str) -> Any:
    module, _, name = path.rpartition(".")
    try:
        return importlib.import_module(path)
    except ImportError:
        return getattr(importlib.import_module(module), name)


def resource_modules() -> list[str]:
    return sorted(f"linq_async.resources.{p.stem}" for p in (ROOT / "linq_async" / "resources").glob("[!_]*.py"))


def test_what_the_reference_says_imports_from_linq_async_does() -> None:
    for heading, path, options in directives():
        target = resolve(path)
        if path.count(".") == 1 and not inspect.ismodule(target):
            name = path.split(".")[1]
            assert name in linq_async.__all__, f"reference: {name} is not exported by linq_async"
            assert getattr(linq_async, name) is target
        else:
            # Anything else is a module, rendered under its own dotted name (or, for models, a section of it).
            assert inspect.ismodule(target), (
                f"reference: ::: {path} under {heading!r} is not importable from linq_async"
            )
            assert options.get("show_root_full_path") == "true" or options.get("show_root_heading") == "false", path
            for member in re.findall(r"\w+", options.get("members", "")):
                assert hasattr(target, member), f"reference: {path} has no {member}"
    assert "Everything on this page imports from `linq_async`" in REFERENCE
    assert "Models import from both `linq_async` and\n`linq_async.models`" in REFERENCE
    assert all(getattr(linq_async, name) is getattr(models, name) for name in models.__all__)


def test_the_reference_covers_the_whole_public_surface() -> None:
    paths = {path: options for _, path, options in directives()}
    for name in linq_async.__all__:
        if name not in models.__all__ and name != "__version__":
            assert f"linq_async.{name}" in paths, f"docs/reference.md lacks ::: linq_async.{name}"
    for module in ("linq_async.models", "linq_async.webhooks", "linq_async.testing", *resource_modules()):
        assert module in paths, f"docs/reference.md lacks ::: {module}"
    for module_name in resource_modules():
        module = importlib.import_module(module_name)
        members = set(re.findall(r"\w+", paths[module_name].get("members", "")))
        for name in module.__all__:
            value = getattr(module, name)
            if not inspect.isclass(value):
                continue
            if name.startswith("Sync"):
                row = re.search(rf"^\|.*`{name}`.*\| `{re.escape(module_name)}` \|$", REFERENCE, re.MULTILINE)
                assert row, f"the sync twins' table lacks {name} ({module_name})"
            else:
                assert name in members, f"docs/reference.md: {module_name} does not render {name}"


def test_no_rendered_signature_shows_a_private_type() -> None:
    # A class whose __init__ takes a private type (SyncPaginator(runner: _Runner, ...)) is rendered
    # without it; the built page is checked again by tests/check_site.py.
    for _, path, options in directives():
        target = resolve(path)
        classes = [target] if inspect.isclass(target) else []
        if inspect.ismodule(target):
            members = re.findall(r"\w+", options.get("members", ""))
            classes = [getattr(target, m) for m in members if inspect.isclass(getattr(target, m))]
        for cls in classes:
            if re.search(r"(?<![\w.])_[A-Z]\w*", str(inspect.signature(cls.__init__))):
                assert options.get("merge_init_into_class") == "false", f"{path}: {cls.__name__}.__init__ is private"
    assert re.search(
        r"^::: linq_async\.SyncPaginator\n    options:\n      merge_init_into_class: false$", REFERENCE, re.MULTILINE
    )


# --- the site --------------------------------------------------------------------------------------


def test_the_site_has_a_url_fonts_of_its_own_and_every_page_in_its_nav() -> None:
    assert mkdocs_value("site_url").startswith("https://")
    assert re.search(r"^  font: false$", MKDOCS, re.MULTILINE), "no page may fetch Google Fonts"
    nav = re.findall(r"^  - [^:]+: (\S+\.md)$", MKDOCS, re.MULTILINE)
    pages = {p.name for p in (ROOT / "docs").glob("*.md")} - {PYPI_PAGE.name}
    assert set(nav) == pages, f"not in the nav: {pages - set(nav)}; missing: {set(nav) - pages}"
    assert nav[0] == "index.md" and nav[-2:] == ["reference.md", "contributing.md"]
