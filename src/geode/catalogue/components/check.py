"""Component content checked against the definitions of its shape or piece.

Pure and fast: whatever the check needs from the store (pieces, the shapes of related
items, which skus exist) comes through `ContentContext`, which the caller fills per
batch beforehand. Each problem names its path relative to the operation, such as
`components[2].contentChunk.chunks[0][1].singleLine`, with a stable code.

`required` is a property of the whole content: an update sends part of it, so the
caller merges (`merge_content`) and then checks `check_required` on the result.
Inside a piece, a chunk or a choice the content is always whole and checked at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from geode.catalogue.components.configs import ItemRelationsConfig
from geode.catalogue.components.content import ComponentContent, NestableContent, PieceContent
from geode.catalogue.components.definitions import (
    ChoiceConfig,
    ChunksConfig,
    ComponentDefinition,
    MultipleChoicesConfig,
    PieceConfig,
)
from geode.catalogue.components.emptiness import is_empty
from geode.catalogue.components.rules import Found, item_relations, value_rules

__all__ = [
    "ContentContext",
    "ContentProblem",
    "check_component",
    "check_content",
    "check_required",
    "merge_content",
]


@dataclass(frozen=True, slots=True)
class ContentProblem:
    path: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class ContentContext(Protocol):
    """What the check reads from the store, prefetched by the caller."""

    def piece(self, identifier: str) -> Sequence[ComponentDefinition] | None:
        """The piece's component definitions, or None when there is no such piece."""

    def item_shape(self, item_id: str) -> str | None:
        """The shape identifier of the item, or None when there is no such item."""

    def sku_exists(self, sku: str) -> bool: ...


def check_content(
    contents: Sequence[ComponentContent],
    definitions: Sequence[ComponentDefinition],
    context: ContentContext,
    *,
    at: str = "components",
    complete: bool = True,
) -> list[ContentProblem]:
    """Problems of `contents` (at path `at`) against `definitions`. With `complete`, the
    contents are the whole and `required` is checked too; an update passes False and
    checks `check_required` on the merged result."""
    checker = _Checker(context)
    checker.check_list(contents, definitions, at, "this shape", complete=complete)
    return checker.problems


def check_component(
    content: ComponentContent,
    definitions: Sequence[ComponentDefinition],
    context: ContentContext,
    *,
    at: str = "component",
) -> list[ContentProblem]:
    """One component (`item/updateComponent`), at path `at`."""
    checker = _Checker(context)
    checker.check_one(content, _by_id(definitions), at, "this shape", "unknown_component")
    return checker.problems


def check_required(
    contents: Sequence[NestableContent],
    definitions: Sequence[ComponentDefinition],
    *,
    at: str = "components",
) -> list[ContentProblem]:
    """Every required component holds something (null, [] and "" hold nothing)."""
    present = {content.componentId: content for content in contents}
    problems = []
    for definition in definitions:
        if not definition.is_required():
            continue
        content = present.get(definition.id)
        if content is not None:
            # Content of another type is reported as such by the check.
            if content.type != definition.type or not is_empty(definition.type, content.value):
                continue
            index = contents.index(content)
            path, said = f"{at}[{index}].{definition.type}", "is empty"
        else:
            path, said = at, "is missing"
        problems.append(
            ContentProblem(
                path,
                "required_component",
                f"component {definition.id!r} ({definition.type}) is required and {said}; "
                f'write {{"componentId": "{definition.id}", "{definition.type}": ...}} '
                "with content",
            )
        )
    return problems


def merge_content(
    stored: Sequence[ComponentContent], incoming: Iterable[ComponentContent]
) -> list[ComponentContent]:
    """Components merged by `componentId`: an incoming entry replaces its stored one in
    place, a new one is added at the end, stored ones absent from `incoming` are kept."""
    merged = list(stored)
    position = {content.componentId: index for index, content in enumerate(merged)}
    for content in incoming:
        index = position.get(content.componentId)
        if index is None:
            position[content.componentId] = len(merged)
            merged.append(content)
        else:
            merged[index] = content
    return merged


def _by_id(definitions: Sequence[ComponentDefinition]) -> dict[str, ComponentDefinition]:
    return {definition.id: definition for definition in definitions}


class _Checker:
    def __init__(self, context: ContentContext) -> None:
        self.context = context
        self.problems: list[ContentProblem] = []

    def add(self, path: str, code: str, message: str) -> None:
        self.problems.append(ContentProblem(path, code, message))

    def check_list(
        self,
        contents: Sequence[NestableContent],
        definitions: Sequence[ComponentDefinition],
        at: str,
        where: str,
        *,
        complete: bool,
    ) -> None:
        by_id = _by_id(definitions)
        seen: dict[str, int] = {}
        for index, content in enumerate(contents):
            path = f"{at}[{index}]"
            first = seen.setdefault(content.componentId, index)
            if first != index:
                self.add(
                    f"{path}.componentId",
                    "duplicate_component",
                    f"component {content.componentId!r} is already written at {at}[{first}]; "
                    "write each component once",
                )
                continue
            self.check_one(content, by_id, path, where, "unknown_component")
        if complete:
            self.problems.extend(check_required(contents, definitions, at=at))

    def check_one(
        self,
        content: NestableContent,
        by_id: dict[str, ComponentDefinition],
        path: str,
        where: str,
        unknown_code: str,
    ) -> None:
        definition = by_id.get(content.componentId)
        if definition is None:
            self.add(
                f"{path}.componentId",
                unknown_code,
                f"{where} has no component {content.componentId!r}"
                + _known(content.componentId, by_id),
            )
            return
        key = content.type
        if key != definition.type:
            self.add(
                f"{path}.{key}",
                "wrong_component_type",
                f"component {definition.id!r} is a {definition.type} component, not {key}; "
                f"write its content under `{definition.type}`",
            )
            return
        value = getattr(content, key)
        if is_empty(key, value):
            return
        at = f"{path}.{key}"
        config = definition.own_config()
        if key == "itemRelations":
            relations = config if isinstance(config, ItemRelationsConfig) else None
            self.report(at, definition, item_relations(value, relations, self.context))
        elif key in value_rules:
            if config is not None:
                self.report(at, definition, value_rules[key](value, config))
        elif key == "piece":
            self.check_piece(value, config, at)
        elif key == "contentChunk":
            self.check_chunks(value.chunks, config, at, definition)
        elif key == "componentChoice":
            choices = config.choices if isinstance(config, ChoiceConfig) else []
            where = f"the choices of {definition.id!r}"
            self.check_one(value, _by_id(choices), at, where, "unknown_choice")
        elif key == "componentMultipleChoice":
            self.check_choices(value, config, at, definition)

    def report(self, at: str, definition: ComponentDefinition, found: Iterable[Found]) -> None:
        for below, code, message in found:
            self.add(at + below, code, f"component {definition.id!r}: {message}")

    def check_piece(self, value: PieceContent, config: object, at: str) -> None:
        assert isinstance(config, PieceConfig)  # a piece definition always names its piece
        if value.identifier != config.identifier:
            self.add(
                f"{at}.identifier",
                "wrong_piece",
                f"this component holds the piece {config.identifier!r}, not {value.identifier!r}",
            )
            return
        definitions = self.context.piece(value.identifier)
        if definitions is None:
            self.add(f"{at}.identifier", "unknown_piece", f"no piece {value.identifier!r} exists")
            return
        where = f"piece {value.identifier!r}"
        self.check_list(value.components, definitions, f"{at}.components", where, complete=True)

    def check_chunks(
        self,
        chunks: list[list[NestableContent]],
        config: object,
        at: str,
        definition: ComponentDefinition,
    ) -> None:
        components = config.components if isinstance(config, ChunksConfig) else []
        repeatable = isinstance(config, ChunksConfig) and config.repeatable is True
        if len(chunks) > 1 and not repeatable:
            self.add(
                f"{at}.chunks",
                "too_many",
                f"component {definition.id!r} holds {len(chunks)} chunks; it is not "
                "repeatable, so it holds one",
            )
        where = f"a chunk of {definition.id!r}"
        for index, chunk in enumerate(chunks):
            self.check_list(chunk, components, f"{at}.chunks[{index}]", where, complete=True)

    def check_choices(
        self,
        values: list[NestableContent],
        config: object,
        at: str,
        definition: ComponentDefinition,
    ) -> None:
        by_id, duplicates = {}, False
        if isinstance(config, MultipleChoicesConfig):
            by_id, duplicates = _by_id(config.choices), config.allowDuplicates is True
        where = f"the choices of {definition.id!r}"
        seen: dict[str, int] = {}
        for index, value in enumerate(values):
            path = f"{at}[{index}]"
            first = seen.setdefault(value.componentId, index)
            if first != index and not duplicates:
                self.add(
                    f"{path}.componentId",
                    "duplicate_choice",
                    f"choice {value.componentId!r} is already chosen at {at}[{first}]; "
                    f"component {definition.id!r} does not allow duplicates",
                )
                continue
            self.check_one(value, by_id, path, where, "unknown_choice")


def _known(name: str, by_id: dict[str, ComponentDefinition]) -> str:
    if not by_id:
        return " (it has no components)"
    close = difflib.get_close_matches(name, by_id, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    shown = ", ".join(repr(key) for key in list(by_id)[:20])
    more = f" and {len(by_id) - 20} more" if len(by_id) > 20 else ""
    return f"{hint} (its components: {shown}{more})"
