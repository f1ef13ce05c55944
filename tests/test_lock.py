"""The lock (README, "Dependencies"): every dependency pyproject.toml asks for is pinned with its
hashes in requirements.lock (the portal's) or requirements-dev.lock (with the dev extra), both
exports are what uv.lock gives, and uv's check of uv.lock against pyproject.toml passes without
any index (so that a new release on PyPI cannot fail CI) and fails once pyproject.toml asks for
something the lock does not give. `make lock-check` runs the same checks in CI."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .support.marks import require

ROOT = Path(__file__).resolve().parents[1]
UV = Path(sys.executable).parent / "uv"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pins(lock: Path) -> dict[str, tuple[str, int]]:
    """name → (version, number of hashes) of each requirement in an exported lock."""
    found = {}
    for block in re.split(r"\n(?=\S)", lock.read_text()):
        match = re.match(r"([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)", block)
        if match:
            name = canonicalize_name(match.group(1).split("[")[0])
            found[name] = (match.group(2), block.count("--hash=sha256:"))
    return found


@pytest.mark.parametrize(("lock", "requirements"), [
    ("requirements.lock", PROJECT["dependencies"]),
    ("requirements-dev.lock",
     PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]),
])
def test_every_dependency_is_pinned_with_hashes_within_what_pyproject_asks(lock, requirements):
    pinned = pins(ROOT / lock)
    for line in requirements:
        wanted = Requirement(line)
        name = canonicalize_name(wanted.name)
        assert name in pinned, f"{lock} lacks {line}: run make lock"
        version, hashes = pinned[name]
        assert wanted.specifier.contains(version, prereleases=True), (lock, line, version)
        assert hashes >= 1, (lock, name)
    assert "gunicorn" in pins(ROOT / "requirements.lock")  # `make serve` runs on it
    for name, (_, hashes) in pinned.items():  # the ones pulled in as well
        assert hashes >= 1, (lock, name)


def uv(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """uv in `folder`, with no index and an empty cache of its own."""
    return subprocess.run([str(UV), *args, "--offline"], cwd=folder, capture_output=True,
                          text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "UV_CACHE_DIR": str(folder / "cache"),
                               "UV_PYTHON": sys.executable, "HOME": str(folder)})


@pytest.fixture
def project(tmp_path):
    require(UV.exists(), f"uv is not installed in {UV.parent} (make install)")
    for name in ("pyproject.toml", "uv.lock", "requirements.lock", "requirements-dev.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


@pytest.mark.slow
def test_the_exports_are_what_uv_lock_gives(project):
    for lock, extra in (("requirements.lock", ()), ("requirements-dev.lock", ("--extra", "dev"))):
        result = uv(project, "export", "--frozen", "--quiet", "--no-emit-project", *extra)
        assert result.returncode == 0, result.stderr

        def body(text: str) -> list[str]:
            return [line for line in text.splitlines() if not line.startswith("#")]

        assert body(result.stdout) == body((ROOT / lock).read_text()), f"{lock}: run make lock"


@pytest.mark.slow
def test_the_lock_check_needs_no_index_and_fails_once_pyproject_asks_for_more(project):
    result = uv(project, "lock", "--check")
    assert result.returncode == 0, result.stderr  # offline, empty cache: nothing was asked
    pyproject = project / "pyproject.toml"
    original = pyproject.read_text()
    for changed in (
        original.replace('    "requests>=2.31",\n', '    "requests>=2.31",\n    "attrs>=20",\n'),
        original.replace('"Flask>=3.1"', '"Flask>=3.1.3"'),
        original.replace('    "gunicorn>=23",\n', ""),
    ):
        assert changed != original
        pyproject.write_text(changed)
        result = uv(project, "lock", "--check")
        assert result.returncode != 0, changed
    pyproject.write_text(original)
    assert uv(project, "lock", "--check").returncode == 0
