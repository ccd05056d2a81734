"""What a file is, decided from its first bytes, never from what the client says.

A browser shows an image by what it is, not by the name it came with, so a
type taken on trust (an HTML page sent as `image/png`) would be served as
something else than what was checked. Only the formats a shop shows are
allowed: JPEG, PNG, GIF, WebP, AVIF, MP4 and WebM. SVG is refused: it is a
document that can run scripts in the browser of whoever opens its URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

SNIFF_BYTES: Final = 64
"""How many leading bytes `sniff` needs (fewer only when the file is shorter)."""


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str


JPEG = FileType("image/jpeg", "jpg")
PNG = FileType("image/png", "png")
GIF = FileType("image/gif", "gif")
WEBP = FileType("image/webp", "webp")
AVIF = FileType("image/avif", "avif")
MP4 = FileType("video/mp4", "mp4")
WEBM = FileType("video/webm", "webm")

ALLOWED: Final = (JPEG, PNG, GIF, WEBP, AVIF, MP4, WEBM)
ALLOWED_NAMES: Final = "JPEG, PNG, GIF, WebP, AVIF, MP4 or WebM"

# ISO base media (`....ftyp<brand>`): AVIF's brands, and the MP4 family's. QuickTime
# (`qt  `), HEIF/HEIC and 3GP are other formats browsers do not all show.
_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})
_MP4_BRANDS: Final = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash"}
)
_EBML: Final = b"\x1a\x45\xdf\xa3"


def sniff(head: bytes) -> FileType | None:
    """The allowed type whose signature `head` (a file's first SNIFF_BYTES) starts
    with, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AVIF_BRANDS:
            return AVIF
        if brand in _MP4_BRANDS:
            return MP4
        return None
    if head.startswith(_EBML) and _webm_doctype(head):
        return WEBM
    return None


def _webm_doctype(head: bytes) -> bool:
    """The EBML header names its DocType (element 0x4282) early: `webm`, not
    `matroska` (a container browsers do not play)."""
    at = head.find(b"\x42\x82")
    if at < 0 or at + 3 > len(head):
        return False
    size = head[at + 2]
    if not size & 0x80:  # only the one-byte size form fits a 4-letter name
        return False
    length = size & 0x7F
    return head[at + 3 : at + 3 + length] == b"webm"
