"""Structural rules of the package: one module owns each concern, imports stay cheap."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "linq_async"
PYPROJECT = PACKAGE.parent / "pyproject.toml"

# The client-side owner of each third-party library. The fake server in linq_async.testing is a
# server (aiohttp.web), a separate concern with its own modules.
OWNERS = {
    "aiohttp": {"_http.py", *(f"testing/{p.name}" for p in (PACKAGE / "testing").glob("_*.py"))},
    "yarl": {"_http.py"},
    "multidict": set(),
    "tenacity": {"_retry.py"},
    "cattrs": {"_convert.py"},
    "rich": {"_console.py"},
    "pytest": {"testing/pytest_plugin.py"},
    "pytest_asyncio": {"testing/pytest_plugin.py"},
}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """All nodes except those under ``if TYPE_CHECKING:``, which import nothing at run time."""
    nodes: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        nodes.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return nodes


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.partition(".")[0])
    return roots


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_one_module_owns_each_library(library: str) -> None:
    importers = {str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if library in imported_roots(path)}
    assert importers <= OWNERS[library], f"{library} imported outside its owner: {importers - OWNERS[library]}"


def test_import_is_lazy() -> None:
    code = (
        "import sys, linq_async\n"
        "heavy = [m for m in ('aiohttp', 'tenacity', 'yarl', 'rich', 'cattrs') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing linq_async pulled in {out}"


def test_cattrs_joins_only_when_a_model_needs_it() -> None:
    # A model whose fields take JSON values as they are is read without cattrs while its answers
    # fit; one that does not fit, or a model with a nested one, brings cattrs in, and reads as ever.
    code = """if True:
        import sys
        from linq_async import Chat, ParticipantAddResponse
        from linq_async._convert import structure
        from linq_async._client import _decode
        from linq_async._http import RawResponse

        fits = structure({"message": "m", "status": "accepted", "new": 1}, ParticipantAddResponse)
        print(fits.status, fits.extra, "cattrs" in sys.modules)
        odd = _decode(RawResponse(202, {}, b'{"message": 5, "status": "accepted"}', "Accepted"),
                      ParticipantAddResponse, "POST", "/x")
        print(odd.message, odd.invalid_fields, "cattrs" in sys.modules)
        """
    code2 = """if True:
        import sys
        from linq_async import Chat
        from linq_async._convert import structure

        at = "2026-11-22T10:00:00Z"
        handles = [{"handle": "+14155550100"}]
        answer = {"id": "c", "created_at": at, "updated_at": at, "is_group": False, "handles": handles}
        chat = structure(answer, Chat)
        print(len(chat.handles), "cattrs" in sys.modules)
        """
    run = [subprocess.run([sys.executable, "-c", c], capture_output=True, text=True, check=True) for c in (code, code2)]
    assert run[0].stdout.splitlines() == [
        "accepted {'new': 1} False",
        "5 (\"message: expected a string, got int (read as '5')\",) True",
    ], run[0].stderr
    assert run[1].stdout.splitlines() == ["1 True"], run[1].stderr


def test_runtime_dependencies_are_the_four_of_the_design() -> None:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    names = {dep.split(">")[0].split("=")[0].split("[")[0].strip() for dep in project["dependencies"]}
    assert names == {"aiohttp", "attrs", "cattrs", "tenacity"}
    assert "aiohttp>=3.13.4" in project["dependencies"]


def test_installed_aiohttp_has_the_2026_fixes() -> None:
    version = tuple(int(part) for part in metadata.version("aiohttp").split(".")[:3])
    assert version >= (3, 13, 4)


def test_py_typed_is_shipped() -> None:
    assert (PACKAGE / "py.typed").exists()


def test_every_resource_method_has_a_wire_case_and_a_test_that_calls_it() -> None:
    """The endpoint recipe, enforced: a wire case per endpoint (aliases share one), a test per method."""
    from linq_async import AsyncLinqClient
    from linq_async.resources._base import ENDPOINT, PAGINATED, kind_of

    from .surface import KEY, public_methods, resource_pairs
    from .wire import all_cases, resolve

    client = AsyncLinqClient(KEY)
    wired = {resolve(client, case.our_call()[0]).__func__ for case in all_cases()}
    texts = "\n".join(path.read_text() for path in (Path(__file__).parent / "resources").glob("test_*.py"))
    missing_wire, missing_test = [], []
    for path, resource, _ in resource_pairs():
        parent = path.rsplit(".", 1)[-1]
        methods = public_methods(resource)
        for name, member in methods:
            aliases = [other for other, function in methods if function is member]
            if kind_of(member) in (ENDPOINT, PAGINATED) and member not in wired:
                missing_wire.append(f"{path}.{name}")
            if not any(f"{parent}.{alias}(" in texts for alias in aliases):
                missing_test.append(f"{path}.{name}")
    assert not missing_wire, f"no wire case (tests/resources/*.py WIRE) for: {missing_wire}"
    assert not missing_test, f"no test in tests/resources/ calls: {missing_test}"


def test_the_model_index_lists_every_model_module_and_name() -> None:
    import importlib

    from linq_async import models

    on_disk = {path.stem for path in (PACKAGE / "models").glob("*.py") if not path.stem.startswith("_")}
    assert set(models._EXPORTS) == on_disk
    package_init = (PACKAGE / "__init__.py").read_text()
    for module, names in models._EXPORTS.items():
        assert sorted(names.split()) == sorted(importlib.import_module(f"linq_async.models.{module}").__all__), module
        # mypy sees the lazily exported names through these imports
        assert f"from .models.{module} import *" in package_init, module
        assert f"from .{module} import *" in (PACKAGE / "models" / "__init__.py").read_text(), module


def test_no_model_module_is_imported_with_the_package() -> None:
    code = "import sys, linq_async\nprint(','.join(m for m in sys.modules if m.startswith('linq_async.models.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_fake_areas_keep_their_state_apart() -> None:
    """Each area of the fake is a mixin of one object: two areas naming a state attribute alike clash."""
    owners: dict[str, str] = {}
    methods: dict[str, str] = {}
    clashes = []
    for path in sorted((PACKAGE / "testing").glob("_*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Area"):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        where = methods.setdefault(item.name, path.name)
                        if where != path.name:
                            clashes.append((item.name, where, path.name))
            if isinstance(node, ast.FunctionDef) and node.name.startswith("_setup_"):
                for target in ast.walk(node):
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "self"
                        and isinstance(target.ctx, ast.Store)
                    ):
                        where = owners.setdefault(target.attr, path.name)
                        if where != path.name:
                            clashes.append((target.attr, where, path.name))
    assert not clashes, f"fake areas sharing a state attribute or a method name: {clashes}"


def test_the_request_path_makes_no_cell_objects() -> None:
    """A local captured by a closure becomes a cell on every call, alive while the request is in flight.

    Each one is one more object for the garbage collector to walk per request (nine of them cost about
    3 us per request at concurrency 50, measured); the retry path, which needs closures, runs apart.
    """
    from linq_async import AsyncLinqClient
    from linq_async._http import Transport
    from linq_async.resources._base import Resource
    from linq_async.resources.participants import Participants

    hot = [
        AsyncLinqClient._request,
        AsyncLinqClient._answered,
        AsyncLinqClient._recover,
        AsyncLinqClient._observed_request,
        AsyncLinqClient._observed_attempt,
        Transport.send,
        Resource._request,
        Participants.add,
    ]
    assert {f.__qualname__: f.__code__.co_cellvars for f in hot if f.__code__.co_cellvars} == {}
