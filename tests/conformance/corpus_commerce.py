"""Corpus of the intents Geode implements today: customer/*, customer/group/*, order/*."""

from __future__ import annotations

from typing import Any

from tests.conformance.corpus_operations import DELETE, ID, OTHER_ID, ExtraCase, Intent

LONG_KEY = "k" * 300  # over Geode's 256-character keys


def _customer_extra() -> dict[str, Any]:
    return {
        "email": "ada@example.com",
        "firstName": "Ada",
        "middleName": "King",
        "lastName": "Lovelace",
        "companyName": "Analytical Engines",
        "phone": "+44 20 7946 0000",
        "taxNumber": "GB123",
        "birthDate": "1815-12-10T00:00:00Z",
        "type": "individual",
        "externalReferences": [{"key": "crm", "value": "42"}],
        "meta": [{"key": "tier", "value": "gold"}, {"key": "note", "value": None}],
        "addresses": [
            {
                "type": "billing",
                "firstName": "Ada",
                "street": "St James's Square",
                "streetNumber": "12",
                "postalCode": "SW1Y",
                "city": "London",
                "country": "GB",
                "email": "billing@example.com",
                "meta": [{"key": "door", "value": "blue"}],
            }
        ],
        "parents": [{"identifier": "vip", "type": "customerGroup"}],
        "_ref": "ada",
    }


_CUSTOMER_ENUMS = {
    "type": "robot",
    "addresses.0.type": "home",
    "parents.0.type": "group",
}
_CUSTOMER_WRONG = {
    "identifier": 42,
    "email": "not-an-email",
    "firstName": 12,
    "addresses": {"type": "billing"},
    "meta": {"tier": "gold"},
    "birthDate": "not a date",
    "parents.0.identifier": "",
}


def _customer_cases(intent: str) -> list[ExtraCase]:
    cases: list[ExtraCase] = [
        ("fields set to null", "valid", {"email": None, "addresses": None, "type": None}, None),
        ("a date-only birthDate", "valid", {"birthDate": "1815-12-10"}, None),
        ("a key over 256 characters", "valid", {"identifier": LONG_KEY}, "key-length"),
        ("NUL in a name", "valid", {"firstName": "Ad\u0000a"}, "nul-in-text"),
        ("an invisible character in a key", "valid", {"identifier": "ada\u200b"}, "key-characters"),
        ("a _ref that is not a name", "valid", {"_ref": "my ref"}, "ref-name"),
        ("an empty _ref", "invalid", {"_ref": ""}, None),
        ("a field the reference does not know", "valid", {"nickname": "A"}, "unknown-keys"),
        ("an address field the reference does not know", "valid",
         {"addresses.0.floor": "3"}, "unknown-keys"),
        ("a birthDate JavaScript reads but ISO-8601 does not", "valid",
         {"birthDate": "December 10, 1815"}, "date-format"),
    ]  # fmt: skip
    if intent == "customer/update":
        cases.append(("an empty identifier", "invalid", {"identifier": ""}, None))
    else:  # the reference's create schema takes any string, even an empty one
        cases.append(("an empty identifier", "valid", {"identifier": ""}, "empty-key"))
    return cases


def _customer(intent: str) -> Intent:
    return Intent(
        intent,
        {"identifier": "ada"},
        _customer_extra(),
        required=("identifier", "addresses.0.type", "parents.0.identifier", "parents.0.type"),
        enums=_CUSTOMER_ENUMS,
        wrong=_CUSTOMER_WRONG,
        cases=_customer_cases(intent),
    )


def _group(intent: str) -> Intent:
    return Intent(
        intent,
        {"identifier": "vip"},
        {"name": "VIP", "parents": [{"identifier": "all", "type": "customerGroup"}]},
        required=("identifier", "parents.0.identifier", "parents.0.type"),
        enums={"parents.0.type": "team"},
        wrong={"identifier": 7, "name": 7, "parents": "all"},
        cases=[
            ("an empty identifier", "invalid", {"identifier": ""}, None),
            ("a null name", "valid", {"name": None}, None),
            ("a field the reference does not know", "valid", {"color": "red"}, "unknown-keys"),
        ],
    )


def _cart_item() -> dict[str, Any]:
    return {
        "name": "Tee",
        "sku": "tee-m",
        "productId": ID,
        "imageUrl": "https://example.com/tee.jpg",
        "quantity": 2,
        "price": {"gross": 25, "net": 20, "currency": "EUR", "tax": {"name": "VAT", "percent": 25}},
        "subTotal": {"gross": 50, "net": 40, "currency": "EUR"},
        "meta": [{"key": "color", "value": "green"}],
        "subscription": {"period": 1, "unit": "month", "start": "2024-01-01T00:00:00Z"},
        "group": "apparel",
        "type": "standard",
    }


def _order_extra(intent: str) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "additionalInformation": "Leave at the door",
        "meta": [{"key": "channel", "value": "web"}],
        "payment": [
            {"provider": "stripe", "stripe": {"paymentIntentId": "pi_1", "metadata": "{}"}},
            {"provider": "custom", "custom": {"properties": [{"property": "po", "value": "7"}]}},
        ],
        "total": {
            "gross": 50.5,
            "net": 40.4,
            "currency": "EUR",
            "discounts": [{"percent": 10}],
            "tax": {"name": "VAT", "percent": 25, "amount": 10.1},
            "taxBreakdown": [{"gross": 50.5, "net": 40.4, "tax": {"name": "VAT", "percent": 25}}],
        },
        "appliedPromotions": [
            {
                "identifier": "spring",
                "name": "Spring",
                "mechanism": {"type": "percentage", "value": 10},
            }
        ],
        "paymentStatus": "paid",
        "relatedOrderIds": [OTHER_ID],
        "type": "standard",
        "stockLocationIdentifier": "main",
        "resourceIdentifier": "order-1",
        "_ref": "order1",
    }
    if intent != "order/update":
        extra["createdAt"] = "2024-05-01T12:30:00Z"
        extra["customer"] = {"identifier": "ada", **_customer_extra()}
        del extra["customer"]["_ref"]
        extra["cart"] = [_cart_item()]
    if intent == "order/register":
        extra["pipelines"] = [{"pipelineId": "fulfilment", "stageId": "new"}]
    return extra


_ORDER_ENUMS = {
    "paymentStatus": "due",
    "type": "normal",
    "payment.0.provider": "bitcoin",
    "appliedPromotions.0.mechanism.type": "bogof",
}
_CART_ENUMS = {"cart.0.type": "gift", "cart.0.subscription.unit": "decade"}
_ORDER_WRONG = {
    "relatedOrderIds.0": "order-2",
    "total.gross": True,
    "total.currency": 978,
    "payment": {"provider": "cash"},
    "additionalInformation": 1,
}
_CART_WRONG = {
    "cart": {"name": "Tee", "quantity": 1},
    "cart.0.quantity": "two",
    "cart.0.productId": "tee",
    "customer.identifier": 1,
    "customer.email": "ada-at-example",
    "createdAt": "yesterday",
}


def _order_cases(intent: str) -> list[ExtraCase]:
    cases: list[ExtraCase] = [
        ("money as a decimal string", "invalid", {"total.gross": "50.50"}, "money-as-string"),
        ("a negative total", "valid", {"total.net": -1}, "negative-amount"),
        ("a negative tax percent", "valid", {"total.tax.percent": -5}, "negative-amount"),
        ("a discount over 100 percent", "valid", {"total.discounts.0.percent": 150},
         "percent-range"),
        ("a payment field the reference does not know (strict there too)", "invalid",
         {"payment.0.bitcoin": {"wallet": "x"}}, None),
        ("NUL in additionalInformation", "valid", {"additionalInformation": "a\u0000b"},
         "nul-in-text"),
        ("a stockLocationIdentifier over 256 characters", "valid",
         {"stockLocationIdentifier": LONG_KEY}, "key-length"),
        ("a null total", "valid", {"total": None}, None),
        ("a template naming no earlier _ref", "valid", {"relatedOrderIds.0": "{{ other.id }}"},
         "dangling-template"),
    ]  # fmt: skip
    if intent == "order/update":
        cases += [
            ("by resourceIdentifier only", "valid", {"id": DELETE}, None),
            ("without id or resourceIdentifier", "invalid",
             {"id": DELETE, "resourceIdentifier": DELETE}, None),
            ("a createdAt, which the reference's update drops", "valid",
             {"createdAt": "2024-05-01T12:30:00Z"}, "unknown-keys"),
            ("an empty resourceIdentifier", "invalid", {"resourceIdentifier": ""}, None),
        ]  # fmt: skip
        return cases
    cases += [
        ("an empty cart", "valid", {"cart": []}, None),
        ("a fractional quantity", "valid", {"cart.0.quantity": 1.5}, "whole-quantity"),
        ("a negative quantity", "invalid", {"cart.0.quantity": -1}, None),
        ("a cart item field the reference does not know (strict there too)", "invalid",
         {"cart.0.colour": "green"}, None),
        ("a cart price as a decimal string", "invalid", {"cart.0.price.gross": "25.00"},
         "money-as-string"),
        ("a negative promotion value", "valid",
         {"appliedPromotions.0.mechanism.value": -10}, "negative-amount"),
        ("a customer field the reference does not know", "valid", {"customer.nickname": "A"},
         "unknown-keys"),
        ("a createdAt JavaScript reads but ISO-8601 does not", "valid",
         {"createdAt": "May 1, 2024"}, "date-format"),
    ]  # fmt: skip
    if intent == "order/upsert":
        cases += [
            ("with an id", "valid", {"id": ID}, None),
            ("a bad id", "invalid", {"id": "order-1"}, None),
            ("pipelines, which the reference's upsert drops", "valid",
             {"pipelines": [{"pipelineId": "fulfilment", "stageId": "new"}]}, "unknown-keys"),
        ]  # fmt: skip
    else:
        cases += [
            ("an id, which the reference's register drops", "valid", {"id": ID}, "unknown-keys"),
            ("an empty pipeline id", "valid", {"pipelines.0.pipelineId": ""}, "empty-key"),
            ("a pipeline without stageId", "invalid", {"pipelines.0.stageId": DELETE}, None),
        ]  # fmt: skip
    return cases


def _order(intent: str) -> Intent:
    if intent == "order/update":
        return Intent(
            intent,
            {"id": ID},
            _order_extra(intent),
            required=("total.currency", "payment.0.provider", "appliedPromotions.0.name"),
            enums=_ORDER_ENUMS,
            wrong={**_ORDER_WRONG, "id": "not-hex"},
            cases=_order_cases(intent),
        )
    return Intent(
        intent,
        {"customer": {"identifier": "ada"}, "cart": [{"name": "Tee", "quantity": 1}]},
        _order_extra(intent),
        required=(
            "customer",
            "cart",
            "customer.identifier",
            "cart.0.name",
            "cart.0.quantity",
            "cart.0.subscription.unit",
            "total.currency",
            "payment.0.provider",
            "appliedPromotions.0.mechanism",
        ),
        enums={**_ORDER_ENUMS, **_CART_ENUMS},
        wrong={**_ORDER_WRONG, **_CART_WRONG},
        cases=_order_cases(intent),
    )


COMMERCE: dict[str, list[Intent]] = {
    "customer": [_customer(f"customer/{verb}") for verb in ("create", "update", "upsert")]
    + [_group(f"customer/group/{verb}") for verb in ("create", "update", "upsert")],
    "order": [_order(f"order/{verb}") for verb in ("register", "update", "upsert")],
}
