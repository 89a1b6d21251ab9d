"""Public service, selector and permission functions are fully typed (every parameter and the
return), so a caller can read the contract from the signature, and the annotations resolve.

Checked on the syntax tree (each public module-level function, and each public method of a
public class, in study/services/*.py, study/selectors/*.py and study/permissions.py), then at
runtime with typing.get_type_hints, so a misspelled or unimported name fails. Names imported only
under ``if TYPE_CHECKING:`` (to break an import cycle) are imported here, after Django has
loaded every module, and handed to get_type_hints: they are resolved too, not skipped.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import sys
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
TYPED = sorted(
    [
        *(ROOT / "study" / "services").glob("*.py"),
        *(ROOT / "study" / "selectors").glob("*.py"),
        ROOT / "study" / "permissions.py",
    ]
)
# Generic types that say little without their parameters (``dict`` rather than dict[str, int]).
BARE_GENERICS = frozenset(
    {
        "dict",
        "list",
        "tuple",
        "set",
        "frozenset",
        "type",
        "Callable",
        "Iterable",
        "Iterator",
        "Generator",
        "Mapping",
        "Sequence",
        "QuerySet",
        "IO",
        "Literal",
    }
)
GENERIC_MODULES = frozenset({"typing", "collections.abc", "models"})  # models.QuerySet


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _public_functions(tree: ast.Module) -> Iterator[tuple[str, Function]]:
    """(qualified name, node) of each public function and each public method of a public class."""
    for node in tree.body:
        if isinstance(node, Function) and not node.name.startswith("_"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for member in node.body:
                if isinstance(member, Function) and not member.name.startswith("_"):
                    yield f"{node.name}.{member.name}", member


def _parameters(node: Function) -> list[ast.arg]:
    arguments = node.args
    return [
        *arguments.posonlyargs,
        *arguments.args,
        *filter(None, [arguments.vararg]),
        *arguments.kwonlyargs,
        *filter(None, [arguments.kwarg]),
    ]


def _bare_generics(annotation: ast.expr) -> list[str]:
    """Names in BARE_GENERICS used without parameters anywhere in the annotation."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        annotation = ast.parse(annotation.value, mode="eval").body  # a quoted annotation
    subscripted = {
        id(node.value) for node in ast.walk(annotation) if isinstance(node, ast.Subscript)
    }
    found = []
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.Attribute) and ast.unparse(node.value) in GENERIC_MODULES:
            name = node.attr  # typing.Iterator, not np.random.Generator
        else:
            continue
        if name in BARE_GENERICS and id(node) not in subscripted:
            found.append(name)
    return found


def annotation_problems(module: str, tree: ast.Module) -> list[str]:
    """``module:function:parameter`` for each missing annotation (``...:return`` for a missing
    return annotation), with a note for an annotation that is a bare generic."""
    problems = []
    for name, node in _public_functions(tree):
        annotated: list[tuple[str, ast.expr | None]] = [
            (argument.arg, argument.annotation)
            for argument in _parameters(node)
            if argument.arg not in {"self", "cls"}
        ]
        annotated.append(("return", node.returns))
        for where, annotation in annotated:
            if annotation is None:
                problems.append(f"{module}:{name}:{where}")
            else:
                problems += [
                    f"{module}:{name}:{where} (bare {generic})"
                    for generic in _bare_generics(annotation)
                ]
    return problems


def test_the_checker_names_each_missing_annotation():
    source = (
        "def good(*, a: int, b: dict[str, int] | None = None) -> list[str]: ...\n"
        "def _private(x): ...\n"
        "def bad(x, /, y: int, *args, z, **kwargs) -> dict: ...\n"
        "class Thing:\n"
        "    def method(self, value) -> None: ...\n"
        "    @property\n"
        "    def size(self): ...\n"
        "    def _hidden(self, value): ...\n"
        "def attributes(rng: np.random.Generator, rows: typing.Iterator) -> 'QuerySet': ...\n"
    )
    assert annotation_problems("m", ast.parse(source)) == [
        "m:bad:x",
        "m:bad:args",
        "m:bad:z",
        "m:bad:kwargs",
        "m:bad:return (bare dict)",
        "m:Thing.method:value",
        "m:Thing.size:return",
        "m:attributes:rows (bare Iterator)",
        "m:attributes:return (bare QuerySet)",
    ]


def test_the_walk_covers_the_services_selectors_and_permissions():
    found = {
        f"{_module_name(path)}:{name}"
        for path in TYPED
        for name, _ in _public_functions(_tree(path))
    }
    assert {
        "study.services.exports:study_export",
        "study.services.imports:ImportReport.imported",
        "study.selectors.export_rows:trial_rows",
        "study.permissions:study_view",
    } <= found
    assert len(found) > 60


def test_every_public_function_is_fully_annotated():
    problems = [
        problem
        for path in TYPED
        for problem in annotation_problems(_module_name(path), _tree(path))
    ]
    assert problems == [], "not fully annotated:\n" + "\n".join(problems)


def _type_checking_names(tree: ast.Module, module: ModuleType) -> dict[str, object]:
    """The names the module imports only under ``if TYPE_CHECKING:``, imported here."""
    names: dict[str, object] = {}
    for node in tree.body:
        test = node.test if isinstance(node, ast.If) else None
        if not (
            isinstance(test, ast.Name | ast.Attribute)
            and getattr(test, "id", getattr(test, "attr", None)) == "TYPE_CHECKING"
        ):
            continue
        for statement in node.body:
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    imported = importlib.import_module(alias.name)
                    if alias.asname:
                        names[alias.asname] = imported
                    else:
                        top = alias.name.split(".")[0]
                        names[top] = importlib.import_module(top)
            elif isinstance(statement, ast.ImportFrom):
                source = importlib.util.resolve_name(
                    "." * statement.level + (statement.module or ""), module.__package__
                )
                imported = importlib.import_module(source)
                for alias in statement.names:
                    value = getattr(imported, alias.name, None)
                    if value is None:
                        value = importlib.import_module(f"{source}.{alias.name}")
                    names[alias.asname or alias.name] = value
    return names


def _runtime_function(module: ModuleType, name: str) -> Callable[..., object]:
    owner: object = module
    *classes, attribute = name.split(".")
    for class_name in classes:
        owner = getattr(owner, class_name)
    value = inspect.getattr_static(owner, attribute)
    if isinstance(value, property):
        value = value.fget
    elif isinstance(value, staticmethod | classmethod):
        value = value.__func__
    return inspect.unwrap(value)  # through transaction.atomic and other wrapping decorators


def unresolved_annotations(module: ModuleType, tree: ast.Module) -> list[str]:
    """``module:function: error`` for each public function whose annotations do not resolve."""
    type_checking_only = _type_checking_names(tree, module)
    problems = []
    for name, _node in _public_functions(tree):
        try:
            typing.get_type_hints(_runtime_function(module, name), localns=type_checking_only)
        except NameError as error:
            problems.append(f"{module.__name__}:{name}: {error}")
    return problems


def test_the_resolver_imports_type_checking_names_and_catches_a_misspelling(tmp_path, monkeypatch):
    (tmp_path / "typing_probe.py").write_text(
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from collections import OrderedDict as Ordered\n"
        "def fine(*, value: Ordered[str, int]) -> None: ...\n"
        "def broken(*, value: Ordred[str, int]) -> None: ...\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    probe = importlib.import_module("typing_probe")
    monkeypatch.delitem(sys.modules, "typing_probe")  # not left behind for other tests
    tree = _tree(tmp_path / "typing_probe.py")
    with pytest.raises(NameError):
        typing.get_type_hints(probe.fine)  # a TYPE_CHECKING name alone does not resolve
    assert unresolved_annotations(probe, tree) == [
        "typing_probe:broken: name 'Ordred' is not defined"
    ]


@pytest.mark.parametrize("path", TYPED, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_annotations_resolve(path):
    module = importlib.import_module(_module_name(path))
    assert unresolved_annotations(module, _tree(path)) == []


def test_the_literal_types_name_exactly_the_accepted_codes():
    from study import permissions
    from study.models import Arm, StudyMembership
    from study.services import builder, exports

    assert typing.get_args(exports.ExportTable) == exports.EXPORT_TABLES
    assert set(typing.get_args(builder.AdviceSource)) == set(Arm.Source.values)
    assert set(typing.get_args(builder.MemberRole)) == set(StudyMembership.Role.values)
    actions = {permissions.READ, permissions.WRITE, permissions.MANAGE}
    assert set(typing.get_args(permissions.Action)) == actions
    assert set().union(*permissions._ALLOWED.values()) == actions
