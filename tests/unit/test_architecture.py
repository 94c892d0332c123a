"""The package's layers point one way: cli/commands → reports/viz → experiments → model → agents →
config/errors/io/inputs/_version. A module imports only from its own layer or the layers below; no two
modules import each other; an interlock import inside a function says why with a `# lazy:` comment
(startup time of the command line or a heavy optional dependency), never to dodge a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "interlock"

# top to bottom; a module may import from its own layer and every layer below it
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("api", ("interlock",)),
    ("cli", ("interlock.cli", "interlock.commands")),
    ("reports/viz", ("interlock.reports", "interlock.viz")),
    ("experiments", ("interlock.experiments",)),
    ("model", ("interlock.model",)),
    ("agents", ("interlock.agents",)),
    ("base", ("interlock.config", "interlock.errors", "interlock.io", "interlock.inputs", "interlock._version")),
]


def layer_of(module: str) -> int:
    best, best_len = None, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for pre in prefixes:
            if (module == pre or module.startswith(pre + ".")) and len(pre) > best_len:
                best, best_len = i, len(pre)
    assert best is not None, f"module {module} is in no layer"
    return best


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, module: str, is_pkg: bool) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        pkg = module.split(".") if is_pkg else module.split(".")[:-1]
        pkg = pkg[: len(pkg) - (node.level - 1)]
        base = ".".join(pkg + ([node.module] if node.module else []))
    if not base.startswith("interlock"):
        return []
    if node.module is None:            # from . import a, b → the submodules
        return [f"{base}.{a.name}" for a in node.names]
    return [base]


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def imports(path: Path):
    """(target module, line, inside a function?) for every interlock import outside TYPE_CHECKING."""
    module = module_name(path)
    is_pkg = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            fn = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.ImportFrom):
                for target in _resolve(child, module, is_pkg):
                    out.append((target, child.lineno, in_function))
            elif isinstance(child, ast.Import):
                for a in child.names:
                    if a.name.startswith("interlock"):
                        out.append((a.name, child.lineno, in_function))
            visit(child, fn)

    visit(tree, False)
    return module, out


def _known(target: str, modules: set[str]) -> str:
    """The module a target names (a `from pkg import name` may name a function, not a module)."""
    while target not in modules and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


@pytest.fixture(scope="module")
def graph():
    files = sorted(PACKAGE.rglob("*.py"))
    parsed = [imports(f) + (f,) for f in files]
    modules = {m for m, _, _ in parsed}
    return modules, parsed


def test_every_import_points_down_the_layers(graph):
    modules, parsed = graph
    wrong = []
    for module, found, path in parsed:
        for target, line, _ in found:
            target = _known(target, modules)
            if layer_of(target) < layer_of(module):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module} "
                             f"({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})")
    assert not wrong, "imports pointing up the layers:\n" + "\n".join(wrong)


def test_no_two_modules_import_each_other(graph):
    modules, parsed = graph
    g = nx.DiGraph()
    for module, found, _ in parsed:
        for target, _, in_function in found:
            target = _known(target, modules)
            if target != module and not module.startswith(target + ".") and not in_function:
                g.add_edge(module, target)
    cycles = list(nx.simple_cycles(g))
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_an_import_inside_a_function_says_why(graph):
    modules, parsed = graph
    unexplained = []
    for module, found, path in parsed:
        lines = path.read_text(encoding="utf-8").splitlines()
        for target, line, in_function in found:
            if in_function and "# lazy:" not in lines[line - 1]:
                unexplained.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {lines[line - 1].strip()}")
    assert not unexplained, ("interlock imports inside functions without a `# lazy: <why>` comment "
                             "(move them to the top of the module):\n" + "\n".join(unexplained))


def test_the_layer_check_catches_an_upward_import(tmp_path):
    """The checker itself: an agent module importing the model is reported."""
    assert layer_of("interlock.agents.cta") > layer_of("interlock.model.model")
    assert layer_of("interlock.inputs.firms") > layer_of("interlock.agents.base")
    assert layer_of("interlock.commands.run") < layer_of("interlock.viz.dashboard")
