"""`geode tenant configure`: a tenant's settings become what a file says, idempotently.

A setting the file names is replaced whole (entries left out are removed); a
setting it leaves out is kept. Everything is planned and checked first (the
file names the right tenant, nothing removed is still used), then written, so a
refusal changes nothing. Re-applying a file plans nothing and says `unchanged`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa

from geode.errors import ConflictError, InvalidInputError, NotFoundError
from geode.ids import new_id
from geode.schemas import UNSET
from geode.tenants import settings as store
from geode.tenants.settings import SettingUsage
from geode.tenants.settings_schemas import SettingsInput, VatTypeInput, problem
from geode.timestamps import canonical_timestamp, stored_timestamp

_WORDS: Final = {
    store.LANGUAGE: "language",
    store.VAT_TYPE: "VAT type",
    store.PRICE_VARIANT: "price variant",
    store.STOCK_LOCATION: "stock location",
}


@dataclass
class Changes:
    """Labels (codes, identifiers, VAT type names) of what was created, updated, removed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


@dataclass(frozen=True)
class ConfigureResult:
    tenant: str
    changes: dict[str, Changes]  # by the file's key, for the settings the file names

    @property
    def unchanged(self) -> bool:
        return not any(changes.changed for changes in self.changes.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "status": "unchanged" if self.unchanged else "changed",
            "settings": {
                key: {
                    "status": "changed" if changes.changed else "unchanged",
                    "created": changes.created,
                    "updated": changes.updated,
                    "removed": changes.removed,
                }
                for key, changes in self.changes.items()
            },
        }


@dataclass
class _Plan:
    key: str  # the file's key, e.g. "priceVariants"
    kind: str
    table: sa.Table
    key_column: str
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)  # old, new
    removals: dict[str, str] = field(default_factory=dict)  # key -> label
    changes: Changes = field(default_factory=Changes)


def configure(
    connection: sa.Connection,
    tenant_id: str,
    wanted: SettingsInput,
    usages: Sequence[SettingUsage] = (),
) -> ConfigureResult:
    """Apply `wanted` (see the module docstring); raises before writing anything when
    the file names another tenant (InvalidInputError) or removes a setting in use
    (ConflictError, naming what uses it)."""
    # Locked (on PostgreSQL) so two configures of one tenant run one after the other.
    tenant = connection.execute(
        sa.select(store.tenants).where(store.tenants.c.id == tenant_id).with_for_update()
    ).first()
    if tenant is None:
        raise NotFoundError(f"no tenant with id {tenant_id}")
    _check_header(wanted, tenant)
    plans: list[_Plan] = []
    if wanted.languages is not None:
        rows = [{"code": x.code, "name": x.name} for x in wanted.languages]
        plans.append(_plan(connection, tenant_id, "languages", store.LANGUAGE, rows, "code"))
    if wanted.vat_types is not None:
        plans.append(_plan_vat_types(connection, tenant_id, wanted.vat_types))
    if wanted.price_variants is not None:
        rows = [
            {"identifier": x.identifier, "name": x.name, "currency": x.currency}
            for x in wanted.price_variants
        ]
        plans.append(
            _plan(connection, tenant_id, "priceVariants", store.PRICE_VARIANT, rows, "identifier")
        )
    if wanted.stock_locations is not None:
        rows = [{"identifier": x.identifier, "name": x.name} for x in wanted.stock_locations]
        plans.append(
            _plan(connection, tenant_id, "stockLocations", store.STOCK_LOCATION, rows, "identifier")
        )
    _check_usage(connection, tenant_id, plans, usages)
    for plan in plans:
        _apply(connection, tenant_id, plan)
    return ConfigureResult(tenant.identifier, {plan.key: plan.changes for plan in plans})


def _check_header(wanted: SettingsInput, tenant: sa.Row[Any]) -> None:
    """`id`, `identifier`, `createdAt`, `rootItemId` (from `tenant show --json`) must be
    this tenant's: a file shown for one tenant is not applied to another by mistake."""
    header = wanted.header
    stored = {
        "id": tenant.id,
        "identifier": tenant.identifier,
        "createdAt": stored_timestamp(tenant.created_at),
        "rootItemId": tenant.root_item_id,
    }
    problems = []
    for name, value in (
        ("id", header.id),
        ("identifier", header.identifier),
        ("createdAt", header.createdAt),
        ("rootItemId", header.rootItemId),
    ):
        if value is UNSET:
            continue
        given = str(value)
        if name == "createdAt":
            try:
                given = canonical_timestamp(given)
            except ValueError:
                problems.append(
                    problem(f"$.{name}", "not a date-time such as 2024-05-01T12:30:00Z", "invalid")
                )
                continue
        if given != stored[name]:
            problems.append(
                problem(
                    f"$.{name}",
                    f"{value!r} is not tenant {tenant.identifier}'s {name} "
                    f"({stored[name]!r}): the file was written for another tenant; to apply "
                    "its settings here, remove id, identifier, createdAt and rootItemId",
                    "other_tenant",
                )
            )
    if problems:
        raise InvalidInputError(
            f"the settings file does not describe tenant {tenant.identifier}; nothing was changed",
            detail=problems,
        )


def _plan(
    connection: sa.Connection,
    tenant_id: str,
    key: str,
    kind: str,
    wanted: list[dict[str, Any]],
    key_column: str,
    table: sa.Table | None = None,
    labels: dict[str, str] | None = None,
) -> _Plan:
    """What turns the stored rows into `wanted` (in order: `position` is the index)."""
    table = table if table is not None else _TABLES[kind]
    labels = labels or {}
    plan = _Plan(key, kind, table, key_column)
    current = {
        row[key_column]: dict(row)
        for row in connection.execute(
            sa.select(table).where(table.c.tenant_id == tenant_id)
        ).mappings()
    }
    for position, values in enumerate(wanted):
        row = {**values, "position": position}
        found = current.pop(row[key_column], None)
        label = labels.get(row[key_column], row[key_column])
        if found is None:
            plan.inserts.append(row)
            plan.changes.created.append(label)
        elif any(_differs(column, found[column], value) for column, value in row.items()):
            plan.updates.append((found, row))
            plan.changes.updated.append(label)
    for gone, row in current.items():
        label = str(row["name"]) if kind == store.VAT_TYPE else str(gone)
        plan.removals[str(gone)] = label
        plan.changes.removed.append(label)
    return plan


def _differs(column: str, stored: Any, wanted: Any) -> bool:
    if column == "percent":
        return store.canonical_percent(stored) != store.canonical_percent(wanted)
    if column == "is_default":
        return bool(stored) != bool(wanted)
    return bool(stored != wanted)


def _plan_vat_types(connection: sa.Connection, tenant_id: str, wanted: list[VatTypeInput]) -> _Plan:
    """VAT types are matched by `id` when given (an unknown id creates the VAT type
    with that id, so an exported catalogue keeps its references), else by name.
    Ids are per tenant: an id another tenant's VAT type has is this tenant's to
    take too, so one tenant's settings configure another with the same ids."""
    vat = store.vat_types
    current = connection.execute(
        sa.select(vat.c.id, vat.c.name, vat.c.is_default).where(vat.c.tenant_id == tenant_id)
    ).all()
    given_ids = [entry.id for entry in wanted if isinstance(entry.id, str)]
    claimed = set(given_ids)
    by_name = {row.name: row.id for row in current if row.id not in claimed}
    ids = [
        entry.id if isinstance(entry.id, str) else by_name.pop(entry.name, None) or new_id()
        for entry in wanted
    ]
    marked = [index for index, entry in enumerate(wanted) if entry.isDefault]
    old_default = next((row.id for row in current if row.is_default), None)
    if marked:
        default = marked[0]
    elif old_default in ids:
        default = ids.index(old_default)
    else:
        default = 0
    rows = [
        {
            "id": vat_id,
            "name": entry.name,
            "percent": store.percent_text(entry.percent),
            "is_default": index == default,
        }
        for index, (vat_id, entry) in enumerate(zip(ids, wanted, strict=True))
    ]
    labels = {vat_id: entry.name for vat_id, entry in zip(ids, wanted, strict=True)}
    return _plan(connection, tenant_id, "vatTypes", store.VAT_TYPE, rows, "id", vat, labels)


def _check_usage(
    connection: sa.Connection,
    tenant_id: str,
    plans: list[_Plan],
    usages: Sequence[SettingUsage],
) -> None:
    problems = []
    for plan in plans:
        if not plan.removals:
            continue
        keys = list(plan.removals)
        for usage in usages:
            for used, description in usage(connection, tenant_id, plan.kind, keys).items():
                label = plan.removals.get(used, used)
                problems.append(
                    problem(
                        f"$.{plan.key}",
                        f"the {_WORDS[plan.kind]} {label!r} is left out, so it would be "
                        f"removed, but it is used by {description}",
                        "in_use",
                    )
                )
    if problems:
        first = problems[0]["message"]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConflictError(
            f"cannot remove a setting that is still used: {first}{more}; keep it in the file, "
            "or change what uses it first; nothing was changed",
            detail=problems,
        )


def _apply(connection: sa.Connection, tenant_id: str, plan: _Plan) -> None:
    """Removals, then updates, then inserts: a removed entry's name or key is free
    for a new one. VAT type names are unique and one is the default, so renamed and
    demoted rows first step aside, and swapping two names or the default works."""
    table, key = plan.table, plan.key_column

    def where(value: str) -> sa.ColumnElement[bool]:
        return sa.and_(table.c.tenant_id == tenant_id, table.c[key] == value)

    if plan.removals:
        connection.execute(
            sa.delete(table).where(table.c.tenant_id == tenant_id, table.c[key].in_(plan.removals))
        )
    if plan.kind == store.VAT_TYPE:
        for old, new in plan.updates:
            aside: dict[str, Any] = {}
            if old["name"] != new["name"]:
                aside["name"] = f"\x01renaming {new['id']}"  # unique; never a file's name
            if old["is_default"] and not new["is_default"]:
                aside["is_default"] = False
            if aside:
                connection.execute(sa.update(table).where(where(new[key])).values(**aside))
    for _, new in plan.updates:
        values = {column: value for column, value in new.items() if column != key}
        connection.execute(sa.update(table).where(where(new[key])).values(**values))
    if plan.inserts:
        connection.execute(
            sa.insert(table), [{**row, "tenant_id": tenant_id} for row in plan.inserts]
        )


_TABLES: Final = {
    store.LANGUAGE: store.tenant_languages,
    store.VAT_TYPE: store.vat_types,
    store.PRICE_VARIANT: store.price_variants,
    store.STOCK_LOCATION: store.stock_locations,
}
