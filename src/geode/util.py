"""Small helpers with no better home."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The bulk path allocates millions of short-lived objects and no cycles;
    the cyclic collector would spend a third of the run scanning them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def collect_batch_garbage() -> None:
    """Free what the batch just finished left in reference cycles, while the collector
    is paused. SQLAlchemy statements built per batch (an `IN` list of the batch's keys,
    say) are such cycles: left alone, a 400k-operation catalogue run kept every batch's
    statements and keys, and its main process grew by about 65 MB. With the collector
    paused, everything allocated since the last collection is in the youngest
    generation and nothing else is: collecting it looks at one batch's objects, not
    at the whole heap (a few ms a batch)."""
    gc.collect(0)


# Words that start with a vowel letter but a consonant sound ("a unique", "a one").
_CONSONANT_SOUND = ("uni", "use", "usu", "uti", "one", "eu")


def with_article(word: str) -> str:
    """The word after "a" or "an" as it is said: messages name kinds and types built at
    run time, and "recorded as a adjustment" reads like a bug to the user who gets it."""
    if len(word) > 1 and word.isupper():  # an acronym is read letter by letter
        return f"{'an' if word[0] in 'AEFHILMNORSX' else 'a'} {word}"
    lower = word.lower()
    vowel = lower[:1] in ("a", "e", "i", "o", "u") and not lower.startswith(_CONSONANT_SOUND)
    return f"{'an' if vowel else 'a'} {word}"
