"""Mass operations as a test writes them into a file: the two most used intents."""

from __future__ import annotations

from typing import Any


def customer(identifier: str, **fields: Any) -> dict[str, Any]:
    return {"intent": "customer/upsert", "identifier": identifier, **fields}


def order(customer_identifier: str, **fields: Any) -> dict[str, Any]:
    return {
        "intent": "order/upsert",
        "customer": {"identifier": customer_identifier},
        "cart": [
            {
                "sku": "sku-1",
                "name": "Chair",
                "quantity": 2,
                "price": {"gross": 150.10, "net": 120.08, "currency": "EUR"},
            }
        ],
        "total": {"gross": 300.20, "net": 240.16, "currency": "EUR"},
        **fields,
    }
