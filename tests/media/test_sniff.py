"""The type of a file comes from its first bytes: the allowed seven, nothing else."""

from __future__ import annotations

import pytest

from geode.media.sniff import SNIFF_BYTES, sniff
from tests.media import samples


@pytest.mark.parametrize(
    ("head", "content_type", "extension"),
    [
        (samples.jpeg(), "image/jpeg", "jpg"),
        (samples.png(), "image/png", "png"),
        (samples.GIF, "image/gif", "gif"),
        (samples.WEBP, "image/webp", "webp"),
        (samples.AVIF, "image/avif", "avif"),
        (samples.MP4, "video/mp4", "mp4"),
        (samples.WEBM, "video/webm", "webm"),
    ],
)
def test_each_allowed_kind_is_recognised(head: bytes, content_type: str, extension: str) -> None:
    found = sniff(head[:SNIFF_BYTES])
    assert found is not None
    assert (found.content_type, found.extension) == (content_type, extension)


@pytest.mark.parametrize(
    "head",
    [
        samples.SVG,
        samples.HTML,
        samples.MATROSKA,
        samples.QUICKTIME,
        samples.HEIC,
        samples.ZIP,
        b"",
        b"\xff\xd8",  # a JPEG's first two bytes only
        b"RIFF\x00\x00\x00\x00WAVE",  # RIFF, but audio
        b"hello, world",
    ],
)
def test_anything_else_is_not(head: bytes) -> None:
    assert sniff(head[:SNIFF_BYTES]) is None
