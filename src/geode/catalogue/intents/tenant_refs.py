"""Refusing a value that names a tenant setting the tenant does not have (a
language, a price variant, a stock location): one message for every way in,
saying where, what the tenant has, and how to add it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from geode.outcomes import OperationFailed
from geode.tenants.settings import TenantSettings


def listed(values: Sequence[str]) -> str:
    """What the tenant has, ten at the most."""
    if not values:
        return "it has none"
    shown = ", ".join(repr(v) for v in values[:10])
    return f"it has {shown}{', ...' if len(values) > 10 else ''}"


def require_setting(code: str, what: str, value: str, known: Sequence[str], at: str) -> None:
    if value not in known:
        raise OperationFailed(
            code,
            f"`{at}`: {value!r} is not a {what} of this tenant ({listed(known)}); "
            "add it with `geode tenant configure`",
        )


def require_language(settings: TenantSettings, language: str, at: str) -> None:
    codes = [x.code for x in settings.languages]
    require_setting("unknown_language", "language", language, codes, at)


def require_price_variant(settings: TenantSettings, identifier: str, at: str) -> None:
    known = [x.identifier for x in settings.price_variants]
    require_setting("unknown_price_variant", "price variant", identifier, known, at)


def require_stock_location(settings: TenantSettings, identifier: str, at: str) -> None:
    known = [x.identifier for x in settings.stock_locations]
    require_setting("unknown_stock_location", "stock location", identifier, known, at)


@dataclass(frozen=True)
class Known:
    """What a reference may name, as sets, for one read of the settings: a check
    per reference is a set lookup; a refusal is still worded by `require_*`."""

    settings: TenantSettings
    languages: frozenset[str]
    price_variants: frozenset[str]
    stock_locations: frozenset[str]

    @classmethod
    def of(cls, settings: TenantSettings) -> Known:
        return cls(
            settings,
            frozenset(x.code for x in settings.languages),
            frozenset(x.identifier for x in settings.price_variants),
            frozenset(x.identifier for x in settings.stock_locations),
        )
