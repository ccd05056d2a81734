"""`topic/create|update|upsert|delete` as a file declares them: what a validation
worker process loads of topics (see `kinds`). No SQLAlchemy here.
"""

from __future__ import annotations

from typing import Any

from geode.massops.intents import Ref, ref_field
from geode.schemas import UNSET, IdText, Input, Key, KeyValuePair, Name, UnsetType

TOPIC_OUTPUT = frozenset({"id", "path", "name"})
DELETE_OUTPUT = frozenset({"id", "deletedTopics", "deletedItemLinks"})


class ChildTopic(Input, kw_only=True):
    name: Name
    pathIdentifier: Name | UnsetType | None = UNSET
    children: list[ChildTopic] | UnsetType | None = UNSET


class TopicFields(Input, kw_only=True):
    displayColor: Name | UnsetType | None = UNSET
    parentId: IdText | UnsetType | None = UNSET
    pathIdentifier: Name | UnsetType | None = UNSET
    meta: list[KeyValuePair] | UnsetType | None = UNSET
    language: Key
    resourceIdentifier: Key | UnsetType = UNSET


def _named(op: Any) -> None:
    if op.topicId is UNSET and op.resourceIdentifier is UNSET:
        raise ValueError(f"{op.__struct_config__.tag} needs `topicId` or `resourceIdentifier`")


class TopicCreate(TopicFields, tag_field="intent", tag="topic/create", kw_only=True):
    name: Name
    children: list[ChildTopic] | UnsetType | None = UNSET
    ref: Ref | UnsetType = ref_field()


class TopicUpdate(TopicFields, tag_field="intent", tag="topic/update", kw_only=True):
    name: Name | UnsetType | None = UNSET
    topicId: IdText | UnsetType = UNSET
    ref: Ref | UnsetType = ref_field()

    def __post_init__(self) -> None:
        _named(self)


class TopicUpsert(TopicFields, tag_field="intent", tag="topic/upsert", kw_only=True):
    name: Name
    children: list[ChildTopic] | UnsetType | None = UNSET
    topicId: IdText | UnsetType = UNSET
    ref: Ref | UnsetType = ref_field()

    def __post_init__(self) -> None:
        _named(self)


class TopicDelete(Input, tag_field="intent", tag="topic/delete", kw_only=True):
    topicId: IdText | UnsetType = UNSET
    resourceIdentifier: Key | UnsetType = UNSET
    ref: Ref | UnsetType = ref_field()

    def __post_init__(self) -> None:
        _named(self)


TOPIC_INTENTS = (TopicCreate, TopicUpdate, TopicUpsert, TopicDelete)
TopicOperation = TopicCreate | TopicUpdate | TopicUpsert


def _literal(value: Any) -> str | None:
    """A value naming a record by itself; a template waits for its `_ref` anyway."""
    return value if isinstance(value, str) and "{{" not in value else None


def _own_keys(op: Any) -> list[str]:
    keys = []
    if topic_id := _literal(getattr(op, "topicId", UNSET)):
        keys.append(f"topic:{topic_id}")
    if resource_identifier := _literal(op.resourceIdentifier):
        keys.append(f"topic-ri:{resource_identifier}")
    return keys


class TopicSchema:
    name: str = "topic"
    operations: tuple[type[Any], ...] = TOPIC_INTENTS
    key_fields: frozenset[str] = frozenset({"topicId", "resourceIdentifier"})

    def outputs(self, intent: str) -> frozenset[str]:
        return DELETE_OUTPUT if intent == "topic/delete" else TOPIC_OUTPUT

    def provides(self, op: Any) -> list[str]:
        """A create or upsert makes the topic it names (its children have no keys)."""
        return [] if isinstance(op, TopicUpdate | TopicDelete) else _own_keys(op)

    def needs(self, op: Any) -> list[str]:
        """Its parent; an update or delete also the topic it names."""
        keys = [] if isinstance(op, TopicCreate | TopicUpsert) else _own_keys(op)
        if parent_id := _literal(getattr(op, "parentId", UNSET)):
            keys.append(f"topic:{parent_id}")
        return keys
