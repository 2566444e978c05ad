"""The architecture, pinned: import directions, adapters for third-party libraries, and the size of modules.

Why a test: the layout (views → services → models and pure modules; one adapter package per library) is what lets
payroll, the risk engine, the dashboard and the API reuse the same services. A review misses the one import that
starts a cycle; this test reads every module's syntax tree and names the line.

Layers, by file name: ``views.py``, ``cli.py`` and ``forms.py`` are the web and command-line layer (with
``wage_guard/__init__.py`` and the app-wide web modules listed in ``WEB_MODULES``); every other module of
``wage_guard`` is a service, a query or a pure module and may not reach up into that layer.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "wage_guard"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50
WEB_FILE_NAMES = {"views.py", "cli.py", "forms.py"}
#: App-wide modules that exist for the web layer: the factory, request security, error pages, asset URLs,
#: the authorization table and the WSGI serving set-up.
WEB_MODULES = {
    "wage_guard",
    "wage_guard.security",
    "wage_guard.error_pages",
    "wage_guard.locale",
    "wage_guard.assets",
    "wage_guard.authorization",
    "wage_guard.routing",
    "wage_guard.serving",
    "wage_guard.cli",
    "wage_guard.demo",
}
#: The transaction boundary: views, the CLI and jobs end a unit of work through it (``boundary.commit``).
COMMIT_POINTS = {"wage_guard.boundary"}
#: What a service may not use from Flask: the request and the web's answers to it.
FLASK_WEB_NAMES = {"request", "session", "g", "url_for", "redirect", "flash", "abort", "make_response", "send_file"}
WEB_LIBRARIES = ("flask_login", "flask_wtf", "wtforms")
#: The extension singletons, and the user model that Flask-Login's mixin gives ``is_authenticated``.
MAY_IMPORT_WEB_LIBRARIES = {"wage_guard.extensions", "wage_guard.accounts.models"}
#: Each third-party library and the one package that adapts it.
ADAPTERS = {
    "pyhanko": "wage_guard.signing",
    "pyhanko_certvalidator": "wage_guard.signing",
    "twilio": "wage_guard.sms",
    "qrcode": "wage_guard.documents",
    "reportlab": "wage_guard.documents",
    "PIL": "wage_guard.documents",
    "pypdfium2": "wage_guard.documents",
    "boto3": "wage_guard.documents",
    "botocore": "wage_guard.documents",
    "python_calamine": "wage_guard.sheets",
    "openpyxl": "wage_guard.sheets",
    "spectree": "wage_guard.api",
    "pydantic": "wage_guard.api",
    "flask_swagger_ui": "wage_guard.api",
}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module
    lines: int

    @property
    def is_web(self) -> bool:
        return self.path.name in WEB_FILE_NAMES or self.name in WEB_MODULES

    @property
    def package(self) -> str:
        parts = self.name.split(".")
        return ".".join(parts[:2]) if len(parts) > 2 or self.path.name == "__init__.py" else self.name


def _modules() -> list[Module]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.relative_to(PACKAGE).parts:
            continue
        relative = path.relative_to(ROOT).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        source = path.read_text(encoding="utf-8")
        modules.append(Module(".".join(parts), path, ast.parse(source), len(source.splitlines())))
    return modules


MODULES = _modules()
BY_NAME = {m.name: m for m in MODULES}


def _imports(module: Module) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, imported names) for every import, at any depth (lazy imports count too); imports
    for type checkers only (``if TYPE_CHECKING:``) do not run and are left out."""
    found = []
    for node in _runtime_nodes(module.tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [alias.name for alias in node.names]
            found.append((node.lineno, node.module, names))
            found += [(node.lineno, f"{node.module}.{n}", []) for n in names if f"{node.module}.{n}" in BY_NAME]
    return found


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for statement in node.body for child in ast.walk(statement))
    return [node for node in ast.walk(tree) if id(node) not in skipped]


def _where(module: Module, line: int) -> str:
    return f"{module.path.relative_to(ROOT)}:{line}"


def test_services_and_models_do_not_import_the_web_layer() -> None:
    problems = []
    for module in (m for m in MODULES if not m.is_web):
        for line, target, names in _imports(module):
            imported = BY_NAME.get(target)
            if imported is not None and imported.is_web and imported.name != "wage_guard":
                problems.append(f"{_where(module, line)} imports the web module {target}")
            if target == "flask" and FLASK_WEB_NAMES.intersection(names):
                problems.append(f"{_where(module, line)} uses {sorted(FLASK_WEB_NAMES.intersection(names))} from flask")
            if target.split(".")[0] in WEB_LIBRARIES and module.name not in MAY_IMPORT_WEB_LIBRARIES:
                problems.append(f"{_where(module, line)} imports {target}")
    assert not problems, "\n".join(problems)


def test_services_do_not_commit() -> None:
    """Views, the CLI and jobs commit once; a service that commits half-applies a change when a later step fails."""
    problems = []
    for module in (m for m in MODULES if not m.is_web and m.name not in COMMIT_POINTS):
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit":
                problems.append(f"{_where(module, node.lineno)} commits")
    assert not problems, "\n".join(problems)


def test_each_third_party_library_has_one_adapter_package() -> None:
    problems = []
    for path in [*(m.path for m in MODULES), *sorted((ROOT / "jobs").rglob("*.py"))]:
        module = BY_NAME.get(_name(path)) or Module(_name(path), path, ast.parse(path.read_text()), 0)
        for line, target, _ in _imports(module):
            owner = ADAPTERS.get(target.split(".")[0])
            if owner and not (module.name == owner or module.name.startswith(owner + ".")):
                problems.append(f"{_where(module, line)} imports {target}, which only {owner} may import")
    assert not problems, "\n".join(problems)


def test_services_have_no_import_cycles() -> None:
    """Between modules below the web layer, imports point one way: contracts use the ledger, the ledger does not use
    contracts. An import inside a function counts too: it hides a cycle, it does not remove it."""
    graph: dict[str, set[str]] = defaultdict(set)
    for module in (m for m in MODULES if not m.is_web):
        for _, target, _ in _imports(module):
            imported = BY_NAME.get(target)
            if imported is not None and not imported.is_web and imported.name != module.name:
                graph[module.name].add(imported.name)
    cycles = sorted({" → ".join(cycle) for cycle in _cycles(graph)})
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_module_and_function_sizes(module: Module) -> None:
    problems = []
    if module.lines > MAX_MODULE_LINES:
        problems.append(f"{module.path.relative_to(ROOT)} has {module.lines} lines (at most {MAX_MODULE_LINES})")
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                problems.append(f"{_where(module, node.lineno)} {node.name} has {length} lines (at most {MAX_FUNCTION_LINES})")
    assert not problems, "\n".join(problems)


def test_the_checks_see_a_violation(tmp_path: Path) -> None:
    """The checks can fail: a service importing a view, pyHanko outside signing and a commit are all reported."""
    source = "from flask import url_for\nfrom wage_guard.contracts.views import bp\nimport pyhanko\ndb.session.commit()\n"
    module = Module("wage_guard.example.services", PACKAGE / "example" / "services.py", ast.parse(source), 4)
    imports = _imports(module)
    assert ("flask", ["url_for"]) in [(t, n) for _, t, n in imports]
    assert BY_NAME["wage_guard.contracts.views"].is_web
    assert any(t == "pyhanko" for _, t, _ in imports)
    assert not module.is_web
    assert _cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b", "a"]]


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each elementary cycle once, found by a depth-first search from every node, rotated to its smallest node."""
    found: set[tuple[str, ...]] = set()

    def visit(path: list[str]) -> None:
        for nxt in sorted(graph.get(path[-1], ())):
            if nxt == path[0]:
                cycle = path[:]
                start = cycle.index(min(cycle))
                found.add(tuple(cycle[start:] + cycle[:start]))
            elif nxt not in path and nxt > path[0]:
                visit([*path, nxt])

    for node in sorted(graph):
        visit([node])
    return [[*cycle, cycle[0]] for cycle in sorted(found)]
