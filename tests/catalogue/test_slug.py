"""`slug`'s ASCII shortcut must give exactly what the full Unicode walk gives."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from geode.catalogue.intents.item_writer import slug


def _walked(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return re.sub(r"[\W_]+", "-", text).strip("-")


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_names_slug_as_the_unicode_walk_does(name: str) -> None:
    assert slug(name) == _walked(name)


@given(st.text())
def test_any_name_slugs_as_the_unicode_walk_does(name: str) -> None:
    assert slug(name) == _walked(name)


def test_accents_are_dropped_and_other_scripts_kept() -> None:
    assert slug("Crème Brûlée, 2 x") == "creme-brulee-2-x"
    assert slug("Ærlig kjøkken") == "ærlig-kjøkken"
    assert slug("日本語 テスト") == "日本語-テスト"
