"""The shape of index/, read from the code with the stdlib ast: no import circle, no import of our
own modules hidden inside a function, and only index/whoosh/ imports Whoosh.

Run as a script (`python -m tests.index.test_layering bot index`) it prints the circles and
function-level imports of any packages, for a before/after count."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("index", "bot", "benchmarks")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, inside a function) for every import in the file; `from a import b` counts
    as `a.b` when that is a module of ours, else `a`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, nested) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - child.level + 1], base])
                    base = base.strip(".")
                for alias in child.names:
                    candidate = f"{base}.{alias.name}"
                    found.append((candidate if _is_module(candidate) else base, nested))
            visit(child, nested)

    visit(tree, False)
    return found


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def modules(*packages: str) -> dict[str, Path]:
    return {
        module_name(path): path
        for package in packages
        for path in sorted((ROOT / package).rglob("*.py"))
        if ".venv" not in path.parts
    }


def graph(*packages: str) -> dict[str, set[str]]:
    """Module -> the modules of `packages` it imports (a package's __init__ counts as the package)."""
    known = modules(*packages)
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for target, _ in imports(path):
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                edges[name].add(target)
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges[node]:
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return groups


def hidden_imports(*packages: str) -> list[str]:
    """Imports of our own modules inside functions: the usual way of dodging a circle."""
    return [
        f"{name} imports {target} inside a function"
        for name, path in modules(*packages).items()
        for target, nested in imports(path)
        if nested and target.split(".")[0] in OURS
    ]


def test_no_import_circle_in_index() -> None:
    assert circles(graph("index")) == []


def test_no_module_of_index_imports_its_own_modules_inside_a_function() -> None:
    assert hidden_imports("index") == []


def test_only_the_engine_package_imports_whoosh() -> None:
    outside = [
        f"{name} imports {target}"
        for name, path in modules("index", "bot", "benchmarks").items()
        if not name.startswith("index.whoosh")
        for target, _ in imports(path)
        if target.split(".")[0] == "whoosh"
    ]
    assert outside == []


def test_above_the_engine_only_the_knowledge_base_chooses_whoosh() -> None:
    """index/ speaks of plans and hits: the default engine is named in one place."""
    users = sorted(
        name
        for name, targets in graph("index").items()
        if not name.startswith("index.whoosh") and any(t.startswith("index.whoosh") for t in targets)
    )
    assert users == ["index.knowledge"]


def test_a_module_of_index_over_400_lines_says_why_in_its_docstring() -> None:
    unexplained = [
        name
        for name, path in modules("index").items()
        if len(path.read_text(encoding="utf-8").splitlines()) > 400
        and "400 lines" not in (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "")
    ]
    assert unexplained == []


def test_the_checker_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


if __name__ == "__main__":
    packages = sys.argv[1:] or ["bot", "index"]
    edges = graph(*packages)
    found = circles(edges)
    print(f"{len(edges)} modules in {', '.join(packages)}; {len(found)} import circle(s)")
    for group in found:
        print("  circle:", " <-> ".join(group))
    hidden = hidden_imports(*packages)
    print(f"{len(hidden)} import(s) of our own modules inside functions")
    for line in hidden:
        print("  ", line)
