"""`{{ ref.field }}` templates: parsing, finding, rendering and writing back into operations."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geode.assembly.intents import intent_registry
from geode.customers.intents import CustomerUpsert
from geode.massops.templates import (
    Reference,
    TemplateError,
    compile_template,
    find_templates,
    iter_references,
    may_hold_templates,
    parse_template,
    render,
    set_path,
)
from geode.orders.intents import OrderUpsert

PROPERTY = settings(max_examples=200, deadline=None)

# What the grammar allows: a _ref may contain '-', a field (and each dotted part) may not.
REF_NAMES = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_\-]{0,15}\Z")
FIELD_PARTS = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,15}\Z")
FIELDS = st.lists(FIELD_PARTS, min_size=1, max_size=4).map(".".join)
NO_BRACES = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=30)


def lookup_from(values: dict[tuple[str, str], object]) -> Any:
    def lookup(reference: Reference) -> object:
        try:
            return values[(reference.ref, reference.field)]
        except KeyError:
            raise TemplateError(f"{reference} cannot be resolved") from None

    return lookup


# -- parse_template ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ customer.id }}", [Reference("customer", "id")]),
        ("{{customer.id}}", [Reference("customer", "id")]),
        ("{{   c-1.identifier   }}", [Reference("c-1", "identifier")]),
        ("{{ o.total.gross }}", [Reference("o", "total.gross")]),
        ("{{ o.customer.identifier }}", [Reference("o", "customer.identifier")]),
        ("{{ _x.a_b.c1.d }}", [Reference("_x", "a_b.c1.d")]),
    ],
)
def test_parse_template_reads_ref_and_dotted_field(text: str, expected: list[Reference]) -> None:
    assert parse_template(text) == expected


def test_parse_template_finds_every_template_in_one_string_in_order() -> None:
    text = "order {{ o.id }} for {{ c.firstName }} {{ c.lastName }} ({{ o.total.gross }} EUR)"
    assert parse_template(text) == [
        Reference("o", "id"),
        Reference("c", "firstName"),
        Reference("c", "lastName"),
        Reference("o", "total.gross"),
    ]


def test_parse_template_of_plain_text_is_empty() -> None:
    assert parse_template("just text, {single} braces are fine") == []


@pytest.mark.parametrize(
    "text",
    [
        "{{ }}",
        "{{}}",
        "{{ name }}",
        "{{name}}",
        "{{ 1abc.id }}",
        "{{ -abc.id }}",
        "{{ a. }}",
        "{{ .id }}",
        "{{ a..b }}",
        "{{ a.b-c }}",
        "{{ a.b c }}",
        "{{ a.1b }}",
        "{{{ a.b }}",
        "prefix {{ ok.id }} then {{ bad }}",
    ],
)
def test_parse_template_refuses_malformed_templates(text: str) -> None:
    with pytest.raises(TemplateError, match="malformed"):
        parse_template(text)


@pytest.mark.parametrize(
    "text",
    ["{{ a.b", "a.b }}", "}} {{ a.b", "{{ a.b }} and {{ c.d", "x {{ a.b }} }}", "{{ a.b\n}}"],
)
def test_parse_template_refuses_unbalanced_braces(text: str) -> None:
    with pytest.raises(TemplateError, match="unbalanced"):
        parse_template(text)


def test_template_error_is_a_value_error() -> None:
    # Validation reports it as a problem; callers that catch ValueError still see it.
    with pytest.raises(ValueError):
        parse_template("{{ nope }}")


def test_reference_str_is_the_canonical_template() -> None:
    assert str(Reference("c1", "total.gross")) == "{{ c1.total.gross }}"


@PROPERTY
@given(
    ref=REF_NAMES,
    field=FIELDS,
    left=st.sampled_from(["", " ", "  "]),
    right=st.sampled_from(["", " ", "\t"]),
)
def test_parse_template_round_trips_names(ref: str, field: str, left: str, right: str) -> None:
    reference = Reference(ref, field)
    assert parse_template(str(reference)) == [reference]
    assert parse_template("{{" + left + f"{ref}.{field}" + right + "}}") == [reference]


# -- find_templates ---------------------------------------------------------------------


def test_find_templates_gives_paths_into_nested_dicts_and_lists() -> None:
    operation = {
        "intent": "order/upsert",
        "customer": {"identifier": "{{ c.identifier }}", "firstName": "Ann"},
        "cart": [
            {"name": "Mug", "quantity": 1, "sku": "plain"},
            {
                "name": "Gift for {{ c.firstName }}",
                "quantity": 2,
                "meta": [{"key": "k", "value": "{{ c.id }}"}],
            },
        ],
        "relatedOrderIds": ["0123456789abcdef01234567", "{{ o.id }}"],
        "total": {"currency": "EUR", "gross": 12.5},
        "paymentStatus": None,
    }
    found = find_templates(operation)
    assert sorted(found, key=repr) == sorted(
        [
            (("customer", "identifier"), "{{ c.identifier }}"),
            (("cart", 1, "name"), "Gift for {{ c.firstName }}"),
            (("cart", 1, "meta", 0, "value"), "{{ c.id }}"),
            (("relatedOrderIds", 1), "{{ o.id }}"),
        ],
        key=repr,
    )


def test_find_templates_ignores_strings_without_templates_and_non_strings() -> None:
    operation = {
        "intent": "customer/upsert",
        "identifier": "c-1",
        "firstName": "single { brace }",
        "meta": [{"key": "n", "value": "1"}],
        "flag": True,
        "count": 3,
        "amount": Decimal("1.5"),
        "nothing": None,
    }
    assert find_templates(operation) == []


def test_find_templates_reports_half_templates_so_validation_can_refuse_them() -> None:
    found = find_templates({"identifier": "{{ c.id", "email": "x }}"})
    assert sorted(path for path, _ in found) == [("email",), ("identifier",)]
    for _path, text in found:
        with pytest.raises(TemplateError):
            parse_template(text)


def test_find_templates_on_a_bare_string_and_list() -> None:
    assert find_templates("{{ a.b }}") == [((), "{{ a.b }}")]
    assert find_templates(["x", "{{ a.b }}"]) == [((1,), "{{ a.b }}")]


def test_iter_references_yields_each_reference_of_each_template() -> None:
    templates = find_templates({"a": "{{ x.id }}-{{ y.id }}", "b": ["{{ z.total.gross }}"]})
    assert sorted(iter_references(templates), key=str) == sorted(
        [Reference("x", "id"), Reference("y", "id"), Reference("z", "total.gross")], key=str
    )


# -- render -----------------------------------------------------------------------------


def test_render_whole_string() -> None:
    lookup = lookup_from({("c", "id"): "0123456789abcdef01234567"})
    assert render("{{ c.id }}", lookup) == "0123456789abcdef01234567"


def test_render_inside_text_and_several_templates() -> None:
    lookup = lookup_from(
        {("c", "firstName"): "Ann", ("o", "id"): "abc", ("o", "total.gross"): "9.90"}
    )
    text = "Dear {{ c.firstName }}, order {{o.id}} costs {{ o.total.gross }}."
    assert render(text, lookup) == "Dear Ann, order abc costs 9.90."


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1E+2"), "100"),
        (Decimal("1.5E+3"), "1500"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("150.10"), "150.10"),
        (Decimal("0.00"), "0.00"),
    ],
)
def test_render_writes_decimals_without_exponent(value: Decimal, text: str) -> None:
    assert render("{{ o.total.gross }}", lookup_from({("o", "total.gross"): value})) == text


def test_render_stringifies_other_values() -> None:
    assert render("n={{ a.n }}", lookup_from({("a", "n"): 7})) == "n=7"


def test_render_propagates_the_lookup_error() -> None:
    with pytest.raises(TemplateError, match="cannot be resolved"):
        render("x {{ missing.id }}", lookup_from({}))


def test_render_does_not_interpret_backslashes_or_braces_in_values() -> None:
    value = r"a\1b\g<0>{{ x.y }}"
    assert render("[{{ a.b }}]", lookup_from({("a", "b"): value})) == f"[{value}]"


@PROPERTY
@given(ref=REF_NAMES, field=FIELDS, prefix=NO_BRACES, suffix=NO_BRACES, value=st.text(max_size=30))
def test_render_replaces_exactly_the_template(
    ref: str, field: str, prefix: str, suffix: str, value: str
) -> None:
    lookup = lookup_from({(ref, field): value})
    text = prefix + "{{ " + f"{ref}.{field}" + " }}" + suffix
    assert parse_template(text) == [Reference(ref, field)]
    assert render(text, lookup) == prefix + value + suffix


@PROPERTY
@given(prefix=NO_BRACES, suffix=NO_BRACES, value=st.text(max_size=30))
def test_render_fixed_reference_in_random_text(prefix: str, suffix: str, value: str) -> None:
    assert (
        render(prefix + "{{ a.b }}" + suffix, lookup_from({("a", "b"): value}))
        == prefix + value + suffix
    )


# -- compile_template: what the run uses --------------------------------------------------

SPACES = st.text(alphabet=" \t\u3000", max_size=3)


@PROPERTY
@given(
    parts=st.lists(st.tuples(NO_BRACES, REF_NAMES, FIELDS, SPACES, SPACES), min_size=1, max_size=3),
    tail=NO_BRACES,
    value=st.one_of(st.text(max_size=20), st.decimals(allow_nan=False, allow_infinity=False)),
)
def test_a_compiled_template_parses_and_renders_as_the_text_does(
    parts: list[tuple[str, str, str, str, str]], tail: str, value: object
) -> None:
    text = "".join(f"{p}{{{{{a}{ref}.{field}{b}}}}}" for p, ref, field, a, b in parts) + tail
    lookup = lookup_from({(ref, field): value for _, ref, field, _, _ in parts})
    template = compile_template(text)
    assert template.references == tuple(parse_template(text))
    assert template.render(lookup) == render(text, lookup)
    assert template.whole == (len(parts) == 1 and not parts[0][0] and not tail)


@pytest.mark.parametrize(
    "text", ["{{ a.b }}", "{{a.b}}", "{{ a-1.b.c }}", " {{ a.b }}", "{{ a.b }} "]
)
def test_only_a_value_that_is_one_template_renders_as_the_value_itself(text: str) -> None:
    whole = text.strip(" ") == text
    template = compile_template(text)
    assert template.whole == whole
    assert template.render(lookup_from({("a", "b"): 7, ("a-1", "b.c"): 7})) == text.replace(
        text.strip(" "), "7"
    )


def test_a_template_broken_by_a_newline_is_refused_as_the_text_is() -> None:
    with pytest.raises(TemplateError, match="unbalanced braces"):
        compile_template("{{ a.b\n}}")


# -- set_path on decoded operations -----------------------------------------------------


def test_set_path_on_struct_field() -> None:
    op = msgspec.convert(
        {"intent": "customer/upsert", "identifier": "{{ c.identifier }}"}, intent_registry.operation
    )
    assert isinstance(op, CustomerUpsert)
    set_path(op, ("identifier",), "c-1")
    assert op.identifier == "c-1"


def test_set_path_through_nested_structs_and_lists() -> None:
    raw = {
        "intent": "order/upsert",
        "_ref": "o1",
        "customer": {"identifier": "{{ c.identifier }}"},
        "cart": [
            {"name": "Mug", "quantity": 1},
            {
                "name": "Gift for {{ c.firstName }}",
                "quantity": 1,
                "meta": [{"key": "k", "value": "{{ c.id }}"}],
            },
        ],
        "relatedOrderIds": ["{{ o0.id }}"],
    }
    op = msgspec.convert(raw, intent_registry.operation)
    assert isinstance(op, OrderUpsert)
    lookup = lookup_from(
        {
            ("c", "identifier"): "c-1",
            ("c", "firstName"): "Ann",
            ("c", "id"): "cid",
            ("o0", "id"): "0123456789abcdef01234567",
        }
    )
    for path, text in find_templates(raw):
        set_path(op, path, render(text, lookup))
    assert op.customer.identifier == "c-1"
    assert op.cart[0].name == "Mug"
    assert op.cart[1].name == "Gift for Ann"
    assert op.cart[1].meta[0].value == "cid"  # type: ignore[index]
    assert op.relatedOrderIds == ["0123456789abcdef01234567"]
    assert op.ref == "o1"  # untouched


def test_set_path_maps_the_ref_key_to_its_attribute() -> None:
    op = msgspec.convert(
        {"intent": "customer/upsert", "identifier": "c", "_ref": "a"}, intent_registry.operation
    )
    set_path(op, ("_ref",), "b")
    assert op.ref == "b"
    assert msgspec.to_builtins(op)["_ref"] == "b"


def test_set_path_writes_list_items() -> None:
    target: list[Any] = ["a", ["b", "c"]]
    set_path(target, (1, 0), "B")
    assert target == ["a", ["B", "c"]]


# -- may_hold_templates: the parallel validation pass's gate -----------------------------

# Strings made of what matters here: braces, quotes, backslashes, NUL, commas.
TRICKY_TEXT = st.text(alphabet=st.sampled_from(list('{}"\\\x00,: ab.')), max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY_TEXT, inner, max_size=4),
    max_leaves=20,
)
_BRACE_STAND_INS = {"{": "\ue000", "}": "\ue001"}


def escaped_braces(value: Any) -> Any:
    """`value` with every brace in its strings swapped for a stand-in character,
    which `json.dumps` writes as an escape that is then turned into \\u007b / \\u007d."""
    if isinstance(value, str):
        return value.translate(str.maketrans(_BRACE_STAND_INS))
    if isinstance(value, list):
        return [escaped_braces(v) for v in value]
    if isinstance(value, dict):
        return {k: escaped_braces(v) for k, v in value.items()}
    return value


def json_texts(value: Any) -> list[bytes]:
    plain = json.dumps(value, ensure_ascii=False)
    escaped = json.dumps(escaped_braces(value)).replace("\\ue000", "\\u007b")
    return [
        plain.encode(),
        json.dumps(value, indent=1).encode(),
        escaped.replace("\\ue001", "\\u007D").encode(),
    ]


@PROPERTY
@given(value=JSON_VALUES)
def test_may_hold_templates_never_misses_what_find_templates_finds(value: Any) -> None:
    expected = find_templates(value)
    for text in json_texts(value):
        if not may_hold_templates(text):
            assert expected == []
        if b"\\" not in text and not braces_in_keys(value):  # else it may answer "maybe"
            assert may_hold_templates(text) == bool(expected), text


def braces_in_keys(value: Any) -> bool:
    if isinstance(value, list):
        return any(braces_in_keys(v) for v in value)
    if isinstance(value, dict):
        return any("{" in k or "}" in k or braces_in_keys(v) for k, v in value.items())
    return False


def test_may_hold_templates_looks_inside_strings_only() -> None:
    assert not may_hold_templates(b'{"a": {"b": {"c": 1}}, "d": [{"e": "x"}]}')
    assert may_hold_templates(b'{"a": {"b": "x }}"}}')
    assert may_hold_templates(b'{"a": "\\u007b\\u007b c.id }}"}')
    assert may_hold_templates(b'{"a": "A\\u0000B"}')
    # An escaped backslash before "u0000" is text, not a NUL: "maybe" is allowed,
    # and the search that follows finds nothing.
    assert find_templates(json.loads(b'{"a": "\\\\u0000 is text"}')) == []
