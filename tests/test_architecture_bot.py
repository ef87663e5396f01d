"""Framework internals are touched in one module only: ``bot/ptb_compat.py``.

A private name of python-telegram-bot or APScheduler (an attribute that begins with ``_`` on
one of their classes, or a module such as ``telegram._utils``) may change in any release; kept
in one module, an upgrade has one file to read.  The check is by name: an attribute access
``x._name`` where ``_name`` is private to a framework class counts, unless ``x`` is ``self`` or
``cls`` of a class of ours that does not derive from a framework class (our own ``_lock`` is not
PTB's).
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

from architecture_support import top_level_imports

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
FRAMEWORKS = ("telegram", "apscheduler")
ALLOWED = {"bot/ptb_compat.py"}
#: Public-looking names that are framework internals all the same (APScheduler's trigger
#: protocol, which PTB's JobQueue does not expose).
EXTRA_INTERNALS = {"get_next_fire_time"}
_MODULES = (
    "telegram",
    "telegram.ext",
    "telegram.request",
    "apscheduler.job",
    "apscheduler.triggers.cron",
    "apscheduler.triggers.date",
    "apscheduler.triggers.interval",
    "apscheduler.schedulers.asyncio",
)


def framework_private_names() -> set[str]:
    """Every ``_name`` (not dunder) defined on a class of the frameworks, slots included."""
    names: set[str] = set()
    for module_name in _MODULES:
        module = importlib.import_module(module_name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not cls.__module__.startswith(FRAMEWORKS):
                continue
            for name in dir(cls):
                if name.startswith("_") and not name.startswith("__"):
                    names.add(name)
    return names | EXTRA_INTERNALS


def _framework_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] in FRAMEWORKS


def offences(source: str, private: set[str]) -> list[str]:
    """What a module touches of the frameworks' internals, as ``line: what``."""
    tree = ast.parse(source)
    imported: set[str] = set()  # local names bound to framework objects
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _framework_module(node.module):
                imported.update(a.asname or a.name for a in node.names)
                if any(part.startswith("_") for part in node.module.split(".")):
                    found.append(f"{node.lineno}: from {node.module} import")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _framework_module(alias.name):
                    imported.add((alias.asname or alias.name).split(".")[0])
                    if any(part.startswith("_") for part in alias.name.split(".")):
                        found.append(f"{node.lineno}: import {alias.name}")

    def framework_class(cls: ast.ClassDef) -> bool:
        for base in cls.bases:
            root = base
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in imported:
                return True
        return False

    def visit(node: ast.AST, own_class: bool) -> None:
        if isinstance(node, ast.ClassDef):
            own_class = not framework_class(node)
        if isinstance(node, ast.Attribute) and node.attr in private:
            value = node.value
            ours = isinstance(value, ast.Name) and value.id in {"self", "cls"} and own_class
            if not ours:
                found.append(f"{node.lineno}: .{node.attr}")
        for child in ast.iter_child_nodes(node):
            visit(child, own_class)

    visit(tree, False)
    return found


def test_only_ptb_compat_touches_framework_internals() -> None:
    private = framework_private_names()
    assert {"_post", "_base_limiter", "_get_group_limiter", "_merge_api_rl_kwargs"} <= private
    offenders = {}
    for path in sorted(BOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED:
            continue
        found = offences(path.read_text(encoding="utf-8"), private)
        if found:
            offenders[rel] = found
    assert offenders == {}


def test_ptb_compat_is_where_they_are() -> None:
    """The allowed module really holds them (else the check above proves nothing)."""
    found = offences(
        (BOT / "ptb_compat.py").read_text(encoding="utf-8"), framework_private_names()
    )
    assert any("._post" in f for f in found)
    assert any("telegram._utils" in f for f in found)


def test_the_check_would_catch_an_offender() -> None:
    private = framework_private_names()
    bad = (
        "from telegram._utils.defaultvalue import DEFAULT_NONE\n"
        "from telegram.ext import AIORateLimiter\n"
        "class Limiter(AIORateLimiter):\n"
        "    def f(self):\n"
        "        self._base_limiter = None\n"
        "async def g(bot, trigger):\n"
        "    await bot._post('sendMessage', {})\n"
        "    trigger.get_next_fire_time(None, None)\n"
        "class Ours:\n"
        "    def f(self):\n"
        "        self._post = 1\n"
    )
    found = offences(bad, private)
    assert found == [
        "1: from telegram._utils.defaultvalue import",
        "5: ._base_limiter",
        "7: ._post",
        "8: .get_next_fire_time",
    ]


# --- The fake Bot API stands apart -------------------------------------------------------------

#: The offline demo (``python -m bot demo``) runs the real bot against the fake server, and its
#: terminal shows each message parsed as a Telegram client would, with the fake server's own
#: Bot-API HTML parser (one parser, so the demo shows what the tests check).  No other module of
#: the bot may import the fake server: a bot that could reach it could talk to it in production.
DEMO_MODULES = {"bot/demo.py", "bot/terminal.py"}


def test_fakeapi_imports_neither_the_bot_nor_the_engine() -> None:
    offenders = {
        path.relative_to(ROOT).as_posix(): sorted(top_level_imports(path) & {"bot", "briefings"})
        for path in (ROOT / "fakeapi").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_demo_imports_fakeapi() -> None:
    importers = {
        path.relative_to(ROOT).as_posix()
        for path in BOT.rglob("*.py")
        if "fakeapi" in top_level_imports(path)
    }
    assert importers <= DEMO_MODULES
    assert "bot/demo.py" in importers  # the check looks where the import really is


def test_the_import_check_would_catch_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from fakeapi import FakeBotApi\nimport bot.app\n")
    assert top_level_imports(bad) >= {"fakeapi", "bot"}
