"""Geode's `validate` agrees with the reference zod schema of @crystallize/schema 6.14.0.

Each corpus family (tests/conformance/corpus/<family>.json) becomes one file that
one node process judges operation by operation; Geode's validation judges the same
file, and the two must agree on every operation of an intent Geode implements, or
the case must name the documented difference (`differences.DIFFERENCES`) it shows.
For intents Geode does not implement yet, only the reference's verdict is checked
against the corpus, so those cases are ready when the intents land.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from geode.assembly.intents import intent_registry
from geode.massops.validation import validate_file
from tests.conformance.conftest import Reference
from tests.conformance.differences import DIFFERENCES
from tests.conformance.make_corpus import CORPUS_DIR, expected_files

FAMILIES = sorted(path.stem for path in CORPUS_DIR.glob("*.json") if path.stem != "envelope")
GEODE = Path(sys.executable).parent / "geode"


def known_intents() -> frozenset[str]:
    """The intents Geode implements; every other intent of the corpus is "not yet
    implemented" and only checked against the reference. The one place to change."""
    return frozenset(intent_registry.intents)


def _cases(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((CORPUS_DIR / f"{name}.json").read_text())["cases"]
    return cases


def _write_family(family: str, directory: Path) -> tuple[Path, list[dict[str, Any]]]:
    document = json.loads((CORPUS_DIR / f"{family}.json").read_text())
    path = directory / f"{family}.json"
    operations = [case["operation"] for case in document["cases"]]
    path.write_text(json.dumps({"version": document["version"], "operations": operations}))
    return path, document["cases"]


def _geode_problems(path: Path) -> tuple[bool, dict[int | None, list[str]]]:
    """Geode's verdict on the file, and its problems by operation index (None: the file)."""
    report = validate_file(path, intent_registry)
    problems: dict[int | None, list[str]] = defaultdict(list)
    for problem in report.problems:
        problems[problem.index].append(f"{problem.path}: {problem.message}")
    assert not report.omitted_problems, "raise MAX_PROBLEMS or split the corpus file"
    return report.ok, problems


def _verdict(ok: bool) -> str:
    return "accepts" if ok else "refuses"


def _disagreement(
    case: dict[str, Any], zod_ok: bool, zod_issues: list[dict[str, str]], geode: list[str] | None
) -> str | None:
    """What is wrong with one case, or None. `geode` is None when Geode is not asked."""
    zod_says = "; ".join(f"{i['path'] or '(operation)'}: {i['message']}" for i in zod_issues)
    if zod_ok != (case["expect"] == "valid"):
        return f"the corpus expects {case['expect']} but the reference {_verdict(zod_ok)}" + (
            f" ({zod_says})" if zod_says else ""
        )
    if geode is None:
        return None
    geode_ok = not geode
    both = f"reference {_verdict(zod_ok)}, Geode {_verdict(geode_ok)}"
    details = f"zod: {zod_says or '-'}; Geode: {' | '.join(geode) or '-'}"
    name = case.get("difference")
    if name is None:
        if geode_ok != zod_ok:
            return f"undocumented disagreement: {both}; {details}"
        return None
    if name not in DIFFERENCES:
        return f"names difference {name!r}, which differences.DIFFERENCES does not list"
    if _verdict(geode_ok) != DIFFERENCES[name].geode or geode_ok == zod_ok:
        return (
            f"documented difference {name!r} (Geode {DIFFERENCES[name].geode}) does not show: "
            f"{both}; {details}"
        )
    return None


@pytest.fixture(scope="session")
def judged(reference: Reference, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The reference's verdicts on every family, from one node process."""
    directory = tmp_path_factory.mktemp("corpus")
    paths = [_write_family(family, directory)[0] for family in FAMILIES]
    files = reference(*paths)["files"]
    return {family: file["operations"] for family, file in zip(FAMILIES, files, strict=True)}


@pytest.mark.parametrize("family", FAMILIES)
def test_family_agrees_with_the_reference(
    family: str, judged: dict[str, Any], tmp_path: Path
) -> None:
    path, cases = _write_family(family, tmp_path)
    _, problems = _geode_problems(path)
    assert not problems.get(None), f"Geode refuses {family}.json as a whole: {problems[None]}"
    known = known_intents()
    failures = []
    for index, (case, zod) in enumerate(zip(cases, judged[family], strict=True)):
        asked = case["operation"]["intent"] in known
        wrong = _disagreement(case, zod["ok"], zod["issues"], problems[index] if asked else None)
        if wrong:
            failures.append(f"operations[{index}] {case['name']!r}: {wrong}")
    assert not failures, f"{family}.json, {len(failures)} of {len(cases)} cases:\n" + "\n".join(
        failures
    )


def test_envelope_agrees_with_the_reference(reference: Reference, tmp_path: Path) -> None:
    cases = _cases("envelope")
    paths = []
    for number, case in enumerate(cases):
        paths.append(tmp_path / f"envelope-{number}.json")
        paths[-1].write_text(case["text"])
    judged = reference(*paths)["files"]
    failures = []
    for path, case, zod in zip(paths, cases, judged, strict=True):
        geode_ok, problems = _geode_problems(path)
        issues = zod["envelope"]["issues"] + [i for op in zod["operations"] for i in op["issues"]]
        found = [message for messages in problems.values() for message in messages]
        wrong = _disagreement(case, zod["valid"], issues, [] if geode_ok else found)
        if wrong:
            failures.append(f"{case['name']!r}: {wrong}")
    assert not failures, "\n".join(failures)


def test_corpus_covers_every_intent_of_the_reference(reference: Reference) -> None:
    intents = reference("--intents")["intents"]
    assert len(intents) == 61  # @crystallize/schema 6.14.0
    expectations: dict[str, set[str]] = defaultdict(set)
    for family in FAMILIES:
        for case in _cases(family):
            expectations[case["operation"]["intent"]].add(case["expect"])
    assert sorted(expectations) == sorted(intents)
    lacking = {i: e for i, e in expectations.items() if e != {"valid", "invalid"}}
    assert not lacking, f"intents without both a valid and an invalid case: {lacking}"
    assert known_intents() <= set(intents), "Geode knows intents the reference does not"


def test_each_difference_is_shown_by_a_case() -> None:
    used = Counter(
        case["difference"]
        for name in [*FAMILIES, "envelope"]
        for case in _cases(name)
        if "difference" in case
    )
    assert set(used) <= set(DIFFERENCES), f"unknown differences: {set(used) - set(DIFFERENCES)}"
    assert set(DIFFERENCES) <= set(used), f"never shown: {set(DIFFERENCES) - set(used)}"


def test_corpus_files_are_what_make_corpus_writes() -> None:
    expected = expected_files()
    assert sorted(expected) == sorted(path.name for path in CORPUS_DIR.glob("*.json"))
    stale = [name for name, text in expected.items() if (CORPUS_DIR / name).read_text() != text]
    assert not stale, f"run `.venv/bin/python -m tests.conformance.make_corpus`: {stale} differ"


def test_the_cli_reports_the_same_operations(tmp_path: Path) -> None:
    """The comparison above calls Geode's validation in-process; `geode massop validate
    --json` must refuse exactly the same operations."""
    path, _ = _write_family("order", tmp_path)
    done = subprocess.run(
        [str(GEODE), "massop", "validate", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    cli = {problem["index"] for problem in json.loads(done.stdout)["problems"]}
    assert cli == set(_geode_problems(path)[1])


def test_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints how much the corpus covers (shown when pytest runs without xdist)."""
    cases = [case for family in FAMILIES for case in _cases(family)]
    checked = [case for case in cases if case["operation"]["intent"] in known_intents()]
    envelope = _cases("envelope")
    shown = sum("difference" in case for case in [*checked, *envelope])
    with capsys.disabled():
        print(
            f"\nconformance: {len(cases)} operation cases in {len(FAMILIES)} families "
            f"({len(checked)} compared with Geode, {len(cases) - len(checked)} of intents not "
            f"yet implemented), {len(envelope)} envelope cases; {len(DIFFERENCES)} documented "
            f"differences, shown by {shown} cases"
        )
    assert checked
