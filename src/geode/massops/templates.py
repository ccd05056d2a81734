"""`{{ ref.field }}` templates: finding them, parsing them, rendering them.

Resolution is strict on purpose: the platform we replace silently stores an
unresolvable template as literal text; Geode refuses it with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

_TEMPLATE_RE = re.compile(r"\{\{(.*?)\}\}")
_REFERENCE_RE = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_\-]*)\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$"
)

PathPart = str | int
Path = tuple[PathPart, ...]


class TemplateError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Reference:
    ref: str
    field: str

    def __str__(self) -> str:
        return f"{{{{ {self.ref}.{self.field} }}}}"


def parse_template(text: str) -> list[Reference]:
    """The references inside one string value; raises TemplateError when malformed."""
    references = []
    for match in _TEMPLATE_RE.finditer(text):
        parsed = _REFERENCE_RE.match(match.group(1))
        if parsed is None:
            raise TemplateError(
                f"template {match.group(0)!r} is malformed; write {{{{ name.field }}}}, "
                "where name is the _ref of an earlier operation"
            )
        references.append(Reference(parsed.group(1), parsed.group(2)))
    remainder = _TEMPLATE_RE.sub("", text)
    if "{{" in remainder or "}}" in remainder:
        raise TemplateError(f"unbalanced braces in {text!r}; a template is {{{{ name.field }}}}")
    return references


def find_templates(value: Any) -> list[tuple[Path, str]]:
    """Every string value containing a template, with its path inside `value`."""
    found: list[tuple[Path, str]] = []
    stack: list[tuple[Path, Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            if "{{" in node or "}}" in node:
                found.append((path, node))
        elif isinstance(node, dict):
            for key, child in node.items():
                if not isinstance(child, str | int | float | Decimal | bool | None):
                    stack.append(((*path, key), child))
                elif isinstance(child, str) and ("{{" in child or "}}" in child):
                    found.append(((*path, key), child))
        elif isinstance(node, list):
            stack.extend(((*path, i), child) for i, child in enumerate(node))
    found.sort(key=lambda item: tuple(str(p) for p in item[0]))
    return found


def render(text: str, lookup: Callable[[Reference], object]) -> str:
    """Replace every template; `lookup` raises TemplateError when it cannot resolve."""

    def substitute(match: re.Match[str]) -> str:
        parsed = _REFERENCE_RE.match(match.group(1))
        assert parsed is not None  # validated before the run
        value = lookup(Reference(parsed.group(1), parsed.group(2)))
        if isinstance(value, Decimal):
            return format(value, "f")
        return str(value)

    return _TEMPLATE_RE.sub(substitute, text)


def iter_references(templates: list[tuple[Path, str]]) -> Iterator[Reference]:
    for _path, text in templates:
        yield from parse_template(text)


def set_path(target: Any, path: Path, value: str) -> None:
    """Write a rendered value into a decoded operation (structs and lists)."""
    node = target
    for part in path[:-1]:
        node = node[part] if isinstance(part, int) else getattr(node, _attribute(part))
    last = path[-1]
    if isinstance(last, int):
        node[last] = value
    else:
        setattr(node, _attribute(last), value)


def _attribute(name: str) -> str:
    return "ref" if name == "_ref" else name
