"""A validation process's work on one chunk: what it spools and what it refuses
must not depend on which of its decoders read an operation."""

from __future__ import annotations

import json
from typing import Any

from geode.assembly.intents import intent_registry
from geode.massops.chunks import validate_chunk
from geode.massops.spool import encode_frame


def order(index: int, **changes: Any) -> dict[str, Any]:
    op: dict[str, Any] = {
        "intent": "order/upsert", "id": f"{index:024x}", "customer": {"identifier": "c-1"},
        "cart": [{"sku": f"sku-{index}", "name": "Candle", "quantity": 2,
                  "price": {"gross": 10.5, "net": 8.4, "currency": "EUR"}}],
        "total": {"gross": 21, "net": 16.8, "currency": "EUR"},
    }  # fmt: skip
    op.update(changes)
    return op


def chunk_of(ops: list[dict[str, Any]], ensure_ascii: bool = False) -> bytes:
    return ",".join(json.dumps(op, ensure_ascii=ensure_ascii) for op in ops).encode()


def test_the_frame_is_what_the_decoder_with_every_pattern_spools() -> None:
    ops = [
        order(1),
        order(2, additionalInformation="Tromsø, 2nd floor"),  # not ASCII
        order(3, additionalInformation="line\nbreak"),  # an escape: decoded with patterns
        {"intent": "customer/upsert", "identifier": "c-1", "firstName": "Åse", "_ref": "c1"},
    ]
    for ensure_ascii in (False, True):
        report = validate_chunk(chunk_of(ops, ensure_ascii), 0, intent_registry)
        assert report.problems == []
        strict = [
            intent_registry.entry(intent_registry.json_decoder.decode(json.dumps(op)), None)
            for op in ops
        ]
        frames = intent_registry.frame_decoder
        assert frames.decode(report.frame) == frames.decode(encode_frame(strict))
        assert report.frame == encode_frame(strict)  # byte for byte: documents as text too


def test_an_invisible_character_in_a_key_is_refused_however_it_is_written() -> None:
    bad = order(2, cart=[{"sku": "sku\u200b2", "name": "Candle", "quantity": 1}])
    for ensure_ascii in (False, True):
        report = validate_chunk(
            chunk_of([order(1), bad, order(3)], ensure_ascii), 10, intent_registry
        )
        assert [(p.index, p.path) for p in report.problems] == [
            (11, "$.operations[11].cart[0].sku")
        ]
        assert "U+200B" in report.problems[0].message
