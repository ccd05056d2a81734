"""How a catalogue file splits into parallel chunks (a `ResourcePlanner`, see
`massops.planning` and `massops.conflicts`).

Products and documents, the bulk of a catalogue, are leaves of the item tree,
and nearly everything that decides what one of them becomes is decided under
its parent folder: the paths taken there (`/<parent path>/<slug>`, made unique
with `-2`), the last position, the names an upsert finds its item by. So an
operation on a product or document, its variants (`product/variant/*`, stock,
price, `item/updateComponent/sku`), its publishing and component updates is
keyed by the item's parent: one chunk holds everything that happens under one
folder, in run order. What else it touches is declared as records: it writes
`item:<id>` and the `sku:<sku>` of its variants (a sku is unique in the
tenant: two chunks creating one sku would race, so the second waits a wave);
it reads its parent and what its relations name (`IntentFamily.dependencies`).

Where the item sits is read from the store (one query per kind at planning)
and followed through the file. Everything the planner cannot key safely runs
alone, in run order (the engine's barrier): pieces, shapes, topics, folders
(renaming or moving one rewrites its descendants' paths), `item/delete` and
publishing with descendants (whole subtrees), `item/paths/*` (a path anywhere),
flows, price lists, contracts, images; an item moving to another parent (its
old parent's last position and paths change too), a sku moving to another
product, an item named two ways that disagree, or named nowhere we can see.
Once an item or variant operation holds a `{{ template }}` other than a parent
`{{ defaults.rootItemId }}`, the planner can no longer follow where items sit,
so from there on every catalogue operation runs alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from geode.catalogue.intents.item_needs import relations
from geode.catalogue.intents.item_state import ITEMS
from geode.catalogue.intents.variant_store import VARIANTS
from geode.massops.intents import Placement, Templates
from geode.schemas import UNSET
from geode.tenants.settings import root_item_id

ALONE = Placement(None)
_PAGE = 500
_ITEMS = frozenset({"product", "document", "folder"})
_BY_SKU = frozenset(
    {
        "product/variant/update",
        "product/variant/delete",
        "product/variant/stock/modify",
        "product/variant/price/modify",
        "item/updateComponent/sku",
    }
)
_BY_ITEM = frozenset({"item/publish", "item/unpublish", "item/updateComponent/item"})


@dataclass(frozen=True, slots=True)
class _Place:
    type: str
    parent: str


_UNKNOWN = _Place("", "")  # an item that may have moved: never keyed again
_NOBODY = ""  # the owner of a sku that may have moved (no product has this id)


class _Alone(Exception):
    """The operation cannot be keyed safely."""


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _root_template(text: str) -> bool:
    return "".join(text.split()) == "{{defaults.rootItemId}}"


class CataloguePlacer:
    """Keys catalogue operations by the parent of the item they touch."""

    def __init__(self, needs: Callable[[Any], list[str]]) -> None:
        self.needs = needs
        self.ids: set[str] = set()
        self.ris: set[str] = set()
        self.skus: set[str] = set()
        self.places: dict[str, _Place] = {}
        """Item id (or "ri:<ri>", "name:<parent>/<language>/<name>") -> where it sits."""
        self.by_ri: dict[str, str] = {}
        self.owners: dict[str, str] = {}
        """sku -> its product, as `places` names it."""
        self.root = ""
        self.blind = False

    # -- survey and store ------------------------------------------------------------

    def survey(self, op: Any, templates: Templates | None) -> None:
        for name in ("itemId", "productId"):
            if (value := _text(getattr(op, name, UNSET))) is not None:
                self.ids.add(value)
        if (ri := _text(getattr(op, "resourceIdentifier", UNSET))) is not None:
            self.ris.add(ri)
        if (sku := _text(getattr(op, "sku", UNSET))) is not None:
            self.skus.add(sku)
        for variant in _variants(op):
            self.skus.add(variant.sku)

    def consult(self, connection: sa.Connection, tenant_id: str) -> None:
        self.root = root_item_id(connection, tenant_id)
        columns = (ITEMS.c.id, ITEMS.c.type, ITEMS.c.parent_id, ITEMS.c.resource_identifier)
        for column, values in ((ITEMS.c.id, self.ids), (ITEMS.c.resource_identifier, self.ris)):
            for page in _pages(values):
                query = sa.select(*columns).where(ITEMS.c.tenant_id == tenant_id, column.in_(page))
                for row in connection.execute(query):
                    self.places[row.id] = _Place(row.type, row.parent_id)
                    if row.resource_identifier is not None:
                        self.by_ri[row.resource_identifier] = row.id
        for page in _pages(self.skus):
            query = sa.select(VARIANTS.c.sku, VARIANTS.c.product_id).where(
                VARIANTS.c.tenant_id == tenant_id, VARIANTS.c.sku.in_(page)
            )
            for owned in connection.execute(query):
                self.owners[str(owned[0])] = str(owned[1])

    # -- placing -------------------------------------------------------------------------

    def place(self, op: Any, templates: Templates | None) -> Placement:
        intent: str = op.__struct_config__.tag
        kind, _, action = intent.partition("/")
        follows = kind in _ITEMS or intent.startswith("item/")
        if follows and templates and not all(_parent_root(t) for t in templates):
            self.blind = True
        if self.blind:
            return ALONE
        try:
            if kind in _ITEMS and action in ("create", "update", "upsert"):
                return self._item(op, kind)
            if intent in ("product/variant/create", "product/variant/upsert"):
                return self._variant(op, op.productId)
            if intent in _BY_SKU:
                return self._variant(op, self.owners.get(op.sku))
            if intent in _BY_ITEM:
                return self._existing(op, intent)
            if intent == "item/delete":
                self.places.pop(self._identity(op) or "", None)
        except _Alone:
            pass
        return ALONE

    def _item(self, op: Any, kind: str) -> Placement:
        identity = self._identity(op)
        tree = getattr(op, "tree", UNSET)
        parent = None
        if tree is not UNSET and tree is not None:
            parent = self.root if _root_template(tree.parentId) else tree.parentId
            if identity is None:  # found by name under its parent, or new
                identity = f"name:{parent}/{op.language}/{getattr(op, 'name', '')}"
        current = self.places.get(identity) if identity is not None else None
        if identity is not None and current is not None:
            if current.type != kind or parent not in (None, current.parent):
                # Another kind, or a move (its old parent changes too): alone, and
                # whether it moved is only known once it ran.
                self.places[identity] = _UNKNOWN
                raise _Alone
        elif identity is not None and parent is not None:
            self.places[identity] = _Place(kind, parent)
        parent = parent if parent is not None else current.parent if current else None
        if kind == "folder" or parent is None or identity is None:
            raise _Alone
        writes = [_record(identity)]
        for variant in _variants(op):
            writes.append(self._own_sku(variant.sku, identity))
        return self._placement(op, parent, writes)

    def _variant(self, op: Any, product: str | None) -> Placement:
        current = self.places.get(product) if product is not None else None
        owner = self._own_sku(op.sku, product) if product is not None else None
        if current is None or current.type != "product" or owner is None:
            raise _Alone
        return self._placement(op, current.parent, [owner, _record(product or "")])

    def _existing(self, op: Any, intent: str) -> Placement:
        identity = self._identity(op)
        current = self.places.get(identity) if identity is not None else None
        if current is None or current.type not in ("product", "document") or identity is None:
            raise _Alone
        if intent != "item/updateComponent/item" and op.includeDescendants is True:
            raise _Alone
        return self._placement(op, current.parent, [_record(identity)])

    def _placement(self, op: Any, parent: str, writes: list[str]) -> Placement:
        own = {*writes, *_locators(op)}
        reads = [key for key in [*self.needs(op), *_relation_reads(op)] if key not in own]
        for key in list(reads):  # a related sku: its product too (its shape is checked)
            if key.startswith("sku:") and (owner := self.owners.get(key[4:])):
                reads.append(_record(owner))
        return Placement(f"under:{parent}", (*reads, _record(parent)), tuple(writes))

    def _identity(self, op: Any) -> str | None:
        """The item `op` names: its id, "ri:<ri>" for one only named so and not
        stored yet, None when named by neither (by name under its parent)."""
        item_id = _text(getattr(op, "itemId", UNSET))
        ri = _text(getattr(op, "resourceIdentifier", UNSET))
        if ri is None:
            return item_id
        known = self.by_ri.get(ri)
        if item_id is None:
            return known or f"ri:{ri}"
        if known is not None and known != item_id:
            raise _Alone  # the two names may be two items
        self.by_ri[ri] = item_id
        return item_id

    def _own_sku(self, sku: str, product: str) -> str:
        """The sku's record, once it is `product`'s; another product's sku moves: alone."""
        owner = self.owners.setdefault(sku, product)
        if owner != product:
            self.owners[sku] = _NOBODY  # whose it is is only known once it ran
            raise _Alone
        return f"sku:{sku}"


def _record(identity: str) -> str:
    return f"item-ri:{identity[3:]}" if identity.startswith("ri:") else f"item:{identity}"


def _locators(op: Any) -> Iterable[str]:
    if (item_id := _text(getattr(op, "itemId", UNSET))) is not None:
        yield f"item:{item_id}"
    if (ri := _text(getattr(op, "resourceIdentifier", UNSET))) is not None:
        yield f"item-ri:{ri}"


def _parent_root(template: tuple[list[str | int], str]) -> bool:
    path, text = template
    return path == ["tree", "parentId"] and _root_template(text)


def _relation_reads(op: Any) -> Iterable[str]:
    """What the relations of its variants' components name (the family's
    `needs` leaves those out), and of a sku's component update."""
    for variant in _variants(op):
        yield from relations(getattr(variant, "components", None))
    if op.__struct_config__.tag == "item/updateComponent/sku":
        yield from relations([op.component])
    if op.__struct_config__.tag in ("product/variant/create", "product/variant/upsert"):
        yield from relations(getattr(op, "components", None))
    if op.__struct_config__.tag == "product/variant/update":
        yield from relations(getattr(op, "components", None))


def _variants(op: Any) -> list[Any]:
    variants = getattr(op, "variants", UNSET)
    return list(variants) if isinstance(variants, list) else []


def _pages(values: set[str]) -> Iterable[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), _PAGE):
        yield ordered[start : start + _PAGE]
