"""The configuration of the 16 value component types, as `@crystallize/schema` 6.14 has it
(`*ConfigInputSchema` in pim/components/types/*.ts). The structural types and `piece`
hold definitions and live in `definitions.py`.

Checks of one config alone (min <= max, a pattern that compiles, option keys once) run
at decoding, so msgspec reports them at the config's JSON path.
"""

from __future__ import annotations

import re
from typing import Literal

from geode.catalogue.components.fields import Count
from geode.catalogue.components.values import ColorEntry, ColorSpace
from geode.schemas import UNSET, IdText, Input, Key, Name, Text, UnsetType

FileSizeUnit = Literal["Bytes", "GiB", "KiB", "MiB"]
ParagraphPart = Literal["body", "images", "title", "videos", "structure"]


def check_range(config: object, low: str, high: str) -> None:
    lo, hi = getattr(config, low), getattr(config, high)
    if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
        raise ValueError(f"`{low}` ({lo:g}) is greater than `{high}` ({hi:g}); swap them")


class GenericConfig(Input):
    """What every component's config may say (`GenericComponentConfigInputSchema`)."""

    multilingual: bool | UnsetType = UNSET
    required: bool | UnsetType = UNSET
    discoverable: bool | UnsetType = UNSET


class MinMaxConfig(GenericConfig):
    min: Count | UnsetType | None = UNSET
    max: Count | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_range(self, "min", "max")


class BooleanConfig(GenericConfig):
    pass


class DatetimeConfig(GenericConfig):
    pass


class LocationConfig(GenericConfig):
    pass


class ImagesConfig(MinMaxConfig):
    pass


class VideosConfig(MinMaxConfig):
    pass


class RichTextConfig(MinMaxConfig):
    pass


class GridRelationsConfig(MinMaxConfig):
    pass


class ColorsConfig(MinMaxConfig):
    requireLabel: bool | UnsetType = UNSET
    customColorSpaces: list[ColorSpace] | UnsetType = UNSET
    colorPresets: list[ColorEntry] | UnsetType = UNSET


class AcceptedContentType(Input):
    contentType: Name
    extensionLabel: Name | UnsetType = UNSET


class FileSize(Input):
    size: Count
    unit: FileSizeUnit


class FilesConfig(MinMaxConfig, kw_only=True):
    maxFileSize: FileSize
    acceptedContentTypes: list[AcceptedContentType] | UnsetType = UNSET


class QuickSelectFolder(Input):
    folderId: IdText


class QuickSelect(Input):
    folders: list[QuickSelectFolder] | UnsetType = UNSET


class ItemRelationsConfig(MinMaxConfig):
    """`min`/`max` bound all relations; `minItems`/`maxItems` the items, `minSkus`/`maxSkus`
    the product variants."""

    minItems: Count | UnsetType | None = UNSET
    maxItems: Count | UnsetType | None = UNSET
    minSkus: Count | UnsetType | None = UNSET
    maxSkus: Count | UnsetType | None = UNSET
    acceptedShapeIdentifiers: list[Key] | UnsetType = UNSET
    quickSelect: QuickSelect | UnsetType = UNSET

    def __post_init__(self) -> None:
        check_range(self, "min", "max")
        check_range(self, "minItems", "maxItems")
        check_range(self, "minSkus", "maxSkus")


class NumericConfig(GenericConfig):
    # The reference takes any positive number; a fraction of a place means nothing.
    decimalPlaces: Count | UnsetType = UNSET
    units: list[Name] | UnsetType = UNSET

    def __post_init__(self) -> None:
        places = self.decimalPlaces
        if not isinstance(places, UnsetType) and (places <= 0 or places != int(places)):
            raise ValueError(f"`decimalPlaces` is {places:g}; write a whole number of 1 or more")


class ParagraphCollectionConfig(Input, kw_only=True):
    """`multilingual` is the list of the parts that differ per language (not a boolean)."""

    multilingual: list[ParagraphPart]
    required: bool | UnsetType = UNSET
    discoverable: bool | UnsetType = UNSET


class PropertiesTableSectionConfig(Input):
    keys: list[Key]
    title: Name | UnsetType = UNSET


class PropertiesTableConfig(GenericConfig):
    sections: list[PropertiesTableSectionConfig] | UnsetType = UNSET


class SelectionOption(Input):
    key: Key
    value: Name
    isPreselected: bool | UnsetType = UNSET


class SelectionConfig(MinMaxConfig, kw_only=True):
    options: list[SelectionOption]

    def __post_init__(self) -> None:
        check_range(self, "min", "max")
        seen: dict[str, int] = {}
        for index, option in enumerate(self.options):
            first = seen.setdefault(option.key, index)
            if first != index:
                raise ValueError(
                    f"`options[{index}].key` {option.key!r} repeats `options[{first}].key`; "
                    "each option needs its own key"
                )


class SingleLineConfig(MinMaxConfig):
    """`pattern` is a regular expression the text must contain a match of (as JavaScript's
    `RegExp.test` does: anchor it with ^ and $ to match the whole text)."""

    pattern: Text | UnsetType = UNSET

    def __post_init__(self) -> None:
        check_range(self, "min", "max")
        if isinstance(self.pattern, str):
            try:
                re.compile(self.pattern)
            except re.error as error:
                raise ValueError(
                    f"`pattern` is not a regular expression Geode can read: {error}"
                ) from None
