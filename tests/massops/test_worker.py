"""Validation worker processes stay light: they load the families' schemas
(`geode.assembly.intent_schemas`), never SQLAlchemy, the driver or a writer,
and validate exactly as the main process's full registry does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec

from geode.assembly.intent_schemas import intent_schemas
from geode.assembly.intents import intent_registry
from geode.catalogue.intents.family import KINDS
from geode.catalogue.intents.schema import SCHEMA_KINDS
from geode.massops.chunks import ChunkReport, validate_chunk
from geode.massops.worker import WorkerPool

CORPUS = Path(__file__).resolve().parents[1] / "conformance" / "corpus"
HEAVY = ("sqlalchemy", "psycopg", "fastapi", "typer", "rich", "geode.db", "geode.catalogue.models")

# What a worker does (`python -m geode.massops.worker LOCATOR`), then its peak
# RSS once it has checked a chunk (the decoders it builds on first use). The
# peak is the kernel's VmHWM: `ru_maxrss` keeps the parent's across exec on
# Linux, so a child of pytest would report pytest's size.
_CHILD = """
import json, re, resource, sys
import geode.massops.worker as worker
from geode.massops.chunks import validate_chunk
intents = worker.load_registry(sys.argv[1])
report = validate_chunk(sys.stdin.buffer.read(), 0, intents)
try:
    with open("/proc/self/status") as status:
        peak = int(re.search(r"VmHWM:\\s*(\\d+) kB", status.read()).group(1)) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({
    "modules": sorted(sys.modules),
    "rss_mb": peak,
    "problems": len(report.problems),
    "count": report.count,
}))
"""


def corpus_operations() -> list[Any]:
    """Every operation of the conformance corpus, valid and refused, of every family."""
    ops: list[Any] = []
    for path in sorted(CORPUS.glob("*.json")):
        for case in json.loads(path.read_text()).get("cases", []):
            if "operation" in case:
                ops.append(case["operation"])
    return ops


def valid_operations() -> list[Any]:
    """The corpus operations Geode accepts (a chunk holding a refused one spools nothing)."""
    ops = corpus_operations()
    refused = {p.index for p in validate_chunk(chunk_of(ops), 0, intent_registry).problems}
    return [op for index, op in enumerate(ops) if index not in refused]


def chunk_of(ops: list[Any]) -> bytes:
    return ",".join(json.dumps(op) for op in ops).encode()


def test_the_worker_locator_names_the_light_registry() -> None:
    assert intent_registry.locator == "geode.assembly.intent_schemas:intent_schemas"


def test_a_worker_imports_no_sqlalchemy_driver_nor_front_door_and_stays_small() -> None:
    ops = corpus_operations()
    assert len({op.get("intent") for op in ops}) > 40  # every family, most intents
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, intent_registry.locator],
        input=chunk_of(ops),
        capture_output=True,
        check=True,
    )
    child = json.loads(done.stdout)
    loaded = [m for m in child["modules"] if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert loaded == []
    assert child["count"] == len(ops) and child["problems"] > 0
    assert child["rss_mb"] < 30, child["rss_mb"]  # ~24 MB measured; 64-76 MB with the full registry


def test_the_light_and_full_registries_declare_the_same_file_format() -> None:
    assert list(intent_schemas.intents.items()) == list(intent_registry.intents.items())
    assert intent_schemas.outputs == intent_registry.outputs
    assert intent_schemas.json_schema() == intent_registry.json_schema()  # `geode massop schema`
    assert intent_schemas.ordered_intents == intent_registry.ordered_intents
    for light, full in zip(intent_schemas.families, intent_registry.families, strict=True):
        assert isinstance(full, type(light))  # a family is its schema plus the apply side
        assert (light.name, light.operations, light.key_fields, light.lean_keys) == (
            full.name,
            full.operations,
            full.key_fields,
            full.lean_keys,
        )
    assert [(k.name, k.operations) for k in KINDS] == [(k.name, k.operations) for k in SCHEMA_KINDS]


def test_a_worker_reports_byte_for_byte_what_the_full_registry_does() -> None:
    """Same problems, same spool frame (orders' detached documents included), same
    dependencies: in process with either registry, and from a worker process."""
    chunks = [(chunk_of(valid_operations()), 7), (chunk_of(corpus_operations()), 0)]
    encode = msgspec.msgpack.Encoder().encode
    full = [validate_chunk(chunk, start, intent_registry) for chunk, start in chunks]
    assert full[0].frame and full[0].dependencies and not full[0].problems
    assert full[1].problems
    light = [validate_chunk(chunk, start, intent_schemas) for chunk, start in chunks]
    assert [encode(report) for report in light] == [encode(report) for report in full]
    pool = WorkerPool(2, intent_registry.locator)
    try:
        reports: list[ChunkReport] = list(pool.map(iter(chunks)))
    finally:
        pool.close()
    assert [encode(report) for report in reports] == [encode(report) for report in full]
