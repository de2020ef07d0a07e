"""The packages import one another in one direction, and each library stays in its layer.

The graph is read with ``ast`` from the source (every ``import``, also those inside functions,
where the heavy readers are imported late), so it sees what a test run would not import.
Nodes are the roles of ``docs/development.md``: each format reader under ``parsers.formats``,
``parsers.document`` (with the package's ``__init__``: the entry that picks a reader), the
shared steps (the rest of ``parsers``), ``schemas``, ``warehouse``, the parts of
``pipelines`` (``core``, ``execution``, ``flows``, ``render``, ``cli``, ``web``), ``i18n``,
``limits``.

Rules:
- no cycle between nodes;
- Prefect only under ``pipelines/flows/``;
- DuckDB only under ``warehouse/`` (``bench/`` and the tests are not read here);
- rendering libraries (jinja2, matplotlib, rich, ...) only under ``pipelines/render/``, and
  rich also in ``pipelines/cli/``: the command prints through rich's ``Console`` and escapes its
  own help text with it, while what it draws (query tables, the progress bar, the escaping of
  text from documents) lives in ``render``; jinja2 also in ``pipelines/web/``, whose pages are
  its own templates (the validation report inside them is ``render``'s).

What is still wrong today is listed in ``KNOWN_CYCLES`` and ``KNOWN_MISPLACED``, and the test
fails when the list and the code disagree in either direction: a new cycle fails, and so does
a listed one that is gone (take it off the list).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("i18n", "limits", "parsers", "schemas", "warehouse", "pipelines")

# Most specific first: a module belongs to the first node it is inside.
NODES = (
    "parsers.formats.text",
    "parsers.formats.docx",
    "parsers.formats.html",
    "parsers.formats.xlsx",
    "parsers.formats.legacy",
    "parsers.formats.pdf",
    "parsers.formats.ocr",
    "parsers.formats",
    "parsers.document",
    "parsers",
    "schemas",
    "warehouse",
    "pipelines.core",
    "pipelines.execution",
    "pipelines.flows",
    "pipelines.render",
    "pipelines.cli",
    "pipelines.web",
    "pipelines",
    "i18n",
    "limits",
)

# (library, the node prefixes allowed to import it)
LIBRARY_HOMES: dict[str, tuple[str, ...]] = {
    "prefect": ("pipelines.flows",),
    "duckdb": ("warehouse",),
    "jinja2": ("pipelines.render", "pipelines.web"),
    "matplotlib": ("pipelines.render",),
    "markdown": ("pipelines.render",),
    "plotly": ("pipelines.render",),
    "weasyprint": ("pipelines.render",),
    "rich": ("pipelines.render", "pipelines.cli"),
}

# Cycles still in the code (each as its sorted nodes); issue #29 removes them.
KNOWN_CYCLES: set[tuple[str, ...]] = set()
# (module, library) imports outside the library's home, still to move.
KNOWN_MISPLACED: set[tuple[str, str]] = set()

Graph = dict[str, set[str]]


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the project's packages by dotted name (a package by its own name)."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """The dotted names ``name`` imports, anywhere in the file; ``from p import m`` names
    ``p.m`` when that is a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                kept = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(kept + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield full if full in modules else base


def node_of(module: str) -> str | None:
    if module == "parsers":  # the package's __init__ re-exports parsers.document
        return "parsers.document"
    for node in NODES:
        if module == node or module.startswith(node + "."):
            return node
    return None


def package_graph(modules: dict[str, Path]) -> Graph:
    graph: Graph = {}
    for name, path in modules.items():
        source = node_of(name)
        assert source is not None, name
        graph.setdefault(source, set())
        for imported in imports_of(name, path, modules):
            target = node_of(imported)
            if target is not None and target != source:
                graph[source].add(target)
    return graph


def cycles(graph: Graph) -> set[tuple[str, ...]]:
    """The strongly connected groups of more than one node (Tarjan), each as sorted nodes."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[tuple[str, ...]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.add(tuple(sorted(group)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def misplaced(modules: dict[str, Path]) -> set[tuple[str, str]]:
    wrong = set()
    for name, path in modules.items():
        for imported in imports_of(name, path, modules):
            library = imported.partition(".")[0]
            homes = LIBRARY_HOMES.get(library)
            if homes and not any(name == h or name.startswith(h + ".") for h in homes):
                wrong.add((name, library))
    return wrong


def test_finds_a_cycle_in_a_synthetic_graph() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == {("a", "b", "c")}
    assert cycles({"a": {"b"}, "b": set()}) == set()


def test_finds_a_cycle_and_a_misplaced_import_in_a_written_tree(tmp_path: Path) -> None:
    (tmp_path / "parsers" / "formats").mkdir(parents=True)
    (tmp_path / "schemas").mkdir()
    (tmp_path / "parsers" / "__init__.py").write_text("")
    (tmp_path / "parsers" / "formats" / "__init__.py").write_text("")
    (tmp_path / "parsers" / "grid.py").write_text(
        "def late():\n    from schemas import progress\n    import duckdb\n"
    )
    (tmp_path / "schemas" / "__init__.py").write_text("")
    (tmp_path / "schemas" / "progress.py").write_text("from ..parsers import grid\n")
    modules = project_modules(tmp_path)
    graph = package_graph(modules)
    assert graph["parsers"] == {"schemas"}
    assert ("parsers", "schemas") in cycles(graph)
    assert misplaced(modules) == {("parsers.grid", "duckdb")}


def test_no_new_cycle_between_packages() -> None:
    found = cycles(package_graph(project_modules()))
    assert found - KNOWN_CYCLES == set(), "a new cycle between packages"
    assert KNOWN_CYCLES - found == set(), "a known cycle is gone: take it off KNOWN_CYCLES"


def test_libraries_stay_in_their_layer() -> None:
    found = misplaced(project_modules())
    assert found - KNOWN_MISPLACED == set(), "a library imported outside its layer"
    assert KNOWN_MISPLACED - found == set(), "fixed: take it off KNOWN_MISPLACED"
