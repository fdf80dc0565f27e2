"""The layering DESIGN.md asks for, checked on the source itself.

- No import cycle among product modules, counting imports placed inside functions (they
  hide a loop from Python, not from the reader).
- No module imports another module's private (`_name`) names.
- No product module (migrations aside) over 400 lines: past that it holds two concerns.
- Nobody imports a `tasks` module: work reaches the workers by name (`helpdesk.queue`).
- The product never imports `helpdesk.tools` (bench, load test, simulation): the tools
  drive the product from outside, with extras the product does not install.
"""

import ast
import graphlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("cases", "notifications", "helpdesk")
MAX_LINES = 400
TOOLS = "helpdesk.tools"


@dataclass
class ImportGraph:
    """Which product module imports which, and every private name taken across modules."""

    edges: dict[str, set[str]] = field(default_factory=dict)
    private: list[str] = field(default_factory=list)

    def cycle(self) -> list[str] | None:
        try:
            graphlib.TopologicalSorter(self.edges).prepare()
        except graphlib.CycleError as found:
            return found.args[1]
        return None


def product_modules(root: Path, packages=PRODUCT) -> dict[str, Path]:
    """Dotted name → file for every product module; migrations are history, not code."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).with_suffix("")
            if "migrations" in relative.parts:
                continue
            name = ".".join(relative.parts).removesuffix(".__init__")
            found[name] = path
    return found


def _imported_from(node: ast.ImportFrom, module: str, path: Path) -> str:
    if not node.level:
        return node.module or ""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def import_graph(root: Path, packages=PRODUCT) -> ImportGraph:
    modules = product_modules(root, packages)

    def resolve(name: str) -> str | None:
        """The most specific product module a dotted name lives in."""
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = ImportGraph(edges={name: set() for name in modules})
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [(resolve(alias.name), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                source = _imported_from(node, module, path)
                targets = [
                    (resolve(f"{source}.{alias.name}") or resolve(source), alias.name)
                    for alias in node.names
                ]
            else:
                continue
            for target, name in targets:
                if target is None or target == module:
                    continue
                graph.edges[module].add(target)
                last = name.rpartition(".")[2]
                if last.startswith("_") and not last.startswith("__"):
                    graph.private.append(f"{module} imports {name} from {target}")
    return graph


def is_tool(module: str) -> bool:
    return module == TOOLS or module.startswith(TOOLS + ".")


def tools_imported_by_the_product(graph: ImportGraph) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.edges.items()
        if not is_tool(module)
        for target in targets
        if is_tool(target)
    )


@pytest.fixture(scope="module")
def graph() -> ImportGraph:
    return import_graph(ROOT)


def test_no_import_cycle_among_product_modules(graph):
    assert graph.cycle() is None, "import cycle: " + " → ".join(graph.cycle() or [])


def test_no_private_name_imported_from_another_module(graph):
    assert graph.private == []


def test_no_product_module_imports_a_task_module(graph):
    importers = [m for m, targets in graph.edges.items() for t in targets if t.endswith(".tasks")]
    assert importers == [], "enqueue by name through helpdesk.queue instead"


def test_no_product_module_is_over_400_lines():
    long = {
        name: lines
        for name, path in product_modules(ROOT).items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_product_never_imports_the_tools(graph):
    assert tools_imported_by_the_product(graph) == []


def test_the_product_is_where_the_checks_look(graph):
    # The checks above pass vacuously on an empty tree: make sure they see the product.
    assert {"cases.services.core", "notifications.outbox", "helpdesk.queue"} <= set(graph.edges)
    assert "notifications.outbox" in graph.edges["cases.services.core"]
    # The tools are seen too, and they do import the product.
    assert "cases.services" in graph.edges["helpdesk.tools.simulation.floor"]


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_checker_finds_a_cycle_hidden_in_a_function(tmp_path):
    _write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/orders.py": "from shop.billing import charge\n",
            "shop/billing.py": "def charge():\n    from shop import orders\n",
            "shop/migrations/0001.py": "from shop.orders import x\n",
        },
    )
    graph = import_graph(tmp_path, packages=("shop",))
    assert set(graph.cycle() or []) == {"shop.orders", "shop.billing"}
    assert "shop.migrations.0001" not in graph.edges


def test_the_checker_finds_a_private_name_taken_across_modules(tmp_path):
    _write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/orders.py": "def _lock():\n    pass\n",
            "shop/billing.py": "from .orders import _lock\n",
        },
    )
    graph = import_graph(tmp_path, packages=("shop",))
    assert graph.private == ["shop.billing imports _lock from shop.orders"]
    assert graph.cycle() is None


def test_the_checker_finds_the_product_importing_a_tool(tmp_path):
    _write(
        tmp_path,
        {
            "helpdesk/__init__.py": "",
            "helpdesk/tools/__init__.py": "",
            "helpdesk/tools/bench.py": "from helpdesk import views\n",
            "helpdesk/views.py": "def page():\n    from helpdesk.tools.bench import run\n",
        },
    )
    graph = import_graph(tmp_path, packages=("helpdesk",))
    assert tools_imported_by_the_product(graph) == ["helpdesk.views imports helpdesk.tools.bench"]
