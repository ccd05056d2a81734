"""Component definitions: `{id, type, name, description?, config?}` for the 19 component
types, as `@crystallize/schema` 6.14 has them (pim/components/component-definition.ts,
component-config-input.ts).

A config is keyed by type (`{"config": {"singleLine": {"min": 1}}}`); a key that is not
the definition's own type is refused, naming it. Choices and chunks hold definitions
themselves but not structural ones: the reference's content of a chunk or a choice
(`NestableComponentContentInputSchema`) cannot hold a chunk or a choice, so such a
definition could never receive content.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Final

import msgspec

from geode.catalogue.components.configs import (
    BooleanConfig,
    ColorsConfig,
    DatetimeConfig,
    FilesConfig,
    GenericConfig,
    GridRelationsConfig,
    ImagesConfig,
    ItemRelationsConfig,
    LocationConfig,
    NumericConfig,
    ParagraphCollectionConfig,
    PropertiesTableConfig,
    RichTextConfig,
    SelectionConfig,
    SingleLineConfig,
    VideosConfig,
)
from geode.catalogue.components.fields import STRUCTURAL_TYPES, ComponentType, RequiredName
from geode.schemas import UNSET, Input, Key, Text, UnsetType

__all__ = [
    "ChoiceConfig",
    "ChunksConfig",
    "ComponentConfig",
    "ComponentDefinition",
    "MultipleChoicesConfig",
    "PieceConfig",
    "check_unique_ids",
    "decode_definitions",
    "encode_definitions",
    "piece_references",
    "pieces_named",
]

_STRUCTURAL_WORDS: Final = "componentChoice, componentMultipleChoice or contentChunk"


def check_unique_ids(definitions: Sequence[ComponentDefinition], field: str) -> None:
    """For `__post_init__`: content names its component by id, so an id is used once."""
    seen: dict[str, int] = {}
    for index, definition in enumerate(definitions):
        first = seen.setdefault(definition.id, index)
        if first != index:
            raise ValueError(
                f"`{field}[{index}].id` {definition.id!r} repeats `{field}[{first}].id`; "
                "component ids are unique within their list"
            )


def _check_nestable(definitions: Sequence[ComponentDefinition], field: str, holder: str) -> None:
    check_unique_ids(definitions, field)
    for index, definition in enumerate(definitions):
        if definition.type in STRUCTURAL_TYPES:
            raise ValueError(
                f"`{field}[{index}]` is a {definition.type} component; {holder} cannot hold "
                f"{_STRUCTURAL_WORDS} components (their content could not be written)"
            )


class ChoiceConfig(GenericConfig, kw_only=True):
    choices: list[ComponentDefinition]

    def __post_init__(self) -> None:
        _check_nestable(self.choices, "choices", "a componentChoice")


class MultipleChoicesConfig(GenericConfig, kw_only=True):
    """`allowDuplicates` absent means no: the same choice twice is refused."""

    choices: list[ComponentDefinition]
    allowDuplicates: bool | UnsetType = UNSET

    def __post_init__(self) -> None:
        _check_nestable(self.choices, "choices", "a componentMultipleChoice")


class ChunksConfig(GenericConfig, kw_only=True):
    """`repeatable` absent means no: the content holds at most one chunk."""

    components: list[ComponentDefinition]
    repeatable: bool | UnsetType = UNSET

    def __post_init__(self) -> None:
        _check_nestable(self.components, "components", "a contentChunk")


class PieceConfig(GenericConfig, kw_only=True):
    identifier: Key


class ComponentConfig(Input):
    """One key, the definition's type (`ComponentConfigInputSchema`)."""

    boolean: BooleanConfig | UnsetType = UNSET
    colors: ColorsConfig | UnsetType = UNSET
    componentChoice: ChoiceConfig | UnsetType = UNSET
    componentMultipleChoice: MultipleChoicesConfig | UnsetType = UNSET
    contentChunk: ChunksConfig | UnsetType = UNSET
    datetime: DatetimeConfig | UnsetType = UNSET
    files: FilesConfig | UnsetType = UNSET
    gridRelations: GridRelationsConfig | UnsetType = UNSET
    images: ImagesConfig | UnsetType = UNSET
    itemRelations: ItemRelationsConfig | UnsetType = UNSET
    location: LocationConfig | UnsetType = UNSET
    numeric: NumericConfig | UnsetType = UNSET
    paragraphCollection: ParagraphCollectionConfig | UnsetType = UNSET
    piece: PieceConfig | UnsetType = UNSET
    propertiesTable: PropertiesTableConfig | UnsetType = UNSET
    richText: RichTextConfig | UnsetType = UNSET
    selection: SelectionConfig | UnsetType = UNSET
    singleLine: SingleLineConfig | UnsetType = UNSET
    videos: VideosConfig | UnsetType = UNSET

    def present(self) -> list[str]:
        return [name for name in self.__struct_fields__ if getattr(self, name) is not UNSET]


class ComponentDefinition(Input, kw_only=True):
    id: Key
    type: ComponentType
    name: RequiredName
    description: Text | UnsetType = UNSET
    config: ComponentConfig | UnsetType = UNSET

    def __post_init__(self) -> None:
        if not isinstance(self.config, UnsetType):
            for key in self.config.present():
                if key != self.type:
                    raise ValueError(
                        f"`config.{key}` does not belong to a {self.type} component: a config "
                        f"holds only its component's type, here `config.{self.type}`"
                    )
        if self.type == "piece" and self.own_config() is None:
            raise ValueError(
                "a piece component names its piece: write "
                '`"config": {"piece": {"identifier": "..."}}`'
            )

    def own_config(self) -> msgspec.Struct | None:
        """The config of this definition's type, or None when it has none."""
        if isinstance(self.config, UnsetType):
            return None
        value = getattr(self.config, self.type)
        return None if value is UNSET else value

    def is_required(self) -> bool:
        config = self.own_config()
        return getattr(config, "required", False) is True


def piece_references(definitions: Iterable[ComponentDefinition]) -> set[str]:
    """The pieces these definitions name, at any depth: what must exist before them."""
    return {identifier for identifier, _ in pieces_named(definitions, "components")}


def pieces_named(
    definitions: Iterable[ComponentDefinition], field: str
) -> Iterator[tuple[str, str]]:
    """(piece identifier, path of its config under `field`) for every piece named,
    at any depth: for refusals that say where."""
    for index, definition in enumerate(definitions):
        config = definition.own_config()
        at = f"{field}[{index}].config.{definition.type}"
        if isinstance(config, PieceConfig):
            yield config.identifier, at
        elif isinstance(config, ChoiceConfig | MultipleChoicesConfig):
            yield from pieces_named(config.choices, f"{at}.choices")
        elif isinstance(config, ChunksConfig):
            yield from pieces_named(config.components, f"{at}.components")


def self_reference(definitions: Iterable[ComponentDefinition], identifier: str) -> str | None:
    """Where these definitions (of piece `identifier`) name the piece itself, or None."""
    for named, at in pieces_named(definitions, "components"):
        if named == identifier:
            return at
    return None


_DEFINITIONS_DECODER: Final = msgspec.json.Decoder(list[ComponentDefinition])
_ENCODER: Final = msgspec.json.Encoder()


def encode_definitions(definitions: Sequence[ComponentDefinition]) -> bytes:
    """The stored form is the input form, so an export writes definitions back as input."""
    return _ENCODER.encode(definitions)


def decode_definitions(data: bytes | str) -> list[ComponentDefinition]:
    return _DEFINITIONS_DECODER.decode(data)
