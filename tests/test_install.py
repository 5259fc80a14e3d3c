"""Wirestream installed as a user installs it: with the stock pip of the machine's Python, into a
clean virtualenv outside the checkout, run from another folder. The files it reads at run time
(demo pages, the Maven projects of the local stack) come with the package."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*cmd: str | Path, cwd: Path, timeout: float = 600) -> str:
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, (
        f"{cmd} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with Wirestream installed (not editable) from a copy of the source."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    source.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", source)
    shutil.copy2(ROOT / "README.md", source)
    shutil.copytree(
        ROOT / "pipeline", source / "pipeline", ignore=shutil.ignore_patterns("__pycache__", "target")
    )
    venv = base / "venv"
    run(getattr(sys, "_base_executable", sys.executable), "-m", "venv", venv, cwd=base)
    run(
        venv / "bin" / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        source,
        cwd=base,
    )
    return venv


def test_the_install_uses_the_stock_pip(installed: Path) -> None:
    bundled = run(
        installed / "bin" / "python", "-c", "import ensurepip; print(ensurepip.version())", cwd=installed
    )
    assert (
        run(installed / "bin" / "python", "-m", "pip", "--version", cwd=installed).split()[1]
        == bundled.strip()
    )


def test_the_command_works_from_another_folder(installed: Path, tmp_path: Path) -> None:
    wirestream = installed / "bin" / "wirestream"
    assert "split" in run(wirestream, "--help", cwd=tmp_path)
    page = tmp_path / "page.html"
    shutil.copy2(ROOT / "pipeline" / "demo" / "pages" / "en-avocado-port.html", page)
    stories = run(wirestream, "split", "--site", "demo", page, cwd=tmp_path).splitlines()
    assert stories and '"kind":"article"' in stories[0]  # trafilatura (and lxml_html_clean) import


def test_exports_write_the_committed_files_from_another_folder(installed: Path, tmp_path: Path) -> None:
    wirestream = installed / "bin" / "wirestream"
    run(wirestream, "schemas", "export", cwd=tmp_path)
    run(wirestream, "kibana", "export", cwd=tmp_path)
    for written, committed in (
        (tmp_path / "schemas", ROOT / "schemas"),
        (tmp_path / "deploy" / "kibana", ROOT / "deploy" / "kibana"),
    ):
        names = sorted(p.name for p in committed.iterdir())
        assert sorted(p.name for p in written.iterdir()) == names
        for name in names:
            assert (written / name).read_text() == (committed / name).read_text(), name


def test_the_local_stack_finds_its_maven_projects_in_the_package(installed: Path, tmp_path: Path) -> None:
    script = (
        "from pipeline.stack import artifacts; from pathlib import Path; import sys\n"
        "v = artifacts.pinned_versions(); print(v.kafka, v.elasticsearch)\n"
        "with artifacts.maven_projects(Path(sys.argv[1])) as p:\n"
        "    print(sorted(str(f.relative_to(p)) for f in p.rglob('*') if f.is_file()))\n"
    )
    out = run(installed / "bin" / "python", "-c", script, tmp_path, cwd=tmp_path)
    assert (
        "es-analysis/pom.xml" in out and "WirestreamAnalysisPlugin.java" in out and "plugin-descriptor" in out
    )
    assert artifacts_versions() in out


def artifacts_versions() -> str:
    from pipeline.stack import artifacts

    versions = artifacts.pinned_versions()
    return f"{versions.kafka} {versions.elasticsearch}"
