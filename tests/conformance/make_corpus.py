"""Writes the conformance corpus, tests/conformance/corpus/*.json, from the cases below.

    .venv/bin/python -m tests.conformance.make_corpus

Edit the cases here, not the JSON: a test fails when the files are not what this
writes. Each family gets, per intent, valid operations (the minimum the reference
requires, and most fields) and invalid ones derived from them: each required
field missing, an enum value the reference does not know, a wrong type, a bad
24-hex id. `expect` is the reference's verdict (the test checks it is); a case
where Geode deliberately differs names its entry of `differences.DIFFERENCES`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.conformance.corpus_catalogue import CATALOGUE
from tests.conformance.corpus_commerce import COMMERCE
from tests.conformance.corpus_operations import DELETE, Intent

CORPUS_DIR = Path(__file__).parent / "corpus"
VERSION = "1.0.0"
FAMILIES: dict[str, list[Intent]] = {**COMMERCE, **CATALOGUE}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_OPERATION = '{"intent": "customer/create", "identifier": "ada"}'
# Whole files, as text: the envelope, and what only raw JSON can say (a repeated key).
ENVELOPE: list[Case] = [
    {"name": "version x.y.z", "expect": "valid",
     "text": f'{{"version": "1.0.0", "operations": [{_OPERATION}]}}'},
    *(
        {"name": f"version {version!r}", "expect": "valid", "difference": "version-pattern",
         "text": f'{{"version": "{version}", "operations": [{_OPERATION}]}}'}
        for version in ("1", "1.2", "*", "1.*", "1.2.*")
    ),
    *(
        {"name": f"version {version!r}", "expect": "invalid",
         "text": f'{{"version": "{version}", "operations": [{_OPERATION}]}}'}
        for version in ("v1", "1.0.0.0", "1.0.0-beta", "", "1..0")
    ),
    {"name": "version as a number", "expect": "invalid",
     "text": f'{{"version": 1, "operations": [{_OPERATION}]}}'},
    {"name": "no version", "expect": "invalid", "text": f'{{"operations": [{_OPERATION}]}}'},
    {"name": "no operations", "expect": "invalid", "text": '{"version": "1.0.0"}'},
    {"name": "operations not a list", "expect": "invalid",
     "text": f'{{"version": "1.0.0", "operations": {_OPERATION}}}'},
    {"name": "an empty list of operations", "expect": "valid", "difference": "empty-file",
     "text": '{"version": "1.0.0", "operations": []}'},
    {"name": "an envelope field the reference does not know", "expect": "valid",
     "difference": "unknown-keys",
     "text": f'{{"version": "1.0.0", "operations": [{_OPERATION}], "author": "ada"}}'},
    {"name": "a key repeated in an operation", "expect": "valid", "difference": "duplicate-keys",
     "text": '{"version": "1.0.0", "operations": '
             '[{"intent": "customer/create", "identifier": "ada", "identifier": "bob"}]}'},
    {"name": "an operation of no known intent", "expect": "invalid",
     "text": '{"version": "1.0.0", "operations": [{"intent": "customer/delete", "identifier": "a"}]}'},
]  # fmt: skip

Case = dict[str, Any]


def _set(operation: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `operation` with the dotted `path` (list indexes as numbers) set,
    or removed when `value` is `DELETE`."""
    result = copy.deepcopy(operation)
    *parents, last = path.split(".")
    node: Any = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        if value is DELETE:
            del node[int(last)]
        else:
            node[int(last)] = value
    elif value is DELETE:
        del node[last]
    else:
        node[last] = value
    return result


def _case(name: str, expect: str, operation: dict[str, Any], difference: str | None) -> Case:
    case: Case = {"name": name, "expect": expect}
    if difference:
        case["difference"] = difference
    case["operation"] = operation
    return case


def intent_cases(spec: Intent) -> Iterable[Case]:
    full = {**spec.minimal, **spec.extra}
    yield _case(f"{spec.intent}: minimal", "valid", {"intent": spec.intent, **spec.minimal}, None)
    if spec.extra:
        yield _case(f"{spec.intent}: most fields", "valid", {"intent": spec.intent, **full}, None)
    base = {"intent": spec.intent, **full}
    for path in spec.required:
        yield _case(f"{spec.intent}: without {path}", "invalid", _set(base, path, DELETE), None)
    for path, value in spec.enums.items():
        yield _case(
            f"{spec.intent}: {path} {json.dumps(value)} is not one of its values",
            "invalid", _set(base, path, value), None,
        )  # fmt: skip
    for path, value in spec.wrong.items():
        yield _case(
            f"{spec.intent}: {path} {json.dumps(value)[:40]}",
            "invalid",
            _set(base, path, value),
            None,
        )
    for name, expect, changes, difference in spec.cases:
        operation = base
        for path, value in changes.items():
            operation = _set(operation, path, value)
        yield _case(f"{spec.intent}: {name}", expect, operation, difference)


def family_file(intents: list[Intent]) -> dict[str, Any]:
    """Every case of the family; a well-formed `_ref` made unique (a file declares each once)."""
    cases = [case for spec in intents for case in intent_cases(spec)]
    for number, case in enumerate(cases):
        ref = case["operation"].get("_ref")
        if isinstance(ref, str) and _NAME.match(ref):
            case["operation"]["_ref"] = f"{ref}_{number}"
    return {"version": VERSION, "cases": cases}


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, ensure_ascii=True) + "\n"


def expected_files() -> dict[str, str]:
    files = {f"{family}.json": render(family_file(intents)) for family, intents in FAMILIES.items()}
    files["envelope.json"] = render({"cases": ENVELOPE})
    return files


def main() -> None:
    CORPUS_DIR.mkdir(exist_ok=True)
    for name, text in expected_files().items():
        (CORPUS_DIR / name).write_text(text)
        print(f"wrote {CORPUS_DIR / name}: {len(json.loads(text)['cases'])} cases")


if __name__ == "__main__":
    main()
