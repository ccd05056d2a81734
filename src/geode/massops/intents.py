"""What a domain registers with the mass-operation engine: its intents.

The engine (validation, planning, running) holds no intent-specific code. Each
domain package declares an `IntentFamily`: the tagged msgspec structs of its
intents (the file format), what `{{ ref.field }}` may read from each, how to
prefetch and apply a batch of them, and how to key them for parallel chunks.
The app assembles the families into one `IntentRegistry` (`geode.assembly`),
which the engine is handed; a new intent family touches one domain package
and one line of the assembly.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Protocol, Union

import msgspec
import sqlalchemy as sa

from geode import limits
from geode.db import bulk
from geode.outcomes import Applied
from geode.schemas import UNSET, finish_json_schema

VERSION_PATTERN = r"^\d+\.\d+\.\d+$"

Ref = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=limits.KEY_MAX_LENGTH,
        pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*(?!\n)$",
    ),
]
"""The `_ref` an operation declares so later operations can read its output."""

Templates = list[tuple[list[str | int], str]]
"""(path inside the operation, text) of every string value holding `{{ ... }}`."""


def ref_field() -> Any:
    """The `_ref` field, for an intent struct to declare (msgspec structs cannot
    mix fields in from two bases, so each intent declares it itself):
    `ref: Ref | UnsetType = ref_field()`."""
    return msgspec.field(default=UNSET, name="_ref")


@dataclass(frozen=True, slots=True)
class BatchContext:
    """What preparing a batch may read: one connection, never written to."""

    connection: sa.Connection
    tenant_id: str
    now: str


class FamilyBatch(Protocol):
    """One batch's worth of a family's operations, prepared in memory.

    `apply` decides one operation's outcome (raising `OperationFailed`), seeing
    the operations before it in the batch and the rows of earlier batches
    (committed, or pending in the family's pending state); `plan` is the
    batch's net effect as set-based write steps, run by the writer.
    """

    def prefetch(self, ops: Sequence[Any]) -> None: ...

    def apply(self, op: Any, documents: dict[str, str] | None) -> Applied: ...

    def record(self, batch: int) -> None:
        """Remember this batch's rows as pending until `batch` commits."""

    def plan(self) -> list[bulk.WriteStep]: ...


class PendingRows(Protocol):
    """A family's rows of batches whose transactions have not committed yet."""

    def committed(self, batch: int) -> None: ...


class KeyPlanner(Protocol):
    """Keys operations for parallel chunks (see `massops.planning`): operations
    that may touch the same record must get the same key.

    `survey` sees every operation of the file first (so a kind whose key is only
    known at run time can share one key), then `key` is asked for each.
    """

    def survey(self, op: Any, key_templated: bool, templated: bool) -> None: ...

    def key(self, op: Any, raw: msgspec.Raw) -> str | None:
        """The record's key; None for an operation that always makes a new
        record no other operation of the file can name."""


@dataclass(frozen=True, slots=True)
class BuiltinRef:
    """A name every file may read without declaring it, e.g. `{{ defaults.rootItemId }}`."""

    fields: frozenset[str]
    load: Callable[[sa.Connection, str], dict[str, Any]]
    """(connection, tenant id) -> the values, read when a run starts."""


class IntentFamily(ABC):
    """A domain's intents, as registered with the engine."""

    name: str
    operations: tuple[type[Any], ...]
    """Tagged msgspec structs, one per intent (`tag_field="intent"`)."""
    key_fields: frozenset[str] = frozenset()
    """Fields that name the record: when one holds a template, the operation is
    looked up alone once rendered instead of with its batch."""
    lookup_tables: tuple[str, ...] = ()
    """Tables a batch reads by key: the runner keeps their statistics fresh."""
    planning_fields: type[msgspec.Struct] | None = None
    """A struct of the few fields `KeyPlanner` reads (decoding skips the rest)."""

    @abstractmethod
    def outputs(self, intent: str) -> frozenset[str]:
        """What `{{ ref.field }}` may read from an operation of `intent` (dotted paths)."""

    @abstractmethod
    def new_pending(self) -> PendingRows: ...

    @abstractmethod
    def open_batch(self, context: BatchContext, pending: Any) -> FamilyBatch: ...

    @abstractmethod
    def key_planner(self) -> KeyPlanner: ...

    def spool_documents(self, op: Any, templates: Templates | None) -> dict[str, str] | None:
        """Parts of `op` to spool pre-encoded (done by the validation processes,
        so the run's single thread does less); None keeps `op` whole."""
        return None

    def log_key(self, op: Any) -> str | None:
        """The key shown in the operation's log row."""
        for name in self.key_fields:
            value = getattr(op, name, UNSET)
            if isinstance(value, str):
                return value
        return None

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        """The tenant's records as operations that re-import to the same store."""
        return iter(())


class SpoolEntry(msgspec.Struct, array_like=True):
    """A validated operation as spooled; the registry's own subclass types `op`
    with its union of intents."""

    op: Any
    templates: Templates | None = None
    documents: dict[str, str] | None = None
    """Fields taken out of `op` as their stored JSON text (`spool_documents`)."""


class IntentRegistry:
    """Every family the app runs, and what the engine derives from them once."""

    def __init__(
        self,
        families: Sequence[IntentFamily],
        *,
        locator: str,
        builtins: Mapping[str, BuiltinRef] | None = None,
    ) -> None:
        """`locator` ("module:attribute") lets a validation worker process import
        this same registry."""
        self.families = tuple(families)
        self.locator = locator
        self.builtins: dict[str, BuiltinRef] = dict(builtins or {})
        self.intents: dict[str, type[Any]] = {}
        self.family_of: dict[str, IntentFamily] = {}
        for family in self.families:
            for struct in family.operations:
                tag = msgspec.inspect.type_info(struct).tag  # type: ignore[attr-defined]
                if tag in self.intents:
                    raise ValueError(f"intent {tag!r} is registered twice")
                self.intents[tag] = struct
                self.family_of[tag] = family
        self.outputs: dict[str, frozenset[str]] = {
            intent: family.outputs(intent) for intent, family in self.family_of.items()
        }
        self.operation: Any = Union[tuple(self.intents.values())]  # noqa: UP007
        """The tagged union of every intent: what one operation decodes to."""
        self.spool_entry: type[SpoolEntry] = msgspec.defstruct(  # type: ignore[assignment]
            "SpoolEntry",
            [("op", self.operation)],
            bases=(SpoolEntry,),
            array_like=True,
        )
        self.json_decoder = msgspec.json.Decoder(self.operation)
        self.entry_decoder = msgspec.msgpack.Decoder(self.spool_entry)
        self.frame_decoder = msgspec.msgpack.Decoder(list[self.spool_entry])  # type: ignore[name-defined]
        self.numbered_frame_decoder = msgspec.msgpack.Decoder(
            list[tuple[int, self.spool_entry]]  # type: ignore[name-defined]
        )

    def family(self, op: Any) -> IntentFamily:
        return self.family_of[op.__struct_config__.tag]

    def entry(self, op: Any, templates: Templates | None) -> SpoolEntry:
        """What the validation pass spools for one valid operation."""
        documents = self.family(op).spool_documents(op, templates)
        return self.spool_entry(op, templates, documents)

    @cached_property
    def struct_infos(self) -> dict[str, msgspec.inspect.StructType]:
        """Each intent's struct as `msgspec.inspect` sees it, for field-by-field
        reports (`massops.problems`): inspecting an order intent takes ~2 ms, too
        slow to repeat for every bad operation of a large file."""
        return {
            intent: info
            for intent, cls in self.intents.items()
            if isinstance(info := msgspec.inspect.type_info(cls), msgspec.inspect.StructType)
        }

    @cached_property
    def lookup_tables(self) -> tuple[str, ...]:
        return tuple(t for family in self.families for t in family.lookup_tables)

    def json_schema(self) -> dict[str, Any]:
        """The file format as JSON Schema (`geode massop schema`, the OpenAPI document)."""
        envelope = msgspec.defstruct(
            "MassOperationFile",
            [
                ("version", Annotated[str, msgspec.Meta(pattern=VERSION_PATTERN)]),
                ("operations", list[self.operation]),  # type: ignore[name-defined]
            ],
            forbid_unknown_fields=True,
        )
        schema: dict[str, Any] = finish_json_schema(msgspec.json.schema(envelope))
        # What `{{ ref.field }}` may read from each intent, beside its fields.
        for intent, struct in self.intents.items():
            definition = schema.get("$defs", {}).get(struct.__name__)
            if definition is not None:
                definition["x-geode-ref-outputs"] = sorted(self.outputs[intent])
        return schema


def load_registry(locator: str) -> IntentRegistry:
    """The registry at "module:attribute" (in a validation worker process)."""
    module, _, attribute = locator.partition(":")
    registry = getattr(importlib.import_module(module), attribute)
    if not isinstance(registry, IntentRegistry):
        raise TypeError(f"{locator} is not an IntentRegistry")
    return registry
