"""`variant_fields`: a variant input applied to a variant without copying what
does not change, references checked against sets, and the one-format
`price_text` (property-tested against the composition it replaces)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geode.app import App
from geode.catalogue.intents.tenant_refs import Known
from geode.catalogue.intents.variant_fields import check_references, with_fields
from geode.catalogue.intents.variant_store import VERSION_FIELDS, VariantState, price_text
from geode.catalogue.queries import stored_price
from geode.catalogue.variant_inputs import (
    PriceVariantReference,
    StockLocationReference,
    VariantInput,
)
from geode.money import money_text
from geode.outcomes import OperationFailed
from geode.tenants.service import TenantInfo
from geode.tenants.settings import read_settings

AMOUNTS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=8),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.builds(
        lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.integers(min_value=-12, max_value=12),
    ),
)


@given(AMOUNTS)
def test_price_text_is_the_stored_price_as_money_text(amount: Decimal | int) -> None:
    expected = money_text(stored_price(amount))
    assert price_text(amount) == expected
    assert price_text(str(amount)) == expected
    assert price_text(expected) == expected  # canonical text reads back as itself


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("12.50"), "12.5"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.000"), "0"),
        (Decimal("-0"), "-0"),
        (Decimal("100"), "100"),
        (Decimal("12.34000000"), "12.34"),
    ],
)
def test_price_text_examples(amount: Decimal, text: str) -> None:
    assert price_text(amount) == text == money_text(stored_price(amount))


def _stored() -> VariantState:
    row = {"id": "v1", "sku": "a", "product_id": "p1", "is_default": True}
    row |= {"position": 0, "external_reference": None, "updated_at": "t0"}
    version = {**dict.fromkeys(VERSION_FIELDS), "name": "A"}
    return VariantState(row, {"en": version}, {"default": "12.5"}, {"default": (4, None)})


def _input(**fields: object) -> VariantInput:
    return VariantInput(sku="a", name="A", **fields)  # type: ignore[arg-type]


def test_an_input_that_changes_nothing_gives_none_and_leaves_the_variant_alone() -> None:
    base = _stored()
    before = base.copy()
    same = _input(
        priceVariants=[PriceVariantReference(identifier="default", price=Decimal("12.500"))],
        stockLocations=[StockLocationReference(identifier="default", stock=4)],
        isDefault=True,
    )
    assert with_fields(base, "en", same) is None
    assert base == before


def test_a_change_is_a_new_state_sharing_what_did_not_change() -> None:
    base = _stored()
    before = base.copy()
    changed = with_fields(
        base,
        "en",
        _input(priceVariants=[PriceVariantReference(identifier="default", price=Decimal(13))]),
    )
    assert changed is not None
    assert base == before  # the variant it started from is unchanged
    assert changed.prices == {"default": "13"}
    assert changed.row is not base.row and changed.row == base.row
    assert changed.versions is base.versions and changed.stock is base.stock
    named = with_fields(base, "no", VariantInput(sku="a", name="A-no"))
    assert named is not None and named.versions["no"]["name"] == "A-no"
    assert set(base.versions) == {"en"}


def test_references_refused_at_the_first_problem_in_file_order(
    app: App, tenant: TenantInfo
) -> None:
    with app.engine.connect() as connection:
        known = Known.of(read_settings(connection, tenant.id))
    good = StockLocationReference(identifier="default", stock=1)
    check_references(_input(stockLocations=[good]), "variants[0]", known)
    cases = [
        (
            _input(stockLocations=[good, good]),
            "duplicate_key",
            "`variants[1].stockLocations[1].identifier`: 'default' is listed twice",
        ),
        (
            _input(
                priceVariants=[PriceVariantReference(identifier="vip", price=Decimal(1))],
                stockLocations=[good, good],
            ),
            "unknown_price_variant",
            "`variants[1].priceVariants[0].identifier`: 'vip' is not a price variant",
        ),
    ]
    for variant, code, message in cases:
        with pytest.raises(OperationFailed) as refused:
            check_references(variant, "variants[1]", known)
        assert refused.value.code == code
        assert str(refused.value).startswith(message)
