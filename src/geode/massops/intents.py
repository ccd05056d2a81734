"""What a domain registers with the mass-operation engine: its intents.

The engine (validation, planning, running) holds no intent-specific code. Each
domain package declares its intents in two parts:

- an `IntentSchema`, what *reading a file* needs: the tagged msgspec structs of
  its intents (the file format), what `{{ ref.field }}` may read from each, the
  records each provides and needs, the parts spooled pre-encoded. It lives in a
  light module importing no SQLAlchemy, no driver, no ORM model;
- an `IntentFamily`, the schema plus what *applying* them needs: how to prefetch
  and apply a batch, export, key operations for parallel chunks.

The app assembles the families into one `IntentRegistry` (`geode.assembly.intents`),
which the engine is handed, and the schemas alone into an `IntentSchemas`
(`geode.assembly.intent_schemas`), which validation worker processes import: a
worker then holds only what checking a chunk needs (~18 MB rather than ~65). A
new intent family touches one domain package and one line of each assembly.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Protocol, Union

import msgspec

from geode import limits
from geode.schemas import UNSET, finish_json_schema, without_key_patterns

if TYPE_CHECKING:  # for hints only: worker processes must not import them (see above)
    import sqlalchemy as sa

    from geode.db import bulk
    from geode.outcomes import Applied

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
class Placement:
    """Where a `ResourcePlanner` puts one operation (see `massops.planning`)."""

    key: str | None
    """Operations with the same key share a chunk, in run order. None: the
    operation runs alone, after every earlier operation of its family and
    before every later one (what the planner cannot key safely)."""
    reads: tuple[str, ...] = ()
    """Records it reads (a parent, a related item, ...), as keys like "item:<id>"."""
    writes: tuple[str, ...] = ()
    """Records it writes. Two operations on different keys, one writing a record
    the other reads or writes, run in different waves, in run order."""


class ResourcePlanner(Protocol):
    """Places a family's operations for parallel chunks when keys alone cannot:
    records that depend on each other (a variant on its product, an item on
    its parent) and records the file names in more than one way. It sees whole
    operations, and may read the store once before placing any.

    Without a store to read (`consult` not called), the engine runs every
    operation of the family alone, in run order."""

    def survey(self, op: Any, templates: Templates | None) -> None:
        """Sees every operation of the family first, in run order."""

    def consult(self, connection: sa.Connection, tenant_id: str) -> None:
        """Reads what the surveyed operations name from the store."""

    def place(self, op: Any, templates: Templates | None) -> Placement:
        """Asked for every operation, in run order."""


@dataclass(frozen=True, slots=True)
class BuiltinRef:
    """A name every file may read without declaring it, e.g. `{{ defaults.rootItemId }}`."""

    fields: frozenset[str]
    load: Callable[[sa.Connection, str], dict[str, Any]]
    """(connection, tenant id) -> the values, read when a run starts."""


class IntentSchema(ABC):
    """What a domain declares for reading files of its intents: all a validation
    worker process sees of it. Its module imports no SQLAlchemy (nor anything
    that does): the apply side is the `IntentFamily` built on it."""

    name: str
    operations: tuple[type[Any], ...]
    """Tagged msgspec structs, one per intent (`tag_field="intent"`)."""
    key_fields: frozenset[str] = frozenset()
    """Fields that name the record: when one holds a template, the operation is
    looked up alone once rendered instead of with its batch."""
    lean_keys: bool = False
    """Whether validation may decode these intents without their keys' character
    patterns when the text proves none is needed (`schemas.without_key_patterns`):
    for flat, hot intents (a million orders); not for recursive structures."""

    @abstractmethod
    def outputs(self, intent: str) -> frozenset[str]:
        """What `{{ ref.field }}` may read from an operation of `intent` (dotted paths)."""

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

    def dependencies(self, op: Any) -> tuple[list[str], list[str]]:
        """(records `op` provides, records it needs), as keys such as "shape:mug":
        the run order puts an operation after every operation of the file that
        provides what it needs (`massops.ordering`). A family whose records
        never depend on each other keeps this default, and its files are never
        reordered (nor is a graph built for them)."""
        return [], []


class IntentFamily(IntentSchema):
    """A domain's intents, as registered with the engine: its `IntentSchema`
    (a family subclasses its domain's schema) and how to apply them."""

    lookup_tables: tuple[str, ...] = ()
    """Tables a batch reads by key: the runner keeps their statistics fresh."""
    planning_fields: type[msgspec.Struct] | None = None
    """A struct of the few fields `KeyPlanner` reads (decoding skips the rest)."""

    @abstractmethod
    def new_pending(self) -> PendingRows: ...

    @abstractmethod
    def open_batch(self, context: BatchContext, pending: Any) -> FamilyBatch: ...

    @abstractmethod
    def key_planner(self) -> KeyPlanner: ...

    def resource_planner(self) -> ResourcePlanner | None:
        """A planner of whole operations, used instead of `key_planner` when given."""
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
    index: int | None = None
    """The operation's index in the file, when the spool is in another (run)
    order (`massops.ordering`); None: its position in the spool."""


class IntentSchemas:
    """Every family's schema, and what validating a file derives from them once:
    all a validation worker process loads (`IntentRegistry.locator`)."""

    families: tuple[IntentSchema, ...]
    family_of: Mapping[str, IntentSchema]

    def __init__(self, families: Sequence[IntentSchema], *, locator: str) -> None:
        """`locator` ("module:attribute"): where a validation worker process
        imports the schemas of these families from."""
        self.families = tuple(families)
        self.locator = locator
        self.intents: dict[str, type[Any]] = {}
        family_of: dict[str, IntentSchema] = {}
        self.family_of = family_of
        for family in self.families:
            for struct in family.operations:
                tag = msgspec.inspect.type_info(struct).tag  # type: ignore[attr-defined]
                if tag in self.intents:
                    raise ValueError(f"intent {tag!r} is registered twice")
                self.intents[tag] = struct
                family_of[tag] = family
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

    def family(self, op: Any) -> IntentSchema:
        return self.family_of[op.__struct_config__.tag]

    def entry(self, op: Any, templates: Templates | None) -> SpoolEntry:
        """What the validation pass spools for one valid operation."""
        documents = self.family(op).spool_documents(op, templates)
        return self.spool_entry(op, templates, documents)

    @cached_property
    def plain_keys_decoder(self) -> msgspec.json.Decoder[Any]:
        """`json_decoder` without the keys' character patterns, for operations whose
        text proves no key can hold a refused character (see `validate_chunk`)."""
        members = [
            without_key_patterns(struct) if self.family_of[intent].lean_keys else struct
            for intent, struct in self.intents.items()
        ]
        return msgspec.json.Decoder(Union[tuple(members)])  # noqa: UP007

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
    def ordered_intents(self) -> frozenset[str]:
        """The intents of families that declare dependencies (`IntentFamily.dependencies`)."""
        return frozenset(
            intent
            for intent, family in self.family_of.items()
            if type(family).dependencies is not IntentSchema.dependencies
        )

    @property
    def ordered(self) -> bool:
        """Whether some family declares dependencies, so files may need reordering."""
        return bool(self.ordered_intents)

    def dependencies(self, op: Any) -> tuple[list[str], list[str]]:
        return self.family(op).dependencies(op)

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


class IntentRegistry(IntentSchemas):
    """Every family the app runs: their schemas and their apply side."""

    families: tuple[IntentFamily, ...]
    family_of: Mapping[str, IntentFamily]

    def __init__(
        self,
        families: Sequence[IntentFamily],
        *,
        locator: str,
        builtins: Mapping[str, BuiltinRef] | None = None,
    ) -> None:
        """`locator` ("module:attribute"): where a validation worker process
        imports the `IntentSchemas` of these same families (not this registry,
        whose modules import SQLAlchemy, the driver and every writer)."""
        super().__init__(families, locator=locator)
        self.builtins: dict[str, BuiltinRef] = dict(builtins or {})

    def family(self, op: Any) -> IntentFamily:
        return self.family_of[op.__struct_config__.tag]

    @cached_property
    def lookup_tables(self) -> tuple[str, ...]:
        return tuple(t for family in self.families for t in family.lookup_tables)


def load_registry(locator: str) -> IntentSchemas:
    """The schemas at "module:attribute" (in a validation worker process)."""
    module, _, attribute = locator.partition(":")
    registry = getattr(importlib.import_module(module), attribute)
    if not isinstance(registry, IntentSchemas):
        raise TypeError(f"{locator} is not an IntentSchemas")
    return registry
