"""A variant's input applied to a variant (`with_fields`) and its references to
tenant settings checked (`check_references`): the per-variant work of every
variant write, kept cheap because a product file writes hundreds of thousands.

`with_fields` builds a new `VariantState` only if something changes and shares
with the old one whatever did not (states are never changed in place), so that
a re-run's unchanged variants cost no copy and the write plan skips what is
shared. References are checked against sets; the refusal is worded by
`tenant_refs`, path and all, as before.
"""

from __future__ import annotations

from geode.catalogue.components.check import merge_content
from geode.catalogue.components.content import decode_components
from geode.catalogue.documents import dump
from geode.catalogue.intents import tenant_refs
from geode.catalogue.intents.tenant_refs import Known
from geode.catalogue.intents.variant_store import VERSION_FIELDS, Row, VariantState, price_text
from geode.catalogue.variant_inputs import VariantFields, VariantInput
from geode.outcomes import OperationFailed
from geode.schemas import UNSET

__all__ = ["check_references", "prefix", "with_fields"]

_VERSION_INPUTS = (
    ("attributes", "attributes"),
    ("images", "images"),
    ("videos", "videos"),
    ("components", "components"),
    ("subscriptionPlans", "subscription_plans"),
)


def prefix(at: str) -> str:
    """`at` as the start of a path under it."""
    return f"{at}." if at else ""


def with_fields(base: VariantState, language: str, variant: VariantFields) -> VariantState | None:
    """`base` with `variant`'s fields (present replace, absent are kept; prices and
    stock merge by key), None if that changes nothing. `base` is left as it is:
    an unchanged variant is not copied, and what did not change is shared."""
    row_changes: Row = {}
    reference = variant.externalReference
    if reference is not UNSET and reference != base.row["external_reference"]:
        row_changes["external_reference"] = reference
    if (
        isinstance(variant, VariantInput)
        and variant.isDefault is True
        and not base.row["is_default"]
    ):
        row_changes["is_default"] = True
    old_version = base.versions.get(language)
    version = dict(old_version) if old_version is not None else dict.fromkeys(VERSION_FIELDS)
    name = getattr(variant, "name", UNSET)
    if name is not UNSET:
        version["name"] = name
    elif version["name"] is None:
        # A language the variant had no name in: the name of another language.
        version["name"] = base.name()
    for attribute, column in _VERSION_INPUTS:
        value = getattr(variant, attribute)
        if value is UNSET:
            continue
        if attribute == "components" and isinstance(value, list):
            stored = version[column]
            value = merge_content(decode_components(stored) if stored else [], value)
        version[column] = None if value is None else dump(value)
    versions = base.versions
    if version != old_version:
        versions = {**versions, language: version}
    prices = base.prices
    if isinstance(variant.priceVariants, list):
        for price in variant.priceVariants:
            text = price_text(price.price)
            if prices.get(price.identifier) != text:
                if prices is base.prices:
                    prices = dict(prices)
                prices[price.identifier] = text
    stock = base.stock
    if isinstance(variant.stockLocations, list):
        for entry in variant.stockLocations:
            meta = entry.meta
            units = (entry.stock, None if meta is None or meta is UNSET else dump(meta))
            if stock.get(entry.identifier) != units:
                if stock is base.stock:
                    stock = dict(stock)
                stock[entry.identifier] = units
    if (
        not row_changes
        and versions is base.versions
        and prices is base.prices
        and stock is base.stock
    ):
        return None
    return VariantState({**base.row, **row_changes}, versions, prices, stock)


def check_references(variant: VariantFields, at: str, known: Known) -> None:
    """Every price variant and stock location is the tenant's, and listed once."""
    for entries, keys in (
        (variant.priceVariants, known.price_variants),
        (variant.stockLocations, known.stock_locations),
    ):
        if not isinstance(entries, list):
            continue
        seen: set[str] = set()
        for entry in entries:
            identifier = entry.identifier
            if identifier not in keys or identifier in seen:
                _refuse_references(variant, prefix(at), known)
            seen.add(identifier)


def _refuse_references(variant: VariantFields, start: str, known: Known) -> None:
    """The first reference problem, in file order, with its path."""
    for name, require in (
        ("priceVariants", tenant_refs.require_price_variant),
        ("stockLocations", tenant_refs.require_stock_location),
    ):
        entries = getattr(variant, name)
        if not isinstance(entries, list):
            continue
        seen: set[str] = set()
        for index, entry in enumerate(entries):
            at = f"{start}{name}[{index}].identifier"
            require(known.settings, entry.identifier, at)
            if entry.identifier in seen:
                raise OperationFailed(
                    "duplicate_key",
                    f"`{at}`: {entry.identifier!r} is listed twice; list each once",
                )
            seen.add(entry.identifier)
