"""The parallel validation pass must agree with the sequential one on every
file: same problems, same references, same spool. Files here are formatted in
many ways, with strings that look like boundaries between operations."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from geode.assembly.intents import intent_registry
from geode.massops.spool import SpoolWriter, read_spool
from geode.massops.validation import _validate_sequential, validate_file


def operations(rng: random.Random, count: int) -> list[Any]:
    ops: list[Any] = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.3:
            ops.append(
                {"_ref": f"c{i}", "intent": "customer/upsert", "identifier": f"id-{i}",
                 "firstName": rng.choice(["}, {", "a},{b", "{{ not }} closed", "Ola", '"}]']),
                 "addresses": [{"type": "billing", "city": "x"}, {"type": "other"}]}
            )  # fmt: skip
        elif roll < 0.9:
            ref = f"c{rng.randrange(max(i, 1))}"
            ops.append(
                {"intent": "order/upsert", "customer": {"identifier": f"{{{{ {ref}.identifier }}}}"},
                 "cart": [{"name": "}, {", "quantity": 1}, {"name": "b", "quantity": 2.5}]}
            )  # fmt: skip
            if rng.random() < 0.5:  # keyed by id: its documents are spooled as text
                ops[-1]["id"] = f"{i:024x}"
                ops[-1]["payment"] = [{"provider": "cash", "cash": {"cash": "}"}}]
        elif roll < 0.95:
            ops.append({"intent": "customer/upsertt", "identifier": "x", "emial": 1})
        else:
            ops.append({"intent": "order/upsert", "cart": [{"quantity": -1}], "id": "nope"})
    return ops


def write(path: Path, ops: list[Any], indent: int | None) -> Path:
    path.write_text(json.dumps({"version": "0.0.1", "operations": ops}, indent=indent))
    return path


def spooled(path: Path) -> list[Any]:
    return [
        (index, entry.op, entry.templates, entry.documents)
        for index, entry in read_spool(path, intent_registry)
    ]


@pytest.mark.parametrize("seed", range(6))
def test_parallel_and_sequential_agree(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    ops = operations(rng, rng.randrange(1, 400))
    if seed % 2:
        ops = [
            op for op in ops if op.get("intent") != "customer/upsertt" and op.get("id") != "nope"
        ]
    file = write(tmp_path / "ops.json", ops, indent=rng.choice([None, 1, 2]))
    parallel_spool, sequential_spool = SpoolWriter(tmp_path / "p"), SpoolWriter(tmp_path / "s")
    parallel = validate_file(
        file, intent_registry, parallel_spool, parallel_min_bytes=0, chunk_size=2048
    )
    sequential = _validate_sequential(file, intent_registry, sequential_spool)
    parallel_spool.close()
    sequential_spool.close()
    assert parallel.parallel and not sequential.parallel
    assert parallel.problems == sequential.problems
    assert (parallel.total, parallel.sha256, parallel.needed, parallel.intents) == (
        sequential.total, sequential.sha256, sequential.needed, sequential.intents,
    )  # fmt: skip
    if parallel.ok:
        assert spooled(tmp_path / "p") == spooled(tmp_path / "s")
        assert [i for i, *_ in spooled(tmp_path / "p")] == list(range(len(ops)))


def test_unusual_layout_falls_back_to_the_sequential_path(tmp_path: Path) -> None:
    file = tmp_path / "ops.json"
    ops = [{"intent": "customer/upsert", "identifier": f"c{i}"} for i in range(50)]
    file.write_text(json.dumps({"operations": ops, "version": "0.0.1"}))
    report = validate_file(file, intent_registry, parallel_min_bytes=0, chunk_size=256)
    assert report.ok and report.total == 50
    assert not report.parallel


def test_truncated_file_is_refused_with_its_position(tmp_path: Path) -> None:
    file = tmp_path / "ops.json"
    text = json.dumps(
        {"version": "0.0.1", "operations": [{"intent": "customer/upsert", "identifier": "a"}] * 20}
    )
    file.write_text(text[:-40])
    report = validate_file(file, intent_registry, parallel_min_bytes=0, chunk_size=128)
    assert not report.ok
    assert report.problems[-1].code == "invalid_file"


@pytest.mark.parametrize("version", [None, 1, "1.0", ""])
def test_a_version_that_is_not_x_y_z_is_refused(tmp_path: Path, version: object) -> None:
    path = tmp_path / "v.json"
    path.write_text(json.dumps({"version": version, "operations": [
        {"intent": "customer/upsert", "identifier": "c1"}
    ]}))  # fmt: skip
    report = validate_file(path, intent_registry)
    assert [(p.path, p.code) for p in report.problems] == [("$.version", "invalid_version")]


def test_a_missing_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v.json"
    path.write_text(json.dumps({"operations": [{"intent": "customer/upsert", "identifier": "c1"}]}))
    report = validate_file(path, intent_registry)
    assert [(p.path, p.code) for p in report.problems] == [("$.version", "invalid_version")]


def test_a_nul_character_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "nul.json"
    path.write_text(json.dumps({"version": "0.0.1", "operations": [
        {"intent": "customer/upsert", "identifier": "c1", "firstName": "A\u0000B"}
    ]}))  # fmt: skip
    report = validate_file(path, intent_registry)
    assert [(p.index, p.path, p.code) for p in report.problems] == [
        (0, "$.operations[0].firstName", "invalid_value")
    ]
    assert "NUL" in report.problems[0].message


def test_both_paths_see_templates_and_nul_characters_written_as_escapes(tmp_path: Path) -> None:
    """JSON may write "{" as \\u007b and a NUL only as \\u0000: a parallel pass that
    looked for the raw bytes "{{" stored such a template as literal text."""
    ops = [{"intent": "customer/upsert", "identifier": f"c{i}"} for i in range(200)]
    ops[10]["firstName"] = "A\u0000B"
    ops[20]["firstName"] = "{{ later.identifier }}"  # a reference to an operation after it
    ops[30]["_ref"] = "later"
    text = json.dumps({"version": "0.0.1", "operations": ops})
    text = text.replace("{{ later", "\\u007b\\u007B later").replace(
        "identifier }}", "identifier \\u007d}"
    )
    file = tmp_path / "ops.json"
    file.write_text(text)
    parallel = validate_file(file, intent_registry, parallel_min_bytes=0, chunk_size=1024)
    sequential = _validate_sequential(file, intent_registry, None)
    assert parallel.parallel
    assert parallel.problems == sequential.problems
    assert [(p.path, p.code) for p in parallel.problems] == [
        ("$.operations[10].firstName", "invalid_value"),
        ("$.operations[20].firstName", "invalid_reference"),
    ]


def test_a_subscription_period_that_is_not_a_date_is_refused_with_its_path(
    tmp_path: Path,
) -> None:
    # Found by schemathesis: the schema says date-time, the server took "AAA".
    item = {"name": "box", "quantity": 1, "subscription": {"period": 1, "unit": "month"}}
    item["subscription"].update({"start": "2024-05-01T00:00:00Z", "end": "AAA"})  # type: ignore[attr-defined]
    path = tmp_path / "ops.json"
    path.write_text(
        json.dumps(
            {
                "version": "0.0.1",
                "operations": [
                    {"intent": "order/upsert", "customer": {"identifier": "c"}, "cart": [item]}
                ],
            }
        )
    )
    report = validate_file(path, intent_registry)
    assert [(p.path, "`end` is 'AAA', not a date" in p.message) for p in report.problems] == [
        ("$.operations[0].cart[0].subscription", True)
    ]
