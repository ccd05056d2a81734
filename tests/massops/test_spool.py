"""What the validation pass spools for each operation, and reading it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from geode.assembly.intents import intent_registry
from geode.massops.spool import SpoolWriter, read_spool

ORDER_ID = "0123456789abcdef01234567"


def order(**fields: Any) -> Any:
    raw = {
        "intent": "order/upsert",
        "customer": {"identifier": "c-1"},
        "cart": [{"name": "Mug", "quantity": 1, "price": {"gross": "9.50", "currency": "EUR"}}],
        "payment": [{"provider": "cash", "cash": {"cash": "till 1"}}],
        "total": {"gross": "9.50", "currency": "EUR"},
    }
    return msgspec.convert(raw | fields, intent_registry.operation)


def test_an_order_keyed_by_id_spools_its_documents_as_text() -> None:
    entry = intent_registry.entry(order(id=ORDER_ID), None)
    assert entry.documents == {
        "cart": '[{"name":"Mug","quantity":"1","price":{"currency":"EUR","gross":"9.50"}}]',
        "payment": '[{"provider":"cash","cash":{"cash":"till 1"}}]',
    }
    assert entry.op.cart == [] and entry.op.payment is msgspec.UNSET  # type: ignore[union-attr]
    assert entry.op.total is not msgspec.UNSET  # type: ignore[union-attr]  # a column reads it


def test_a_registered_order_and_one_keyed_by_resource_identifier_do_too() -> None:
    register = order(intent="order/register")
    by_ri = order(resourceIdentifier="web-1")
    assert intent_registry.entry(register, None).documents is not None
    assert intent_registry.entry(by_ri, None).documents is not None


def test_a_field_holding_a_template_stays_in_the_operation() -> None:
    op = order(id=ORDER_ID, cart=[{"name": "{{ p.name }}", "quantity": 1}])
    templates: list[tuple[list[str | int], str]] = [(["cart", 0, "name"], "{{ p.name }}")]
    entry = intent_registry.entry(op, templates)
    assert entry.documents is not None and set(entry.documents) == {"payment"}
    assert entry.op.cart[0].name == "{{ p.name }}"  # type: ignore[union-attr]


def test_an_order_keyed_by_its_content_keeps_everything() -> None:
    # Its fingerprint is computed during the run from the whole input.
    entry = intent_registry.entry(order(), None)
    assert entry.documents is None and len(entry.op.cart) == 1  # type: ignore[union-attr]


def test_other_intents_keep_everything() -> None:
    update = msgspec.convert(
        {"intent": "order/update", "id": ORDER_ID, "cart": [{"name": "a", "quantity": 1}]},
        intent_registry.operation,
    )
    customer = msgspec.convert(
        {"intent": "customer/upsert", "identifier": "c"}, intent_registry.operation
    )
    assert intent_registry.entry(update, None).documents is None
    assert intent_registry.entry(customer, None).documents is None


def test_entries_read_back_as_written_from_any_start(tmp_path: Path) -> None:
    entries = [intent_registry.entry(order(id=f"{i:024x}"), None) for i in range(2500)]
    writer = SpoolWriter(tmp_path / "spool")
    for entry in entries:
        writer.add(entry)
    writer.close()
    assert [e for _, e in read_spool(tmp_path / "spool", intent_registry)] == entries
    assert [i for i, _ in read_spool(tmp_path / "spool", intent_registry, start=1999)] == list(
        range(1999, 2500)
    )


def test_a_spool_written_before_documents_were_spooled_still_reads(tmp_path: Path) -> None:
    # A task created by an older version can still be resumed.
    op = order(id=ORDER_ID)
    writer = SpoolWriter(tmp_path / "spool")
    writer.add_frame(msgspec.msgpack.encode([[op, None]]), 1)
    writer.close()
    [(index, entry)] = read_spool(tmp_path / "spool", intent_registry)
    assert (index, entry.op, entry.documents) == (0, op, None)
