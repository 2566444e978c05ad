"""The hash-locked dependency files say what requirements*.txt say: every direct pin is locked at the same version,
and every locked package carries at least one SHA-256 (pip installs them with --require-hashes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\[\]-]+)==([^\s\\;]+)", re.MULTILINE)


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw.split("[")[0]).lower()


def _pins(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    pins = {_name(name): version for name, version in PIN.findall(text)}
    for line in text.splitlines():
        if line.startswith("-r "):
            pins |= _pins(path.parent / line.split()[1])
    return pins


@pytest.mark.parametrize(
    ("source", "lock"), [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")]
)
def test_every_pin_is_locked_at_its_version_with_hashes(source: str, lock: str) -> None:
    wanted, locked = _pins(ROOT / source), _pins(ROOT / lock)
    assert {name: version for name, version in wanted.items() if locked.get(name) != version} == {}
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text(encoding="utf-8"))
    unhashed = [b.split("==")[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
    assert unhashed == []
