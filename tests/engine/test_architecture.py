"""The data flows one way: seeds -> briefings -> bot.  The engine never imports Telegram."""

from __future__ import annotations

import ast
from pathlib import Path

from architecture_support import top_level_imports

ENGINE = Path(__file__).resolve().parents[2] / "briefings"
FORBIDDEN = ("telegram", "bot")


_imports = top_level_imports


def test_engine_never_imports_telegram_or_the_bot() -> None:
    offenders = {
        str(path.relative_to(ENGINE.parent)): sorted(_imports(path) & set(FORBIDDEN))
        for path in ENGINE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_would_catch_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from telegram import Bot\nimport bot.app\n")
    assert _imports(bad) & set(FORBIDDEN) == {"telegram", "bot"}


def _engine_unit(module: str) -> str:
    """The package (or top-level module) of briefings a dotted module name belongs to."""
    parts = module.split(".")
    return ".".join(parts[:2])


def _unit_of_path(path: Path) -> str:
    rel = path.relative_to(ENGINE.parent).with_suffix("")
    return _engine_unit(".".join(rel.parts))


def _engine_imports(path: Path) -> set[str]:
    """Every briefings module a file imports, deferred (in-function) imports included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.split(".")[0] == "briefings")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "briefings":
                names.update(f"briefings.{a.name}" for a in node.names)
            elif node.module.startswith("briefings."):
                names.add(node.module)
    return names


def unit_graph(root: Path = ENGINE) -> dict[str, set[str]]:
    """Which of briefings' packages (and top-level modules) import which others."""
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        unit = _unit_of_path(path)
        targets = {_engine_unit(name) for name in _engine_imports(path)} - {unit, "briefings"}
        graph.setdefault(unit, set()).update(targets)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle among the graph's nodes, or [] (depth-first search, three colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_no_import_cycle_among_the_engine_packages() -> None:
    graph = unit_graph()
    assert "briefings.stages" in graph and "briefings.text" in graph
    assert find_cycle(graph) == []


def test_no_import_cycle_inside_a_package() -> None:
    """Within a package, modules import one another one way too (e.g. boilerplate, metadata)."""
    modules: dict[str, set[str]] = {}
    for path in ENGINE.rglob("*.py"):
        name = ".".join(path.relative_to(ENGINE.parent).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        modules[name] = {n for n in _engine_imports(path) if n != name}
    assert find_cycle(modules) == []


def test_the_cycle_check_would_catch_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
