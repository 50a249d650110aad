"""The layout of DESIGN.md, checked on the source: which package may import which, and no
import cycle between modules. Imports are read with ``ast`` (inside functions too: a lazy
import is still a dependency), not with grep."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ult", "kiosk", "printer", "display", "admin")

# What each package may import of ours (DESIGN.md, "Layout"). ``printer`` may use the core's
# settings, its word list of printer states (``ult.kinds``) and its texts (``ult.messages``:
# the wait is worded once for the paper and the pages), leaf modules that import nothing:
# the paper never knows the queue.
ALLOWED: dict[str, tuple[str, ...]] = {
    "ult": ("ult",),
    "kiosk": ("kiosk", "ult", "printer"),
    "printer": ("printer", "ult.settings", "ult.kinds", "ult.messages"),
    "display": ("display", "ult"),
    "admin": ("admin", "ult", "kiosk", "display"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


MODULES = modules()


def imported(name: str, path: Path) -> set[str]:
    """Our modules that ``name`` imports, each as the most specific module that exists
    (``from ult import queue`` is ``ult.queue``; ``from ult.queue import Queue`` too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                targets.add(candidate if candidate in MODULES else module)
    ours = set()
    for target in targets:
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target and target.split(".")[0] in PACKAGES and target != name:
            ours.add(target)
    return ours


GRAPH = {name: imported(name, path) for name, path in MODULES.items()}


def allowed(source: str, target: str) -> bool:
    rules = ALLOWED[source.split(".")[0]]
    return any(target == rule or target.startswith(rule + ".") for rule in rules)


def test_every_package_is_found() -> None:
    assert {name.split(".")[0] for name in MODULES} == set(PACKAGES)
    assert len(MODULES) > 40


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_follow_the_layout(package: str) -> None:
    wrong = sorted(
        f"{source} imports {target}"
        for source, targets in GRAPH.items()
        if source.split(".")[0] == package
        for target in targets
        if not allowed(source, target)
    )
    assert wrong == []


def test_no_import_cycle_between_modules() -> None:
    # Tarjan's strongly connected components; a component of more than one module is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_checker_sees_a_wrong_import(tmp_path: Path) -> None:
    """The checker itself: an upward import, a relative one and a lazy one are all seen."""
    source = tmp_path / "ult" / "bad.py"
    source.parent.mkdir()
    source.write_text(
        "from . import queue\ndef f():\n    from kiosk.button import run\n    import admin.api\n",
        encoding="utf-8",
    )
    found = imported("ult.bad", source)
    assert found == {"ult.queue", "kiosk.button", "admin.api"}
    assert [t for t in sorted(found) if not allowed("ult.bad", t)] == ["admin.api", "kiosk.button"]
