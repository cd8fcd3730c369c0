"""The code's structure: the layers of .importlinter hold, no module imports itself through others, and
no module of kb/ or web/ is over 400 lines (README "Layers")."""
from __future__ import annotations

import grimp
from importlinter.cli import lint_imports

from kb.settings import PROJECT_ROOT

MAX_LINES = 400


def test_layers_hold():
    """lint-imports with the project's .importlinter: a module imports only from its layer or those below."""
    assert lint_imports(config_filename=str(PROJECT_ROOT / ".importlinter"), no_cache=True, no_logo=True) == 0


def import_cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan): each is an import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycles():
    """Function-level imports count too: a cycle hidden inside a function is still a cycle."""
    assert import_cycles(grimp.build_graph("kb", "web")) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for a, b in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")):
        graph.add_import(importer=a, imported=b)
    assert import_cycles(graph) == [["p.a", "p.b", "p.c"]]


def test_no_module_over_400_lines():
    sizes = {str(p.relative_to(PROJECT_ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for folder in ("kb", "web") for p in (PROJECT_ROOT / folder).rglob("*.py")}
    assert sizes and {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_every_module_has_a_layer():
    """A module no layer names is checked by no contract: each top-level module or package of kb/ (and web/)
    stands in .importlinter's layers."""
    import configparser

    config = configparser.ConfigParser()
    config.read(PROJECT_ROOT / ".importlinter", encoding="utf-8")
    named = {name.strip() for line in config["importlinter:contract:layers"]["layers"].splitlines()
             for name in line.split("|") if name.strip()}
    tops = {f"kb.{p.stem}" for p in (PROJECT_ROOT / "kb").glob("*.py") if p.stem != "__init__"}
    tops |= {f"kb.{p.parent.name}" for p in (PROJECT_ROOT / "kb").glob("*/__init__.py")}
    assert len(tops) > 20 and tops - {"kb.data"} <= named, sorted(tops - named)
