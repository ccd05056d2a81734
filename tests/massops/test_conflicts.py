"""Waves from records read and written (`massops.conflicts`), without a file."""

from __future__ import annotations

from geode.massops.conflicts import Conflicts
from geode.massops.intents import Placement


def waves(placements: list[tuple[int, Placement]]) -> list[int]:
    """Each (key, placement) in run order; same-key operations never go back a wave."""
    conflicts, result, last = Conflicts(), [], {}
    for index, (key, placement) in enumerate(placements):
        conflicts.add(index, "f", placement)
        wave = max(conflicts.earliest(index, key), last.get(key, 0))
        conflicts.ran(index, key, wave)
        last[key] = wave
        result.append(wave)
    return result


def test_a_read_after_a_write_on_another_key_waits_a_wave() -> None:
    assert waves(
        [
            (1, Placement("a", writes=("r",))),
            (1, Placement("a", reads=("r",))),  # same key: same chunk, in order
            (2, Placement("b", reads=("r",))),  # another chunk: after
            (3, Placement("c", reads=("s",))),  # unrelated
        ]
    ) == [0, 0, 1, 0]


def test_a_write_after_reads_on_other_keys_waits_for_all_of_them() -> None:
    assert waves(
        [
            (1, Placement("a", writes=("r",))),
            (2, Placement("b", reads=("r",))),  # 1
            (3, Placement("c", reads=("q",))),  # 0
            (3, Placement("c", writes=("q", "r"))),  # after 2's read of r
            (2, Placement("b", writes=("q",))),  # after 3's write of q
        ]
    ) == [0, 1, 0, 2, 3]


def test_operations_alone_are_barriers() -> None:
    assert waves(
        [
            (1, Placement("a")),
            (2, Placement("b")),
            (9, Placement(None)),
            (9, Placement(None)),  # consecutive: one wave, one chunk
            (1, Placement("a")),
        ]
    ) == [0, 0, 1, 1, 2]
