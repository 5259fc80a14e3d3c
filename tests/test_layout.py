"""The code's shape stays readable: every module is on a map (the README's layout for the top level,
each folder's README for its modules), every path the docs name exists, no module over ~400 lines
and no function over ~60 (data tables aside), and no import cycle between the package's modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"
DOCS = sorted([ROOT / "README.md", *ROOT.glob("pipeline/**/README.md"), *ROOT.glob("deploy/**/README.md")])
#: Modules that are mostly data (word lists, letter tables): exempt from the size limit.
DATA_TABLES = {"pipeline/split/lexicon.py"}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def layout_block() -> str:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"^## Layout\n.*?^```\n(.*?)^```", readme, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no ## Layout section with a code block"
    return match.group(1)


def test_the_readme_layout_names_every_top_level_module_and_package() -> None:
    block = layout_block()
    named = set(re.findall(r"^\s+([\w.]+/?)\s", block, re.MULTILINE))
    top = {p.name for p in PACKAGE.glob("*.py")} | {
        f"{p.name}/" for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }
    assert top - {"__init__.py"} <= named, (
        f"not in the README's layout: {sorted(top - named - {'__init__.py'})}"
    )


@pytest.mark.parametrize(
    "package",
    sorted(
        p.parent.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE
    ),
)
def test_each_package_readme_names_every_module(package: str) -> None:
    folder = ROOT / package
    readme = folder / "README.md"
    assert readme.is_file(), f"{package}/ has no README.md"
    text = readme.read_text()
    missing = [
        p.name for p in sorted(folder.glob("*.py")) if p.name != "__init__.py" and f"`{p.name}`" not in text
    ] + [
        f"{p.name}/"
        for p in sorted(folder.iterdir())
        if p.is_dir() and p.name != "__pycache__" and f"`{p.name}/`" not in text
    ]
    assert not missing, f"{package}/README.md does not name {missing}"


PATHLIKE = re.compile(r"`([\w.][\w./*-]*(?:/[\w.*-]+)+/?|[\w-]+\.(?:py|md|yaml|json|txt|html|toml))`")


def named_paths(doc: Path) -> list[str]:
    return [m for m in PATHLIKE.findall(doc.read_text()) if not m.startswith(("../", "http"))]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_path_the_docs_name_exists(doc: Path) -> None:
    missing = []
    for name in named_paths(doc):
        candidates = [ROOT / name, doc.parent / name]
        if "*" in name:
            found = any(list(ROOT.glob(name)) or list(doc.parent.glob(name)))
        else:
            found = any(c.exists() for c in candidates)
        # what users create themselves (their own .env, sources file, pages) is not ours to have
        if not found and not Path(name).name.startswith((".env", "sources.yaml", "local.yaml", "page")):
            missing.append(name)
    assert not missing, f"{doc.relative_to(ROOT)} names paths that do not exist: {missing}"


def test_no_module_over_400_lines_and_no_function_over_60() -> None:
    problems = []
    for path in modules():
        rel = path.relative_to(ROOT).as_posix()
        lines = path.read_text().count("\n")
        if lines > MAX_MODULE_LINES and rel not in DATA_TABLES:
            problems.append(f"{rel}: {lines} lines")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    problems.append(f"{rel}:{node.lineno} {node.name}(): {length} lines")
    assert not problems, "too long: " + "; ".join(problems)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, known: set[str]) -> set[str]:
    """The package's modules ``path`` imports, anywhere in it (an import inside a function is an
    edge too: it only hides the cycle until that function runs)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        for name in names:
            module = name
            while module and module not in known:
                module = module.rpartition(".")[0]
            if module:
                found.add(module)
    return found


def test_no_import_cycle() -> None:
    paths = {module_name(p): p for p in modules()}
    graph = {name: imports(path, set(paths)) - {name} for name, path in paths.items()}
    # a package's own __init__ importing its submodules is how packages work: count child -> parent only
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if node.startswith(nxt + ".") or nxt.startswith(node + "."):
                continue  # parent package <-> its own submodule
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)
