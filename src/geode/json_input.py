"""Untrusted JSON, read with bounds: nesting depth, duplicate keys, encoding, error positions.

The readers Geode uses (msgspec for chunks and request bodies, ijson for big
files) keep the last of two equal keys without a word, and build values as
deep as the input goes: a 200 KB file nested 100,000 levels deep took ijson's
prefixed events (`items`) to gigabytes, and Python walkers past their recursion
limit. Here every document is held to one nesting limit, counted from its root
(a mass-operation file's envelope is level 1, an operation level 3), and a
key given twice in one object is refused: other JSON readers would see a
different document than Geode.

Two ways in, which report exactly the same problems:

- `Builder` turns ijson's flat `basic_parse` events into values, checking as it
  goes, so the limit is enforced while streaming, before any recursive work;
- `proven_sound` is the fast proof for a value msgspec already decoded: it
  counts the value's members and compares them with the key separators in the
  text; only when the counts differ (or the value is too deep) does the text go
  through `Builder` to name the problem.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Final

import ijson
import ijson.backends.python as ijson_python
import msgspec

DEFAULT_MAX_DEPTH: Final = 32
PathPart = str | int

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A key's closing quote is followed by optional whitespace and a colon.
_SPACED_COLON = re.compile(rb'"[ \t\r\n]+:')
_plain = msgspec.json.Decoder(float_hook=Decimal)


def json_path(root: str, parts: tuple[PathPart, ...] | list[PathPart]) -> str:
    """`$.a[0]["b c"]`: the style every Problem path uses."""
    path = root
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.match(part):
            path += f".{part}"
        else:
            path += f"[{json.dumps(part)}]"
    return path


def _shown(key: str) -> str:
    return repr(key) if len(key) <= 60 else repr(key[:57] + "...")


class TooDeep(Exception):
    """Nesting beyond the limit; `parts` lead to the first container past it."""

    def __init__(self, parts: list[PathPart], limit: int) -> None:
        super().__init__(parts, limit)
        self.parts = parts
        self.limit = limit

    def message(self) -> str:
        return (
            f"values nest more than {self.limit} levels deep here; Geode reads at most "
            f"{self.limit} levels (GEODE_MAX_JSON_DEPTH), far more than any valid input needs"
        )


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    parts: tuple[PathPart, ...]  # the object holding the key
    key: str

    def message(self) -> str:
        return (
            f"the key {_shown(self.key)} appears more than once in this object; "
            "give each key once (JSON readers disagree on which value wins)"
        )


class Builder:
    """Builds one value from `basic_parse` events, `depth` levels below the root.

    Iterative, so Python's recursion limit plays no part; raises TooDeep as soon
    as a container opens past `limit`, and records each repeated key (the value
    kept is the last, as msgspec does).
    """

    def __init__(self, limit: int, duplicates: list[DuplicateKey]) -> None:
        self.limit = limit
        self.duplicates = duplicates

    def build(
        self, events: Iterator[tuple[str, Any]], event: str, value: Any, parts: list[PathPart]
    ) -> Any:
        """The value that starts with (event, value); `parts` is where it sits."""
        if event == "start_map":
            root: Any = {}
        elif event == "start_array":
            root = []
        else:
            return value
        depth = len(parts) + 1
        if depth > self.limit:
            raise TooDeep(list(parts), self.limit)
        stack: list[Any] = [root]
        trail: list[PathPart] = []  # where each open container sits in its parent
        current: Any = root
        key: Any = None
        for event, value in events:
            if event == "map_key":
                if value in current:
                    self.duplicates.append(DuplicateKey((*parts, *trail), value))
                key = value
                continue
            if event == "end_map" or event == "end_array":
                stack.pop()
                if not stack:
                    return root
                current = stack[-1]
                key = trail.pop()
                continue
            if event == "start_map":
                child: Any = {}
            elif event == "start_array":
                child = []
            else:
                if type(current) is dict:
                    current[key] = value
                else:
                    current.append(value)
                continue
            if type(current) is dict:
                current[key] = child
                trail.append(key)
            else:
                trail.append(len(current))
                current.append(child)
            if depth + len(trail) > self.limit:
                raise TooDeep([*parts, *trail], self.limit)
            stack.append(child)
            current = child
            key = None
        raise ijson.IncompleteJSONError("premature end of the document")


def events_of(stream: IO[bytes], *, keep_surrogates: bool = False) -> Iterator[tuple[str, Any]]:
    """ijson's flat events; numbers as int or Decimal, as msgspec reads them.

    `keep_surrogates`: ijson's C backend reads a lone surrogate escape as "?" (or
    fails on it); its pure-Python backend, slower, keeps it in the string, so that
    `limits.text_problems` can report it at its own path."""
    if keep_surrogates:
        return ijson_python.basic_parse(stream, use_float=False)  # type: ignore[no-any-return]
    return ijson.basic_parse(stream, use_float=False)  # type: ignore[no-any-return]


def scan(
    text: bytes, parts: list[PathPart], limit: int
) -> tuple[TooDeep | None, list[DuplicateKey]]:
    """The nesting and duplicate-key problems of one JSON value, in document order.

    Stops at the first TooDeep; the text must be valid JSON (it was decoded before).
    """
    duplicates: list[DuplicateKey] = []
    events = events_of(io.BytesIO(text))
    try:
        event, value = next(events)
        Builder(limit, duplicates).build(events, event, value, parts)
    except TooDeep as exc:
        return exc, duplicates
    return None, duplicates


def _members(value: Any, depth: int, limit: int) -> int:
    """Object members in `value`, which sits `depth` levels down; -1 when a
    container goes past `limit` (recursion never deeper than `limit`)."""
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
        count = len(value)
    elif kind is list:
        items = value
        count = 0
    else:
        return 0
    depth += 1
    if depth > limit:
        return -1
    for child in items:
        child_kind = type(child)
        if child_kind is dict or child_kind is list:
            inner = _members(child, depth, limit)
            if inner < 0:
                return -1
            count += inner
    return count


def _key_separators(text: bytes) -> int:
    """At least the number of object members in `text`: every key ends with a
    quote, optional whitespace and a colon. Strings may add a few (": )")."""
    count = text.count(b'":')
    if _SPACED_COLON.search(text) is not None:
        count += len(_SPACED_COLON.findall(text))
    return count


def proven_sound(text: bytes, members: int) -> bool:
    """True when the value decoded from `text`, holding `members` object members
    (counted by the caller's walk of it), had no repeated key.

    Decoding dropped one member per repeated key, and the separators counted
    in the text are at least the members written there, so equal counts prove
    there was no repeat. Unequal counts prove nothing (a string holding `":`):
    the caller then `scan`s the text.
    """
    return members == _key_separators(text)


def decode_checked(text: bytes, limit: int, root: str = "$") -> Any:
    """msgspec's decoding of `text` (floats as Decimal), or JsonInputError naming
    the first place nested too deep or the first repeated key."""
    try:
        value = _plain.decode(text)
    except RecursionError:
        value = _TOO_DEEP_FOR_MSGSPEC
    except msgspec.DecodeError:
        if may_hold_surrogate(text) and (offset := lone_surrogate(text)) is not None:
            message = surrogate_message(position_at(text, offset))
            raise JsonInputError(root, message, "invalid_encoding") from None
        raise
    if value is not _TOO_DEEP_FOR_MSGSPEC:
        count = _members(value, 0, limit)
        if count >= 0 and proven_sound(text, count):
            return value
    too_deep, duplicates = scan(text, [], limit)
    if too_deep is None and value is _TOO_DEEP_FOR_MSGSPEC:  # a limit past msgspec's own
        too_deep = TooDeep([], limit)
    if too_deep is not None:
        raise JsonInputError(json_path(root, too_deep.parts), too_deep.message(), "too_deep")
    if duplicates:
        first = duplicates[0]
        where = json_path(root, [*first.parts, first.key])
        raise JsonInputError(where, first.message(), "duplicate_key")
    return value


_TOO_DEEP_FOR_MSGSPEC: Any = object()


class JsonInputError(Exception):
    """A JSON document Geode will not read; `path` says where."""

    def __init__(self, path: str, message: str, code: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
        self.code = code


# --- Encodings and error positions -------------------------------------------------

_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "UTF-32 (little-endian, with a byte order mark)"),
    (codecs.BOM_UTF32_BE, "UTF-32 (big-endian, with a byte order mark)"),
    (codecs.BOM_UTF16_LE, "UTF-16 (little-endian, with a byte order mark)"),
    (codecs.BOM_UTF16_BE, "UTF-16 (big-endian, with a byte order mark)"),
)


def encoding_problem(head: bytes) -> str | None:
    """What is wrong with a document's encoding, judged by its first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return (
            "the file starts with a UTF-8 byte order mark (BOM), which JSON does not allow; "
            "save it as UTF-8 without BOM"
        )
    named = next((name for bom, name in _BOMS if head.startswith(bom)), None)
    if named is None and len(head) >= 2 and (head[0] == 0) != (head[1] == 0):
        # JSON text starts with an ASCII character: a NUL beside it means 16 or 32 bits.
        wide = "UTF-32" if len(head) >= 4 and head.count(0, 0, 4) == 3 else "UTF-16"
        named = f"{wide} ({'big' if head[0] == 0 else 'little'}-endian)"
    if named is None:
        return None
    return f"the file is encoded as {named}; JSON files must be UTF-8: convert it (iconv -t UTF-8)"


@dataclass(frozen=True, slots=True)
class Position:
    offset: int  # bytes before the position
    line: int
    column: int  # characters, from 1

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column} (byte {self.offset})"


class _Locator:
    """A reader that counts lines and characters as it serves bytes, and serves
    them one at a time from `slow_from` on, so a parser fails right at the byte
    it refuses."""

    def __init__(self, raw: IO[bytes], slow_from: int) -> None:
        self.raw = raw
        self.slow_from = slow_from
        self.offset = 0
        self.lines = 0
        self.column_chars = 0
        self.before_last = Position(0, 1, 1)

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        if self.offset >= self.slow_from:
            size = 1
        elif size < 0 or self.offset + size > self.slow_from:
            size = self.slow_from - self.offset
        self.before_last = self.position()
        piece = self.raw.read(size)
        self.offset += len(piece)
        newline = piece.rfind(b"\n")
        if newline >= 0:
            self.lines += piece.count(b"\n")
            self.column_chars = _characters(piece[newline + 1 :])
        else:
            self.column_chars += _characters(piece)
        return piece

    def position(self) -> Position:
        return Position(self.offset, self.lines + 1, self.column_chars + 1)


def _characters(piece: bytes) -> int:
    # UTF-8 continuation bytes (0x80-0xBF) do not start a character.
    return len(piece.translate(None, _CONTINUATION))


_CONTINUATION: Final = bytes(range(0x80, 0xC0))


def locate_error(source: Any, near: int) -> Position:
    """Where the parser stops on `source` (a path, bytes or a seekable stream),
    parsing byte by byte from `near` on.

    Only called once a pass has failed: it parses the input again, so the cost
    of a precise position is paid by broken files alone.
    """
    with _opened(source) as raw:
        locator = _Locator(raw, max(0, near))
        try:
            for _ in events_of(locator):  # type: ignore[arg-type]
                pass
        except (ijson.JSONError, UnicodeDecodeError):
            pass
        return locator.before_last


def position_at(source: Any, offset: int) -> Position:
    with _opened(source) as raw:
        locator = _Locator(raw, 1 << 62)
        while locator.offset < offset and locator.read(min(1 << 20, offset - locator.offset)):
            pass
        return locator.position()


def utf8_error(source: Any, up_to: int) -> int | None:
    """The offset of the first byte that is not valid UTF-8, looking at the first
    `up_to` bytes and a few beyond (a parser may notice a bad sequence late)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    limit = up_to + 8
    with _opened(source) as raw:
        offset = 0
        while offset < limit:
            piece = raw.read(min(1 << 20, limit - offset))
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(piece, final=not piece)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start
            if not piece:
                break
            offset += len(piece)
    return None


class _opened:
    """A path opened for reading, or a seekable stream rewound (and left open)."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.stream: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        if isinstance(self.source, bytes):
            return io.BytesIO(self.source)
        if hasattr(self.source, "read"):
            self.source.seek(0)
            return self.source  # type: ignore[no-any-return]
        self.stream = open(self.source, "rb")  # closed in __exit__
        return self.stream

    def __exit__(self, *_exc: object) -> None:
        if self.stream is not None:
            self.stream.close()


def syntax_message(error: BaseException) -> str:
    """The parser's reason, on one line and without its echo of the input."""
    text = error.args[0] if error.args else str(error)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if isinstance(error, UnicodeDecodeError):
        return "invalid UTF-8"
    first = str(text).strip().splitlines()[0] if str(text).strip() else type(error).__name__
    return first.removeprefix("parse error: ").removeprefix("lexical error: ").rstrip(".")


# --- Unpaired surrogate escapes ----------------------------------------------------
# "\ud800" alone is half a character: msgspec refuses it, and ijson's C backend
# turns a lone high half into "?" (a low one into a UnicodeDecodeError), so the
# text is looked at directly. Rare: a quick test finds texts that hold no such
# escape at all (escaped emoji are pairs, and pass).
_SURROGATE = re.compile(rb"(\\+)u[dD]([89abAB]|[c-fC-F])[0-9a-fA-F]{2}")
_MAYBE_SURROGATE = (b"\\ud", b"\\uD")


def may_hold_surrogate(text: bytes) -> bool:
    return _MAYBE_SURROGATE[0] in text or _MAYBE_SURROGATE[1] in text


def lone_surrogate(text: bytes) -> int | None:
    """The offset of the first surrogate escape in `text` that is not half of a
    pair (a high half followed at once by a low half)."""
    return next((offset for offset, _ in _lone_surrogates(text)), None)


def _lone_surrogates(text: bytes) -> Iterator[tuple[int, bool]]:
    """(offset, whether it is a high half left open by the end of `text`)."""
    pending_high: int | None = None  # offset of a high half awaiting its low half
    expected_at = -1
    for match in _SURROGATE.finditer(text):
        if len(match.group(1)) % 2 == 0:
            continue  # "\\ud800": an escaped backslash, then text
        start = match.start() + len(match.group(1)) - 1
        high = match.group(2) in b"89abAB"
        if pending_high is not None:
            paired = not high and start == expected_at
            if not paired:
                yield pending_high, False
            pending_high = None
            if paired:
                continue
        if not high:
            yield start, False
        else:
            pending_high, expected_at = start, match.end()
    if pending_high is not None:  # a low half may yet follow, if `text` is cut short
        yield pending_high, expected_at + 6 > len(text)


def find_lone_surrogate(source: Any, piece: int = 1 << 20) -> int | None:
    """`lone_surrogate` over a whole file, read in pieces that overlap so that no
    escape (nor the backslashes before it) is cut."""
    overlap = 64
    with _opened(source) as raw:
        base = 0  # file offset of buffer[0]
        buffer = b""
        while True:
            more = raw.read(piece)
            buffer += more
            for offset, open_at_end in _lone_surrogates(buffer):
                if base and offset < overlap // 2:
                    continue  # judged with more context in the previous round
                if open_at_end and more:
                    break  # its low half may come with the next piece
                return base + offset
            if not more:
                return None
            keep = min(overlap, len(buffer))
            base += len(buffer) - keep
            buffer = buffer[-keep:] if keep else b""


def surrogate_message(position: Position) -> str:
    return (
        f"a string at {position} holds an unpaired surrogate escape (\\ud800 to \\udfff "
        "without its other half), which is not a character; remove it or write the "
        "character itself"
    )
