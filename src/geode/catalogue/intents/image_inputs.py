"""`image/register` as a file declares it: what a validation worker process
loads of images (see `kinds`). No SQLAlchemy here.
"""

from __future__ import annotations

from typing import Any

from geode.massops.intents import Ref, ref_field
from geode.schemas import UNSET, Input, Key, UnsetType

IMAGE_OUTPUT = frozenset({"key"})


class ImageRegister(Input, tag_field="intent", tag="image/register", kw_only=True):
    key: Key
    language: Key | UnsetType = UNSET
    resourceIdentifier: Key | UnsetType = UNSET
    ref: Ref | UnsetType = ref_field()


class ImageSchema:
    name: str = "image"
    operations: tuple[type[Any], ...] = (ImageRegister,)
    key_fields: frozenset[str] = frozenset({"key"})

    def outputs(self, intent: str) -> frozenset[str]:
        return IMAGE_OUTPUT

    def provides(self, op: Any) -> list[str]:
        return []

    def needs(self, op: Any) -> list[str]:
        return []
