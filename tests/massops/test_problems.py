"""Reports for operations msgspec rejects: every problem, with paths and plain messages."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec import inspect as mi

from geode.assembly.intents import intent_registry
from geode.massops.problems import Problem, operation_path, suggest
from geode.massops.problems import explain_operation as explain

HEX_ID = "0123456789abcdef01234567"
CODES = {
    "invalid_file", "invalid_version", "not_an_object", "missing_intent", "unknown_intent",
    "unknown_field", "missing_field", "invalid_type", "invalid_value",
}  # fmt: skip
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


INTENTS = intent_registry.intents
Operation = intent_registry.operation


def explain_operation(index: int, raw: object) -> list[Problem]:
    return explain(index, raw, intent_registry)


def converts(raw: object) -> bool:
    try:
        msgspec.convert(raw, Operation)
    except Exception:
        return False
    return True


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def at(problems: list[Problem], path: str) -> Problem:
    found = [p for p in problems if p.path == path]
    assert len(found) == 1, (path, problems)
    return found[0]


def order(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "intent": "order/upsert",
        "customer": {"identifier": "c-1"},
        "cart": [{"name": "Mug", "quantity": 1, "price": {"currency": "EUR", "gross": 12}}],
    }
    return base | fields


# -- helpers -------------------------------------------------------------------------


def test_operation_path_uses_dots_indexes_and_quotes_odd_names() -> None:
    assert operation_path(3) == "$.operations[3]"
    assert operation_path(3, "cart", 0, "sku") == "$.operations[3].cart[0].sku"
    assert operation_path(0, "_ref") == "$.operations[0]._ref"
    assert operation_path(0, "a b") == '$.operations[0]["a b"]'


def test_suggest_finds_close_words_only() -> None:
    assert suggest("emial", ["email", "phone"]) == "email"
    assert suggest("EMAIL", ["email", "phone"]) == "email"
    assert suggest("zzzz", ["email", "phone"]) is None
    assert suggest("x", []) is None


def test_problem_as_dict() -> None:
    problem = Problem(1, "order/upsert", "$.operations[1].cart", "oops", "invalid_type")
    assert problem.as_dict() == {
        "index": 1,
        "intent": "order/upsert",
        "path": "$.operations[1].cart",
        "message": "oops",
        "code": "invalid_type",
    }


# -- the operation envelope ----------------------------------------------------------


def test_valid_operation_has_no_problems() -> None:
    assert explain_operation(0, order()) == []
    assert explain_operation(0, {"intent": "customer/upsert", "identifier": "c"}) == []


@pytest.mark.parametrize("raw", [[1, 2], "customer/upsert", 42, None, True])
def test_operation_that_is_not_an_object(raw: object) -> None:
    problem = only(explain_operation(4, raw))
    assert (problem.code, problem.path, problem.intent) == (
        "not_an_object",
        "$.operations[4]",
        None,
    )
    assert "must be an object" in problem.message


def test_missing_intent_lists_the_valid_ones() -> None:
    problem = only(explain_operation(0, {"identifier": "c"}))
    assert (problem.code, problem.path) == ("missing_intent", "$.operations[0].intent")
    assert all(intent in problem.message for intent in INTENTS)


def test_unknown_intent_suggests_the_closest_and_lists_all() -> None:
    problem = only(explain_operation(1, {"intent": "customer/upsertt", "identifier": "c"}))
    assert (problem.code, problem.path, problem.intent) == (
        "unknown_intent",
        "$.operations[1].intent",
        None,
    )
    assert "unknown intent 'customer/upsertt'; did you mean 'customer/upsert'?" in problem.message
    assert all(intent in problem.message for intent in INTENTS)


def test_intent_that_is_not_a_string() -> None:
    problem = only(explain_operation(0, {"intent": 7}))
    assert (problem.code, problem.path) == ("invalid_type", "$.operations[0].intent")
    assert "a number (7)" in problem.message


# -- fields --------------------------------------------------------------------------


def test_unknown_field_with_suggestion() -> None:
    problem = only(
        explain_operation(0, {"intent": "customer/upsert", "identifier": "c", "emial": "a@b.co"})
    )
    assert (problem.code, problem.path, problem.intent) == (
        "unknown_field",
        "$.operations[0].emial",
        "customer/upsert",
    )
    assert problem.message == "unknown field 'emial' on customer/upsert; did you mean 'email'?"


def test_unknown_field_without_suggestion_lists_allowed_fields() -> None:
    problem = only(explain_operation(0, {"intent": "customer/upsert", "identifier": "c", "zzz": 1}))
    assert problem.code == "unknown_field"
    assert "allowed fields:" in problem.message
    assert "identifier" in problem.message and "_ref" in problem.message


def test_ref_without_underscore_suggests_underscore_ref() -> None:
    problem = only(
        explain_operation(0, {"intent": "customer/upsert", "identifier": "c", "ref": "a"})
    )
    assert "did you mean '_ref'?" in problem.message


def test_missing_required_field() -> None:
    problem = only(explain_operation(0, {"intent": "customer/upsert"}))
    assert (problem.code, problem.path) == ("missing_field", "$.operations[0].identifier")
    assert problem.message == "'identifier' is required"


def test_wrong_types() -> None:
    raw = {"intent": "customer/upsert", "identifier": 42, "addresses": {"type": "billing"}}
    problems = explain_operation(0, raw)
    identifier = at(problems, "$.operations[0].identifier")
    assert identifier.code == "invalid_type"
    assert identifier.message == "expected a string, got a number (42)"
    addresses = at(problems, "$.operations[0].addresses")
    assert addresses.message.startswith("expected a list")
    assert addresses.message.endswith("got an object")


def test_money_written_as_text() -> None:
    raw = order(total={"currency": "EUR", "gross": "12,50"})
    problem = only(explain_operation(0, raw))
    assert (problem.code, problem.path) == ("invalid_type", "$.operations[0].total.gross")
    assert "expected a number, got a string ('12,50'); write money as a JSON number" in (
        problem.message
    )


def test_numeric_text_is_accepted_like_msgspec_does() -> None:
    # msgspec.convert reads "12.50" into a Decimal, so it is not a problem.
    assert explain_operation(0, order(total={"currency": "EUR", "gross": "12.50"})) == []


def test_booleans_are_not_numbers() -> None:
    cart = [{"name": "Mug", "quantity": True}]
    problem = only(explain_operation(0, order(cart=cart)))
    assert (problem.code, problem.path) == ("invalid_type", "$.operations[0].cart[0].quantity")
    assert "got a boolean (true)" in problem.message


def test_decimal_float_and_int_are_numbers() -> None:
    cart = [
        {"name": "a", "quantity": 1, "price": {"currency": "EUR", "gross": Decimal("1.5")}},
        {"name": "b", "quantity": 2, "price": {"currency": "EUR", "gross": 2}},
        {"name": "c", "quantity": 3, "price": {"currency": "EUR", "gross": 2.5}},
    ]
    assert explain_operation(0, order(cart=cart)) == []


def test_enum_value_with_synonym() -> None:
    raw = {"intent": "customer/create", "identifier": "c", "addresses": [{"type": "shipping"}]}
    problem = only(explain_operation(0, raw))
    assert (problem.code, problem.path) == ("invalid_value", "$.operations[0].addresses[0].type")
    assert problem.message == (
        "'shipping' is not one of billing, delivery, other; did you mean 'delivery'?"
    )


def test_enum_value_with_typo() -> None:
    problem = only(explain_operation(0, order(paymentStatus="payed")))
    assert problem.path == "$.operations[0].paymentStatus"
    assert "did you mean 'paid'?" in problem.message


def test_id_pattern() -> None:
    raw = {"intent": "order/update", "id": "abc"}
    problem = only(explain_operation(0, raw))
    assert (problem.code, problem.path) == ("invalid_value", "$.operations[0].id")
    assert problem.message == (
        "'abc' is not an id: ids are 24 lowercase hex characters (or a {{ ref.field }} template)"
    )
    assert explain_operation(0, {"intent": "order/update", "id": "{{ o1.id }}"}) == []


def test_email_pattern() -> None:
    raw = {"intent": "customer/upsert", "identifier": "c", "email": "x"}
    problem = only(explain_operation(0, raw))
    assert (problem.code, problem.message) == ("invalid_value", "'x' is not an email address")


def test_empty_string() -> None:
    problem = only(explain_operation(0, {"intent": "customer/upsert", "identifier": ""}))
    assert (problem.code, problem.message) == ("invalid_value", "must not be empty")


@pytest.mark.parametrize("ref", ["", "1abc", "a b", 5])
def test_invalid_ref(ref: object) -> None:
    problem = only(
        explain_operation(0, {"intent": "customer/upsert", "identifier": "c", "_ref": ref})
    )
    assert problem.path == "$.operations[0]._ref"
    assert "a _ref must be a non-empty name of letters, digits, _ or -" in problem.message


# -- __post_init__ checks, found through msgspec ---------------------------------------


def test_post_init_date_check_is_reported_at_the_struct() -> None:
    raw = {"intent": "customer/upsert", "identifier": "c", "birthDate": "yesterday"}
    problem = only(explain_operation(5, raw))
    assert (problem.code, problem.path) == ("invalid_value", "$.operations[5]")
    assert "`birthDate` is 'yesterday', not a date" in problem.message
    assert " - at " not in problem.message


def test_post_init_negative_quantity_in_a_cart_line() -> None:
    cart = [{"name": "a", "quantity": 1}, {"name": "b", "quantity": -2}]
    problem = only(explain_operation(2, order(cart=cart)))
    assert (problem.code, problem.path) == ("invalid_value", "$.operations[2].cart[1].quantity")
    assert problem.message == (
        "-2 is too small; a quantity is a whole number from 0 to 1,000,000,000"
    )


def test_post_init_order_update_needs_a_key() -> None:
    problem = only(explain_operation(0, {"intent": "order/update", "type": "standard"}))
    assert (problem.code, problem.path) == ("invalid_value", "$.operations[0]")
    assert "needs `id` or `resourceIdentifier`" in problem.message


def test_not_a_finite_number_does_not_crash() -> None:
    cart = [{"name": "a", "quantity": Decimal("NaN")}]
    problem = only(explain_operation(0, order(cart=cart)))
    assert (problem.code, problem.path) == ("invalid_value", "$.operations[0].cart[0].quantity")
    assert "not a finite number" in problem.message


# -- many problems at once ---------------------------------------------------------


def test_every_problem_of_an_operation_is_reported() -> None:
    raw = {
        "intent": "customer/upsert",
        "emial": "a@b.co",
        "email": "nope",
        "firstName": 42,
        "addresses": [{"type": "shipping"}, {"city": "Oslo"}],
        "_ref": "",
    }
    problems = explain_operation(0, raw)
    found = {(p.path, p.code) for p in problems}
    assert found == {
        ("$.operations[0].emial", "unknown_field"),
        ("$.operations[0].email", "invalid_value"),
        ("$.operations[0].firstName", "invalid_type"),
        ("$.operations[0].addresses[0].type", "invalid_value"),
        ("$.operations[0].addresses[1].type", "missing_field"),
        ("$.operations[0]._ref", "invalid_value"),
        ("$.operations[0].identifier", "missing_field"),
    }
    assert all(p.intent == "customer/upsert" and p.index == 0 for p in problems)


def test_nested_cart_line_problems() -> None:
    cart = [
        {"name": "ok", "quantity": 1},
        {"name": "bad", "quantity": "lots", "qty": 1, "productId": "p1"},
        {"quantity": 1, "price": {"gross": "1,5", "currency": ""}},
    ]
    problems = explain_operation(2, order(cart=cart))
    assert at(problems, "$.operations[2].cart[1].quantity").code == "invalid_type"
    assert at(problems, "$.operations[2].cart[1].qty").code == "unknown_field"
    assert at(problems, "$.operations[2].cart[1].productId").code == "invalid_value"
    assert at(problems, "$.operations[2].cart[2].name").code == "missing_field"
    assert at(problems, "$.operations[2].cart[2].price.gross").code == "invalid_type"
    assert at(problems, "$.operations[2].cart[2].price.currency").message == "must not be empty"
    assert len(problems) == 6


def test_customer_inside_an_order() -> None:
    problems = explain_operation(0, order(customer={"identifer": "c"}))
    assert at(problems, "$.operations[0].customer.identifer").message.endswith(
        "did you mean 'identifier'?"
    )
    assert at(problems, "$.operations[0].customer.identifier").code == "missing_field"


# -- properties ----------------------------------------------------------------------

DATE_FIELDS = {"birthDate", "createdAt", "start", "end"}


def valid_values(info: mi.Type, name: str = "") -> st.SearchStrategy[Any]:
    """Values msgspec accepts, generated from the same type info the explainer walks."""
    while isinstance(info, mi.Metadata):
        info = info.type
    if isinstance(info, mi.UnionType):
        return st.one_of([valid_values(member, name) for member in info.types])
    if isinstance(info, mi.NoneType):
        return st.none()
    if isinstance(info, mi.LiteralType):
        return st.sampled_from(info.values)
    if isinstance(info, mi.DecimalType):
        money = st.decimals(min_value=0, max_value=10**6, places=2)
        return st.integers(0, 10**6) | money
    if isinstance(info, mi.ListType):
        return st.lists(valid_values(info.item_type, name), max_size=2)
    if isinstance(info, mi.StructType):
        fields = {f.encode_name: valid_values(f.type, f.encode_name) for f in info.fields}
        required = {k: v for k, v in fields.items() if k in _required(info)}
        optional = {k: v for k, v in fields.items() if k not in required}
        if info.tag_field is not None:
            required[info.tag_field] = st.just(info.tag)
        return st.fixed_dictionaries(required, optional=optional)
    assert isinstance(info, mi.StrType), info
    if name in DATE_FIELDS:
        return st.sampled_from(["2024-05-01", "2024-05-01T12:30:00Z", "{{ o1.createdAt }}"])
    if name in {"email"}:
        return st.sampled_from(["a@b.co", "{{ c1.email }}"])
    if info.pattern is not None and name == "_ref":
        return st.from_regex(r"[A-Za-z_][A-Za-z0-9_\-]{0,6}", fullmatch=True)
    if info.pattern is not None:
        return st.sampled_from([HEX_ID, "{{ o1.id }}"])
    return st.text(min_size=info.min_length or 0, max_size=8)


def _required(info: mi.StructType) -> set[str]:
    return {f.encode_name for f in info.fields if f.required}


# The catalogue's intents hold recursive component definitions, which this generator
# would expand forever; they have property tests of their own (tests/catalogue).
GENERATED = {k: v for k, v in INTENTS.items() if k.startswith(("customer/", "order/"))}
VALID_OPERATIONS = st.one_of(
    [valid_values(mi.type_info(cls)) for cls in GENERATED.values()]
).filter(converts)
KEYS = sorted(
    {f.encode_name for cls in INTENTS.values() for f in mi.type_info(cls).fields}  # type: ignore[attr-defined]
    | {"name", "quantity", "price", "gross", "currency", "type", "intent", "id"}
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.sampled_from(["", "-1", "12,50", HEX_ID, "a@b.co", "shipping", *INTENTS])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def containers(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Paths of every object and list inside `value`, the root included."""
    found: list[tuple[str | int, ...]] = []
    if isinstance(value, dict | list):
        found.append(path)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            found.extend(containers(item, (*path, key)))
    return found


def get(value: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def mutate(data: st.DataObject, raw: dict[str, Any]) -> tuple[str | int, ...]:
    """Replace, remove or add one thing somewhere (never the intent); return where."""
    target_path = data.draw(st.sampled_from(containers(raw)))
    target = get(raw, target_path)
    keys = [k for k in (target if isinstance(target, dict) else range(len(target)))]
    if not target_path:
        keys = [k for k in keys if k != "intent"]
    action = data.draw(st.sampled_from(["replace", "remove", "add"]))
    if action == "add" and isinstance(target, dict):
        key = data.draw(st.sampled_from(KEYS) | st.text(min_size=1, max_size=4))
        if not target_path and key == "intent":
            key = "zzz"
        target[key] = data.draw(JSON)
        return (*target_path, key)
    if not keys:
        return target_path
    key = data.draw(st.sampled_from(keys))
    if action == "remove" and isinstance(target, dict):
        del target[key]
    else:
        target[key] = data.draw(JSON)
    return (*target_path, key)


def check_contract(index: int, raw: object) -> list[Problem]:
    problems = explain_operation(index, raw)
    if converts(raw):
        assert problems == []
    else:
        assert problems, raw
    for problem in problems:
        assert problem.code in CODES
        assert problem.index == index
        assert problem.path.startswith(operation_path(index))
        assert problem.message
    return problems


def related(a: str, b: str) -> bool:
    """One path is the other or lies inside it."""
    short, long = sorted((a, b), key=len)
    return long == short or (long.startswith(short) and long[len(short)] in ".[")


@PROPERTY
@given(VALID_OPERATIONS)
def test_generated_operations_are_valid(raw: dict[str, Any]) -> None:
    assert explain_operation(0, raw) == []


@PROPERTY
@given(VALID_OPERATIONS, st.integers(0, 10**6))
def test_one_extra_field_is_the_only_problem(raw: dict[str, Any], index: int) -> None:
    # The walk must not report anything in the valid rest of the operation.
    problem = only(explain_operation(index, raw | {"zzz": 1}))
    assert (problem.code, problem.path) == ("unknown_field", operation_path(index, "zzz"))


@PROPERTY
@given(VALID_OPERATIONS, st.data())
def test_one_mutation_is_reported_near_where_it_happened(
    raw: dict[str, Any], data: st.DataObject
) -> None:
    raw = copy.deepcopy(raw)
    where = operation_path(7, *mutate(data, raw))
    for problem in check_contract(7, raw):
        assert related(problem.path, where), (problem, where)


@PROPERTY
@given(VALID_OPERATIONS, st.data(), st.integers(1, 4))
def test_several_mutations_keep_the_contract(
    raw: dict[str, Any], data: st.DataObject, count: int
) -> None:
    raw = copy.deepcopy(raw)
    for _ in range(count):
        mutate(data, raw)
    check_contract(0, raw)


@PROPERTY
@given(JSON)
def test_arbitrary_json_values_keep_the_contract(raw: object) -> None:
    check_contract(3, raw)


@PROPERTY
@given(st.sampled_from(sorted(INTENTS)), st.dictionaries(st.sampled_from(KEYS), JSON, max_size=6))
def test_arbitrary_fields_for_a_known_intent_keep_the_contract(
    intent: str, fields: dict[str, Any]
) -> None:
    problems = check_contract(1, fields | {"intent": intent})
    assert all(p.intent == intent for p in problems)
