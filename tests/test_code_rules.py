"""Lint rules ruff does not offer. Ruff 0.17 has no unreachable-code rule (pylint's W0101 was
never ported; the experimental one was removed), so this test is that rule for our sources:
no statement may follow a `return`, `raise`, `continue` or `break` in the same block
(issue #6 §7: an older copy of `load_rhk` sat unreachable after its `return`)."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ekinerja", "opd", "skp", "penilaian", "tests")
TERMINAL = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def unreachable(source: str) -> list[int]:
    """Line numbers of the first statement after a terminal one, per block."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(node, field, None)
            if not isinstance(block, list):
                continue
            for stmt, following in itertools.pairwise(block):
                if isinstance(stmt, TERMINAL):
                    lines.append(following.lineno)
                    break
    return lines


def python_sources() -> list[Path]:
    return sorted(
        path for package in PACKAGES for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    return 1\n    x = 2\n", [3]),
        ("def f():\n    raise ValueError\n    return 1\n", [3]),
        ("for i in []:\n    continue\n    print(i)\n", [3]),
        ("while True:\n    break\n    pass\n", [3]),
        ("def f():\n    if x:\n        return 1\n    return 2\n", []),
        ("def f():\n    try:\n        return 1\n    finally:\n        pass\n", []),
    ],
)
def test_unreachable_finds_code_after_a_terminal_statement(source: str, expected: list[int]) -> None:
    assert unreachable(source) == expected


def test_no_unreachable_code_in_the_project() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in python_sources()
        for line in unreachable(path.read_text(encoding="utf-8"))
    ]
    assert found == []
