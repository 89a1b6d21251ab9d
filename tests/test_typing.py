"""Public service, selector and permission functions are fully typed (parameters and return),
so a caller can read the contract from the signature; the annotations also resolve."""

from __future__ import annotations

import ast
import importlib
import typing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TYPED = sorted(
    [
        *(ROOT / "study" / "services").glob("*.py"),
        *(ROOT / "study" / "selectors").glob("*.py"),
        ROOT / "study" / "permissions.py",
    ]
)


def _public_functions(path: Path):
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith(
            "_"
        ):
            yield node


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


@pytest.mark.parametrize("path", TYPED, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_public_function_is_fully_annotated(path):
    missing = []
    for node in _public_functions(path):
        arguments = node.args
        for argument in [
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            *filter(None, [arguments.vararg, arguments.kwarg]),
        ]:
            if argument.annotation is None and argument.arg not in {"self", "cls"}:
                missing.append(f"{node.name}({argument.arg})")
        if node.returns is None:
            missing.append(f"{node.name} -> ?")
    assert missing == [], f"{_module(path)}: not annotated: {', '.join(missing)}"


@pytest.mark.parametrize("path", TYPED, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_annotations_resolve(path):
    module = importlib.import_module(_module(path))
    for node in _public_functions(path):
        function = getattr(module, node.name)
        function = getattr(function, "__wrapped__", function)
        typing.get_type_hints(function)  # a misspelled or unimported name raises NameError
