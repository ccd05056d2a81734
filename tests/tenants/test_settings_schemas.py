"""The settings file reader: every problem at its JSON path, nothing accepted on a guess."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geode.errors import InvalidInputError
from geode.tenants.settings_schemas import parse_settings

LANGUAGE = {"code": "en", "name": "English"}
VAT = {"name": "Standard", "percent": 25}
PRICE = {"identifier": "default", "name": "Default", "currency": "EUR"}
STOCK = {"identifier": "default", "name": "Default"}


def problems(document: Any) -> list[tuple[str, str]]:
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    with pytest.raises(InvalidInputError) as refused:
        parse_settings(raw, 32)
    assert "nothing was changed" in refused.value.message
    return [(p["path"], p["code"]) for p in refused.value.detail]


def test_every_key_is_optional_and_a_full_file_reads() -> None:
    assert parse_settings(b"{}", 32).languages is None
    parsed = parse_settings(
        json.dumps(
            {
                "languages": [LANGUAGE],
                "vatTypes": [VAT | {"id": "a" * 24, "isDefault": True}],
                "priceVariants": [PRICE],
                "stockLocations": [STOCK],
            }
        ).encode(),
        32,
    )
    assert parsed.vat_types is not None and parsed.vat_types[0].percent == Decimal(25)
    assert parsed.price_variants is not None and parsed.price_variants[0].currency == "EUR"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"vatTypes": [VAT, VAT | {"name": "R", "percent": 100.5}]}, "$.vatTypes[1].percent"),
        ({"vatTypes": [VAT | {"percent": "1.23456"}]}, "$.vatTypes[0].percent"),
        ({"vatTypes": [VAT | {"percent": -1}]}, "$.vatTypes[0].percent"),
        ({"vatTypes": [VAT | {"percent": True}]}, "$.vatTypes[0].percent"),
        ({"vatTypes": [VAT | {"id": "not-an-id"}]}, "$.vatTypes[0].id"),
        ({"vatTypes": [{"name": "Standard"}]}, "$.vatTypes[0].percent"),
        ({"priceVariants": [PRICE | {"currency": ""}]}, "$.priceVariants[0].currency"),
        ({"priceVariants": [PRICE | {"currency": 978}]}, "$.priceVariants[0].currency"),
        ({"priceVariants": [PRICE | {"identifier": "a\u200bb"}]}, "$.priceVariants[0].identifier"),
        ({"languages": [LANGUAGE | {"code": "nb NO"}]}, "$.languages[0].code"),
        ({"languages": [LANGUAGE | {"code": "x" * 65}]}, "$.languages[0].code"),
        ({"languages": [LANGUAGE | {"name": ""}]}, "$.languages[0].name"),
        ({"languages": [LANGUAGE | {"name": "a\u0000"}]}, "$.languages[0].name"),
        ({"stockLocations": [STOCK | {"where": "Oslo"}]}, "$.stockLocations[0].where"),
        ({"stockLocations": {"identifier": "x"}}, "$.stockLocations"),
        ({"stockLocation": [STOCK]}, "$.stockLocation"),
        ({"createdAt": 5}, "$.createdAt"),
        ({"rootItemId": "A" * 24}, "$.rootItemId"),
        ([LANGUAGE], "$"),
    ],
)
def test_a_bad_value_is_refused_at_its_path(document: Any, expected: str) -> None:
    assert [path for path, _ in problems(document)] == [expected]


@pytest.mark.parametrize("key", ["languages", "vatTypes", "priceVariants", "stockLocations"])
def test_an_empty_list_is_refused_a_tenant_needs_one_of_each(key: str) -> None:
    assert problems({key: []}) == [(f"$.{key}", "empty_list")]


def test_duplicates_and_two_defaults_are_refused_every_one_named() -> None:
    found = problems(
        {
            "languages": [LANGUAGE, LANGUAGE | {"name": "Engelsk"}],
            "vatTypes": [
                VAT | {"id": "a" * 24, "isDefault": True},
                {"id": "a" * 24, "name": "Other", "percent": 0, "isDefault": True},
                VAT,
            ],
            "priceVariants": [PRICE, PRICE],
            "stockLocations": [STOCK, STOCK | {"name": "Again"}],
        }
    )
    assert found == [
        ("$.languages[1].code", "duplicate"),
        ("$.vatTypes[1].id", "duplicate"),
        ("$.vatTypes[2].name", "duplicate"),
        ("$.vatTypes[1].isDefault", "two_defaults"),
        ("$.priceVariants[1].identifier", "duplicate"),
        ("$.stockLocations[1].identifier", "duplicate"),
    ]


def test_strict_json_repeated_keys_and_depth_are_refused() -> None:
    assert problems(b'{"languages": [], "languages": []}') == [("$.languages", "duplicate_key")]
    deep = b'{"languages": [' + b"[" * 40 + b"]" * 40 + b"]}"
    assert problems(deep)[0][1] == "too_deep"
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        parse_settings(b'{"languages": [', 32)
    with pytest.raises(InvalidInputError, match="byte order mark"):
        parse_settings(b"\xef\xbb\xbf{}", 32)


@given(st.decimals(min_value=0, max_value=100, places=4, allow_nan=False))
def test_every_rate_from_0_to_100_with_4_places_reads_exactly(rate: Decimal) -> None:
    for written in (str(rate), f'"{rate}"'):  # a JSON number, and decimal text
        document = b'{"vatTypes": [{"name": "V", "percent": ' + written.encode() + b"}]}"
        parsed = parse_settings(document, 32)
        assert parsed.vat_types is not None
        assert parsed.vat_types[0].percent == rate


@given(
    st.one_of(
        st.decimals(min_value=Decimal("100.0001"), max_value=10**6, places=4),
        st.decimals(max_value=Decimal("-0.0001"), min_value=-(10**6), places=4),
        st.decimals(min_value=0, max_value=100, places=8).filter(
            lambda d: d != d.quantize(Decimal("0.0001"))
        ),
    )
)
def test_a_rate_out_of_range_or_too_precise_is_refused(rate: Decimal) -> None:
    document = b'{"vatTypes": [{"name": "V", "percent": "' + str(rate).encode() + b'"}]}'
    assert problems(document) == [("$.vatTypes[0].percent", "invalid_value")]
