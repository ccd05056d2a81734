"""The content of the 16 component types that hold values rather than other components,
field for field as `@crystallize/schema` 6.14 writes them (pim/components/types/*.ts).

Where the reference says `nullish` the field takes null; where it says `optional` it
does not. The three structural types and `piece` are in `content.py`.
"""

from __future__ import annotations

from typing import Any, Literal

from geode import limits
from geode.catalogue.components.fields import (
    NonNegativeReal,
    Real,
    SignedDecimal,
    WholeNumber,
    check_datetime,
)
from geode.schemas import (
    UNSET,
    DateTimeText,
    IdText,
    Input,
    Key,
    KeyValuePair,
    Name,
    Text,
    UnsetType,
    check_numbers,
)

ColorSpace = Literal["cmyk", "hex", "hsl", "pantone", "ral", "rgb"]


class SingleLineContent(Input):
    text: Text | UnsetType = UNSET


class RichTextContent(Input):
    html: list[Text] | UnsetType = UNSET
    json: list[Any] | UnsetType = UNSET


class NumericContent(Input):
    number: SignedDecimal
    unit: Name | UnsetType = UNSET

    def __post_init__(self) -> None:
        check_numbers(self, (("number", limits.SIGNED_MONEY),))


class BooleanContent(Input):
    value: bool | UnsetType = UNSET


class DatetimeContent(Input):
    datetime: DateTimeText | UnsetType = UNSET

    def __post_init__(self) -> None:
        check_datetime("datetime", self.datetime)


class LocationContent(Input):
    lat: Real | UnsetType = UNSET
    long: Real | UnsetType = UNSET


class SelectionContent(Input):
    keys: list[Key]


class FocalPoint(Input):
    x: NonNegativeReal
    y: NonNegativeReal


class Showcase(Input):
    itemIds: list[IdText] | UnsetType = UNSET
    skus: list[Key] | UnsetType = UNSET
    hotpost: FocalPoint | UnsetType = UNSET
    meta: list[KeyValuePair] | UnsetType = UNSET


class ImageInput(Input):
    key: Key
    mimeType: Name | UnsetType | None = UNSET
    altText: Text | UnsetType | None = UNSET
    caption: RichTextContent | UnsetType | None = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET
    focalPoint: FocalPoint | UnsetType | None = UNSET
    showcase: list[Showcase] | UnsetType | None = UNSET


class VideoInput(Input):
    key: Key
    thumbnails: list[ImageInput] | UnsetType = UNSET
    title: Name | UnsetType = UNSET


class FileInput(Input):
    key: Key
    title: Name | UnsetType = UNSET
    meta: list[KeyValuePair] | UnsetType = UNSET


class ItemRelationsContent(Input):
    itemIds: list[IdText] | UnsetType = UNSET
    skus: list[Key] | UnsetType = UNSET


class GridRelationsContent(Input):
    gridIds: list[IdText]


class Paragraph(Input):
    body: RichTextContent | UnsetType = UNSET
    images: list[ImageInput] | UnsetType = UNSET
    title: SingleLineContent | UnsetType = UNSET
    videos: list[VideoInput] | UnsetType = UNSET


class ParagraphCollectionContent(Input):
    paragraphs: list[Paragraph] | UnsetType = UNSET


class PropertiesTableSection(Input):
    title: Name | UnsetType = UNSET
    properties: list[KeyValuePair] | UnsetType = UNSET


class PropertiesTableContent(Input):
    sections: list[PropertiesTableSection] | UnsetType = UNSET


class Cmyk(Input):
    c: WholeNumber
    m: WholeNumber
    y: WholeNumber
    k: WholeNumber


class Hsl(Input):
    h: WholeNumber
    s: WholeNumber
    l: WholeNumber  # noqa: E741 (the reference's name)
    a: Real | UnsetType | None = UNSET


class Rgb(Input):
    r: WholeNumber
    g: WholeNumber
    b: WholeNumber
    a: Real | UnsetType | None = UNSET


class ColorEntry(Input):
    label: Name | UnsetType | None = UNSET
    hex: Name | UnsetType | None = UNSET
    pantone: Name | UnsetType | None = UNSET
    ral: Name | UnsetType | None = UNSET
    cmyk: Cmyk | UnsetType | None = UNSET
    hsl: Hsl | UnsetType | None = UNSET
    rgb: Rgb | UnsetType | None = UNSET


class ColorsContent(Input):
    colors: list[ColorEntry] | UnsetType = UNSET
