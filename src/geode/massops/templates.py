"""`{{ ref.field }}` templates: finding them, parsing them, rendering them.

Resolution is strict on purpose: the platform we replace silently stores an
unresolvable template as literal text; Geode refuses it with a reason.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec

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


# A value that is one template and nothing else (most are): one match parses it.
# `[^\S\n]` because `_TEMPLATE_RE`'s `.` does not cross a newline either.
_WHOLE_RE = re.compile(
    r"\{\{[^\S\n]*([A-Za-z_][A-Za-z0-9_\-]*)\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"[^\S\n]*\}\}"
)


@dataclass(frozen=True, slots=True)
class Template:
    """One string value holding templates, parsed once for the run."""

    text: str
    references: tuple[Reference, ...]
    whole: bool
    """The value is exactly one template: the result is the referenced value itself."""

    def render(self, lookup: Callable[[Reference], object]) -> str:
        if self.whole:
            return _as_text(lookup(self.references[0]))
        return render(self.text, lookup)


@functools.lru_cache(maxsize=4096)
def compile_template(text: str) -> Template:
    """`parse_template`, remembered: in a run, each template text (one per `_ref`
    read) recurs for every operation that reads the same output, usually close
    by. Kept small: with 65,536 entries the 1M benchmark's peak RSS rose 228 -> 245 MB."""
    whole = _WHOLE_RE.fullmatch(text)
    if whole is not None:
        return Template(text, (Reference(whole.group(1), whole.group(2)),), whole=True)
    return Template(text, tuple(parse_template(text)), whole=False)


def find_templates(value: Any) -> list[tuple[Path, str]]:
    """Every string value containing a template, with its path inside `value`
    (and any holding a NUL character, which no database stores: the checks refuse it).

    Runs once per operation on the validation pass, so it is written for speed:
    exact type checks, and paths are only built for the (rare) strings that hit.
    """
    found: list[tuple[Path, str]] = []
    _walk(value, [], found, 0, sys.maxsize)
    return found


def survey(value: Any, depth: int, limit: int) -> tuple[int, list[tuple[Path, str]]]:
    """`find_templates`, and from the same walk the number of object members in
    `value`, which sits `depth` levels down (-1, and no deeper walk, when a
    container lies past `limit`): what `json_input.proven_sound` counts, for the
    parallel pass, which would otherwise walk every operation twice."""
    found: list[tuple[Path, str]] = []
    members = _walk(value, [], found, depth, limit)
    return members, found


# Escapes that decode to "{", "}" or NUL; JSON writes no other escape for them.
_ESCAPES = re.compile(rb"\\u00(?:00|7[bBdD])")


def may_hold_templates(document: bytes | msgspec.Raw) -> bool:
    """False when `find_templates` of this JSON text (one whole value) is sure to
    find nothing: no string in it holds "{{", "}}" or a NUL character.

    The parallel validation pass asks this of every operation, and decodes as
    plain JSON (to look for templates) only those it may hold one: before, any
    operation with a nested object ("}}" outside strings) was decoded twice.
    """
    text = bytes(document)
    if b"{{" in text or (b"\\u00" in text and _ESCAPES.search(text)):
        return True
    return b"}}" in text and _closes_in_a_string(text)


def _closes_in_a_string(text: bytes) -> bool:
    """Whether a "}}" of `text` lies inside a string. Outside strings "}}" is
    common (nested objects closing): a "}}" counts only after an odd number of
    quotes, which is exact as long as no quote is escaped (else: maybe)."""
    if b'\\"' in text:
        return True
    quotes = 0
    position = 0
    while (closing := text.find(b"}}", position)) >= 0:
        quotes += text.count(b'"', position, closing)
        if quotes % 2:
            return True
        position = closing + 1
    return False


def _walk(
    node: Any, trail: list[PathPart], found: list[tuple[Path, str]], depth: int, limit: int
) -> int:
    kind = type(node)
    if kind is dict:
        items: Any = node.items()
        members = len(node)
    elif kind is list:
        items = enumerate(node)
        members = 0
    else:
        if kind is str and ("{{" in node or "}}" in node or "\x00" in node):
            found.append(((*trail,), node))
        return 0
    depth += 1
    if depth > limit:
        return -1
    for key, child in items:
        child_kind = type(child)
        if child_kind is str:
            if "{{" in child or "}}" in child or "\x00" in child:
                found.append(((*trail, key), child))
        elif child_kind is dict or child_kind is list:
            trail.append(key)
            inner = _walk(child, trail, found, depth, limit)
            trail.pop()
            if inner < 0:
                return -1
            members += inner
    return members


def render(text: str, lookup: Callable[[Reference], object]) -> str:
    """Replace every template; `lookup` raises TemplateError when it cannot resolve."""

    def substitute(match: re.Match[str]) -> str:
        parsed = _REFERENCE_RE.match(match.group(1))
        assert parsed is not None  # validated before the run
        return _as_text(lookup(Reference(parsed.group(1), parsed.group(2))))

    return _TEMPLATE_RE.sub(substitute, text)


def render_known(text: str, lookup: Callable[[Reference], object | None]) -> str:
    """Replace the templates `lookup` has a value for; keep those it answers None
    for as they are (a retry resolves references to operations that succeeded)."""

    def substitute(match: re.Match[str]) -> str:
        parsed = _REFERENCE_RE.match(match.group(1))
        if parsed is None:
            return match.group(0)
        value = lookup(Reference(parsed.group(1), parsed.group(2)))
        return match.group(0) if value is None else _as_text(value)

    return _TEMPLATE_RE.sub(substitute, text)


def _as_text(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def iter_references(templates: list[tuple[Path, str]]) -> Iterator[Reference]:
    for _path, text in templates:
        yield from parse_template(text)


def set_path(target: Any, path: Sequence[PathPart], value: str) -> None:
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
