"""When content counts as no content: what `required` refuses, and what `min` lets pass.

A component written with null, an empty list or an empty text says "nothing here", as
a form's empty field does: `required` refuses it, and `min` applies only to content
that holds something (as HTML's `minlength` does).
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

__all__ = ["is_empty"]


def is_empty(component_type: str, value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return not value
    match component_type:
        case "singleLine":
            return not value.text
        case "richText":
            return not value.html and not value.json
        case "boolean":
            return value.value is UNSET
        case "datetime":
            return not value.datetime
        case "location":
            return value.lat is UNSET and value.long is UNSET
        case "selection":
            return not value.keys
        case "itemRelations":
            return not value.itemIds and not value.skus
        case "gridRelations":
            return not value.gridIds
        case "paragraphCollection":
            return not value.paragraphs
        case "propertiesTable":
            return not value.sections
        case "colors":
            return not value.colors
        case "contentChunk":
            return not value.chunks
    # numeric (its number is required), piece, componentChoice: present is something.
    return False
