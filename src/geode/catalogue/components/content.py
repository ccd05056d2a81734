"""Component content: `{componentId, <one type key>}` for the 19 component types, as
`@crystallize/schema` 6.14 has it (pim/components/component-content-input.ts).

The reference makes every type key optional; Geode takes exactly one, since content
with none or two cannot be checked against its definition. A type key set to null
clears the component's content.

Content is stored in this input form (`encode_components`), so an export writes it
back as input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import msgspec
from msgspec.structs import astuple

from geode.catalogue.components.values import (
    BooleanContent,
    ColorsContent,
    DatetimeContent,
    FileInput,
    GridRelationsContent,
    ImageInput,
    ItemRelationsContent,
    LocationContent,
    NumericContent,
    ParagraphCollectionContent,
    PropertiesTableContent,
    RichTextContent,
    SelectionContent,
    SingleLineContent,
    VideoInput,
)
from geode.schemas import UNSET, Input, Key, UnsetType

__all__ = [
    "ChunksContent",
    "ComponentContent",
    "NestableContent",
    "PieceContent",
    "decode_components",
    "encode_components",
]


class PieceContent(Input):
    identifier: Key
    components: list[ComponentContent]


class NestableContent(Input, kw_only=True):
    """What a chunk or a choice holds: any type but the three structural ones."""

    componentId: Key
    boolean: BooleanContent | UnsetType | None = UNSET
    colors: ColorsContent | UnsetType | None = UNSET
    datetime: DatetimeContent | UnsetType | None = UNSET
    files: list[FileInput] | UnsetType | None = UNSET
    gridRelations: GridRelationsContent | UnsetType | None = UNSET
    images: list[ImageInput] | UnsetType | None = UNSET
    itemRelations: ItemRelationsContent | UnsetType | None = UNSET
    location: LocationContent | UnsetType | None = UNSET
    numeric: NumericContent | UnsetType | None = UNSET
    paragraphCollection: ParagraphCollectionContent | UnsetType | None = UNSET
    piece: PieceContent | UnsetType | None = UNSET
    propertiesTable: PropertiesTableContent | UnsetType | None = UNSET
    richText: RichTextContent | UnsetType | None = UNSET
    selection: SelectionContent | UnsetType | None = UNSET
    singleLine: SingleLineContent | UnsetType | None = UNSET
    videos: list[VideoInput] | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        # Every product's content is decoded in the run too: the count is C-level,
        # the names are only listed for the refusal.
        values = astuple(self)
        if len(values) - values.count(UNSET) == 2:  # componentId and one type key
            return
        found = [name for name in self.__struct_fields__[1:] if getattr(self, name) is not UNSET]
        said = "none" if not found else ", ".join(f"`{name}`" for name in found)
        raise ValueError(
            f"component {self.componentId!r} needs exactly one content key beside "
            f"`componentId`, its type (`singleLine`, `images`, ...); found {said}"
        )

    @property
    def type(self) -> str:
        """The type key this content is written under."""
        values = astuple(self)
        index = 1
        while values[index] is UNSET:  # `__post_init__` proved one is set
            index += 1
        return self.__struct_fields__[index]

    @property
    def value(self) -> Any:
        """The content under the type key; None clears the component."""
        return getattr(self, self.type)


class ChunksContent(Input):
    chunks: list[list[NestableContent]]


class ComponentContent(NestableContent, kw_only=True):
    componentChoice: NestableContent | UnsetType | None = UNSET
    componentMultipleChoice: list[NestableContent] | UnsetType | None = UNSET
    contentChunk: ChunksContent | UnsetType | None = UNSET


_DECODER: Final = msgspec.json.Decoder(list[ComponentContent])
# Numbers stay numbers (the reference's `z.number()`), exact as decimals.
_ENCODER: Final = msgspec.json.Encoder(decimal_format="number")


def encode_components(components: Sequence[ComponentContent]) -> bytes:
    return _ENCODER.encode(components)


def decode_components(data: bytes | str) -> list[ComponentContent]:
    return _DECODER.decode(data)
