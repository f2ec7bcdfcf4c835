"""``requirements/lock.txt`` pins every dependency of ``pyproject.toml`` with hashes, so
``make install`` installs the same files on every machine (``pip --require-hashes``)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements" / "lock.txt"
BUILD_IN = REPO / "requirements" / "build.in"
HASH = re.compile(r"^\s+--hash=sha256:[0-9a-f]{64}\s*\\?$")


def _locked() -> dict[str, tuple[str, int]]:
    """Locked name -> (version, number of hashes)."""
    pins: dict[str, tuple[str, int]] = {}
    current: str | None = None
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if HASH.match(line):
            assert current is not None, f"hash without a requirement: {line}"
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
            continue
        requirement = Requirement(line.rstrip(" \\"))
        pinned = [spec for spec in requirement.specifier if spec.operator == "=="]
        assert len(pinned) == 1 and len(requirement.specifier) == 1, f"not pinned: {line}"
        current = canonicalize_name(requirement.name)
        pins[current] = (pinned[0].version, 0)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    texts = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["dev"],
        *project["build-system"]["requires"],
    ]
    for line in BUILD_IN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            texts.append(line)
    return [Requirement(text) for text in texts]


def test_every_locked_package_is_pinned_with_hashes() -> None:
    pins = _locked()
    assert pins, "the lock is empty"
    assert [name for name, (_version, hashes) in pins.items() if hashes == 0] == []


@pytest.mark.parametrize("requirement", _declared(), ids=str)
def test_every_declared_dependency_is_locked_at_a_version_it_allows(
    requirement: Requirement,
) -> None:
    pins = _locked()
    name = canonicalize_name(requirement.name)
    assert name in pins, f"{requirement} is not in {LOCK.name}: run 'make lock'"
    version = pins[name][0]
    assert requirement.specifier.contains(version, prereleases=True), (
        f"{LOCK.name} pins {name}=={version}, which {requirement} excludes: run 'make lock'"
    )
