"""The config rules of the value component types: each function takes one content value
and its config and yields `(path below the type key, code, message)` for what breaks them.

Empty content is not checked here (it says "nothing"; `required` is the walker's).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

from geode.catalogue.components.configs import (
    ColorsConfig,
    ItemRelationsConfig,
    NumericConfig,
    SelectionConfig,
    SingleLineConfig,
)
from geode.catalogue.components.values import (
    ColorsContent,
    ItemRelationsContent,
    NumericContent,
    RichTextContent,
    SelectionContent,
    SingleLineContent,
)
from geode.schemas import UnsetType

__all__ = ["Found", "RelationLookup", "count_problems", "value_rules"]

Found = tuple[str, str, str]
"""(path below the type key, e.g. `.keys[1]` or ``, code, message)"""

_TAG = re.compile(r"<[^>]*>")


class RelationLookup(Protocol):
    def item_shape(self, item_id: str) -> str | None: ...

    def sku_exists(self, sku: str) -> bool: ...


def _bound(config: object, name: str) -> int | float | None:
    value = getattr(config, name, None)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def count_problems(
    count: int, config: object, what: str, low: str = "min", high: str = "max", at: str = ""
) -> Iterator[Found]:
    """`min`/`max` (or other bounds) of a number of things: items, keys, characters."""
    least, most = _bound(config, low), _bound(config, high)
    short = "too_short" if what == "characters" else "too_few"
    long = "too_long" if what == "characters" else "too_many"
    if least is not None and count < least:
        yield (
            at,
            short,
            f"holds {count} {what}; the component's `{low}` asks for at least {least:g}",
        )
    if most is not None and count > most:
        yield at, long, f"holds {count} {what}; the component's `{high}` allows at most {most:g}"


@lru_cache(maxsize=256)
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def single_line(value: SingleLineContent, config: SingleLineConfig) -> Iterator[Found]:
    text = value.text if isinstance(value.text, str) else ""
    yield from count_problems(len(text), config, "characters", at=".text")
    if isinstance(config.pattern, str) and not _pattern(config.pattern).search(text):
        yield (
            ".text",
            "pattern_mismatch",
            f"does not match the component's pattern {config.pattern!r}",
        )


def _json_text(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, item in node.items():
            if key in ("text", "textContent") and isinstance(item, str):
                yield item
            else:
                yield from _json_text(item)
    elif isinstance(node, list):
        for item in node:
            yield from _json_text(item)


def rich_text_length(value: RichTextContent) -> int:
    """Characters a reader sees: the html without its tags, else the text nodes of json."""
    if value.html:
        return sum(len(html.unescape(_TAG.sub("", part))) for part in value.html)
    if value.json:
        return sum(len(text) for text in _json_text(value.json))
    return 0


def rich_text(value: RichTextContent, config: object) -> Iterator[Found]:
    yield from count_problems(rich_text_length(value), config, "characters")


def numeric(value: NumericContent, config: NumericConfig) -> Iterator[Found]:
    places = config.decimalPlaces
    if not isinstance(places, UnsetType):
        step = Decimal(1).scaleb(-int(places))
        if value.number != value.number.quantize(step):
            yield (
                ".number",
                "too_many_decimal_places",
                f"{value.number} has more than the {int(places)} decimal places the component "
                "allows",
            )
    units = config.units
    if isinstance(value.unit, str) and isinstance(units, list) and value.unit not in units:
        yield (
            ".unit",
            "unknown_unit",
            f"{value.unit!r} is not a unit of this component; use one of {_listed(units)}",
        )


def selection(value: SelectionContent, config: SelectionConfig) -> Iterator[Found]:
    yield from count_problems(len(value.keys), config, "selected options", at=".keys")
    options = {option.key for option in config.options}
    for index, key in enumerate(value.keys):
        if key not in options:
            yield (
                f".keys[{index}]",
                "unknown_option",
                f"{key!r} is not an option of this component; use one of {_listed(options)}",
            )


def colors(value: ColorsContent, config: ColorsConfig) -> Iterator[Found]:
    entries = value.colors if isinstance(value.colors, list) else []
    yield from count_problems(len(entries), config, "colors", at=".colors")
    if config.requireLabel is True:
        for index, entry in enumerate(entries):
            if not entry.label:
                yield f".colors[{index}].label", "label_required", "this component needs a label"


def item_relations(
    value: ItemRelationsContent, config: ItemRelationsConfig | None, lookup: RelationLookup
) -> Iterator[Found]:
    items = value.itemIds if isinstance(value.itemIds, list) else []
    skus = value.skus if isinstance(value.skus, list) else []
    yield from count_problems(len(items) + len(skus), config, "relations")
    yield from count_problems(len(items), config, "items", "minItems", "maxItems", ".itemIds")
    yield from count_problems(len(skus), config, "skus", "minSkus", "maxSkus", ".skus")
    accepted = None if config is None else config.acceptedShapeIdentifiers
    for index, item_id in enumerate(items):
        shape = lookup.item_shape(item_id)
        if shape is None:
            yield f".itemIds[{index}]", "unknown_item", f"no item has the id {item_id!r}"
        elif isinstance(accepted, list) and accepted and shape not in accepted:
            yield (
                f".itemIds[{index}]",
                "shape_not_accepted",
                f"item {item_id!r} has the shape {shape!r}, which this component does not "
                f"accept; it accepts {_listed(accepted)}",
            )
    for index, sku in enumerate(skus):
        if not lookup.sku_exists(sku):
            yield f".skus[{index}]", "unknown_sku", f"no product variant has the sku {sku!r}"


def _listed(values: Any) -> str:
    shown = sorted(values)
    text = ", ".join(repr(value) for value in shown[:20])
    return text + (f" and {len(shown) - 20} more" if len(shown) > 20 else "")


def _counted(what: str) -> Callable[[Any, Any], Iterator[Found]]:
    def rule(value: Any, config: Any) -> Iterator[Found]:
        items = value.gridIds if what == "grids" else value
        return count_problems(len(items), config, what)

    return rule


value_rules: dict[str, Callable[[Any, Any], Iterator[Found]]] = {
    "singleLine": single_line,
    "richText": rich_text,
    "numeric": numeric,
    "selection": selection,
    "colors": colors,
    "images": _counted("images"),
    "videos": _counted("videos"),
    "files": _counted("files"),
    "gridRelations": _counted("grids"),
}
"""The rules that need only the value and its config (itemRelations also needs lookups)."""
