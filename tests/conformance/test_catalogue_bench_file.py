"""The catalogue benchmark's file is valid for the reference zod schema, operation by
operation, so the benchmark measures files Crystallize's own tools would accept."""

from __future__ import annotations

from pathlib import Path

from bench.catalogue.generate import generate
from tests.conformance.conftest import Reference


def test_a_small_generated_file_is_valid_for_the_reference(
    reference: Reference, tmp_path: Path
) -> None:
    path = tmp_path / "catalogue.json"
    counts = generate(path, 0.001, 42)
    [answer] = reference(path)["files"]
    invalid = [op for op in answer["operations"] if not op["ok"]]
    assert invalid == []
    assert answer["valid"] is True
    assert len(answer["operations"]) == counts.total
