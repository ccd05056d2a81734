"""Issue 10, items 3, 4 and the file-level messages of 8: JSON input that used to
exhaust the server, slip repeated keys through, or fail with a message that did
not say where. Each reproduction from the issue is kept here."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from geode.app import App, create_app
from geode.assembly.intents import intent_registry
from geode.errors import InvalidFileError
from geode.massops.validation import ValidationReport, validate_file
from geode.settings import Settings
from geode.tenants.service import TenantInfo
from tests.api.rest.conftest import LiveServer, serve

GEODE = Path(sys.executable).parent / "geode"
UPLOAD = "/api/massops/tasks"
BATCH = "/api/v4.0/integrations/batch"
DEADLINE = 60.0  # seconds; generous for a loaded machine: the old code took minutes


def customer(identifier: str, **fields: Any) -> dict[str, Any]:
    return {"intent": "customer/upsert", "identifier": identifier, **fields}


def envelope(*operations: str) -> bytes:
    return ('{"version": "0.0.1", "operations": [' + ", ".join(operations) + "]}").encode()


def deep_file(levels: int) -> bytes:
    """The issue's 200 KB file: one operation whose address list nests `levels` deep."""
    nested = "[" * levels + "]" * levels
    return envelope(
        json.dumps(customer("fine")),
        '{"intent": "customer/upsert", "identifier": "deep", "addresses": ' + nested + "}",
    )


def both_paths(path: Path) -> list[ValidationReport]:
    """The sequential pass, and the parallel one (which may hand over to it)."""
    return [
        validate_file(path, intent_registry, parallel_min_bytes=1 << 40),
        validate_file(path, intent_registry, parallel_min_bytes=0, chunk_size=256),
    ]


def problems(report: ValidationReport) -> list[tuple[int | None, str, str]]:
    return [(p.index, p.path, p.code) for p in report.problems]


# Runs the command as its own child and reports that child's peak RSS. The
# measuring process is a fresh interpreter, not this test process: a child forked
# from a pytest worker that has grown over a whole suite inherits that size in
# its `ru_maxrss` (the count survives exec), which would measure the suite.
_MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(args: list[str], env: dict[str, str], log: Path) -> tuple[int, str, float, int]:
    """(exit status, stderr, seconds, peak RSS in MB) of one child process, the
    peak from the kernel's own account of that child (wait4)."""
    peak_file = log.with_suffix(".peak")
    started = time.monotonic()
    with open(log, "wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", _MEASURE, str(peak_file), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        status = child.wait(timeout=DEADLINE * 3)
    except subprocess.TimeoutExpired:
        child.kill()
        raise
    seconds = time.monotonic() - started
    return status, log.read_text(), seconds, int(peak_file.read_text()) // 1024


# -- 3. Bounded work for any nesting ------------------------------------------------------


@pytest.mark.integration
def test_massop_validate_refuses_30000_levels_quickly_in_little_memory(tmp_path: Path) -> None:
    """Was 7.7 s and 2.3 GB (ijson's prefixes grow with the depth)."""
    file = tmp_path / "deep.json"
    file.write_bytes(deep_file(30_000))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEODE_")}
    env["GEODE_DATA_DIR"] = str(tmp_path / "data")
    command = [str(GEODE), "massop", "validate", str(file)]
    status, stderr, seconds, peak = run_measured(command, env, tmp_path / "stderr.txt")
    assert status == 1
    assert "$.operations[1].addresses" + "[0]" * 29 in stderr  # the path where level 33 opens
    assert "too_deep" in stderr or "nest more than 32 levels" in stderr
    assert seconds < DEADLINE
    assert peak < 250, f"peak RSS {peak} MB"


@pytest.mark.parametrize("levels", [40, 2_000, 100_000])
def test_deep_files_are_refused_at_the_limit_on_both_paths(tmp_path: Path, levels: int) -> None:
    file = tmp_path / "deep.json"
    file.write_bytes(deep_file(levels))
    for report in both_paths(file):
        assert problems(report) == [(1, "$.operations[1].addresses" + "[0]" * 29, "too_deep")]
        assert "GEODE_MAX_JSON_DEPTH" in report.problems[0].message


def test_the_depth_limit_is_a_setting_and_valid_files_stay_well_inside_it(tmp_path: Path) -> None:
    """The deepest valid operation (a cart line's price, its tax breakdown, its tax)
    is 9 levels from the file's root; the lowest setting allowed is 10."""
    deepest = {
        "intent": "order/register",
        "customer": {"identifier": "c1"},
        "cart": [
            {
                "name": "Mug",
                "quantity": 1,
                "price": {
                    "currency": "EUR",
                    "taxBreakdown": [{"gross": 1, "tax": {"name": "VAT", "percent": 25}}],
                },
            }
        ],
    }
    file = tmp_path / "ok.json"
    file.write_bytes(envelope(json.dumps(deepest)))
    assert validate_file(file, intent_registry, max_depth=9).ok
    assert [p.code for p in validate_file(file, intent_registry, max_depth=8).problems] == [
        "too_deep"
    ]
    with pytest.raises(ValueError, match="max_json_depth"):
        Settings(max_json_depth=9)


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    settings.max_request_bytes = 64 << 10
    settings.max_upload_bytes = 256 << 10
    app = create_app(settings, migrate=False)
    try:
        yield from serve(app)
    finally:
        app.close()


@pytest.fixture
def client(server: LiveServer, tenant: TenantInfo) -> Iterator[httpx.Client]:
    with server.client(tenant) as connected:
        yield connected


def uploads(server: LiveServer) -> list[Path]:
    directory = server.app.settings.data_dir / "uploads"
    return sorted(directory.iterdir()) if directory.exists() else []


def task_count(app: App, tenant: TenantInfo) -> int:
    with app.engine.connect() as connection:
        query = sa.text("SELECT count(*) FROM massop_tasks WHERE tenant_id = :t")
        return int(connection.execute(query, {"t": tenant.id}).scalar_one())


def test_a_200_kb_upload_nested_100000_deep_is_a_prompt_422(
    server: LiveServer, client: httpx.Client, tenant: TenantInfo
) -> None:
    """Took the server to 20 GB in 45 s and starved every other request."""
    started = time.monotonic()
    response = client.post(UPLOAD, content=deep_file(100_000))
    assert time.monotonic() - started < DEADLINE
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_file"
    [problem] = body["detail"]
    assert (problem["path"], problem["code"]) == (
        "$.operations[1].addresses" + "[0]" * 29, "too_deep",
    )  # fmt: skip
    assert client.get(UPLOAD).status_code == 200  # the server answers as before
    [task] = client.get(UPLOAD).json()["tasks"]  # refused: kept `invalid`, with its problem
    assert (task["status"], task["problems"]) == ("invalid", body["detail"])
    assert task_count(server.app, tenant) == 1
    assert uploads(server) == []


def test_a_batch_post_nested_2000_deep_is_a_422_naming_the_path(client: httpx.Client) -> None:
    """Was a plain-text 500."""
    nested = "[" * 2_000 + "]" * 2_000
    body = '{"body": [{"customerId": "a", "name": ' + nested + "}]}"
    response = client.post(f"{BATCH}/customers", content=body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "invalid_input"
    assert answer["detail"][0]["path"] == "$.body[0].name" + "[0]" * 29
    assert answer["detail"][0]["code"] == "too_deep"


def test_any_other_json_body_is_held_to_the_same_limit(client: httpx.Client) -> None:
    nested = "[" * 5_000 + "]" * 5_000
    response = client.put(
        "/api/v4.0/integrations/loyalty/program",
        content='{"earnRate": ' + nested + "}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "$.earnRate" + "[0]" * 31  # level 33


# -- 3. Caps on bodies and uploads ------------------------------------------------------


def test_a_batch_body_over_the_cap_is_413(client: httpx.Client) -> None:
    objects = [{"customerId": f"c{i}", "name": "x" * 100} for i in range(1_000)]
    content = json.dumps({"body": objects}).encode()
    assert len(content) > 64 << 10
    response = client.post(f"{BATCH}/customers", content=content)
    assert response.status_code == 413
    assert response.json() == {
        "error": response.json()["error"],
        "code": "payload_too_large",
        "detail": {"maxBytes": 64 << 10},
    }
    assert "GEODE_MAX_REQUEST_BYTES" in response.json()["error"]


def test_a_body_over_the_cap_without_a_length_is_413_too(client: httpx.Client) -> None:
    """Chunked transfer declares no Content-Length: the bytes are counted."""

    def pieces() -> Iterator[bytes]:
        yield b'{"body": ['
        for i in range(2_000):
            yield json.dumps({"customerId": f"c{i}", "name": "y" * 50}).encode() + b","
        yield b'{"customerId": "last"}]}'

    response = client.post(f"{BATCH}/customers", content=pieces())
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_an_upload_over_its_cap_is_413_and_leaves_nothing(
    server: LiveServer, client: httpx.Client, tenant: TenantInfo
) -> None:
    ops = [json.dumps(customer(f"c{i}", firstName="z" * 200)) for i in range(2_000)]
    content = envelope(*ops)
    assert len(content) > 256 << 10
    response = client.post(UPLOAD, content=content)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert "GEODE_MAX_UPLOAD_BYTES" in response.json()["error"]

    def streamed() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        for start in range(0, len(content), 16 << 10):
            yield content[start : start + 16 << 10]

    assert client.post(UPLOAD, content=streamed()).status_code == 413
    assert uploads(server) == []
    assert task_count(server.app, tenant) == 0


def test_an_upload_cut_by_the_client_is_removed(server: LiveServer, tenant: TenantInfo) -> None:
    with server.client(tenant) as client:
        headers = {k: v for k, v in client.headers.items() if k.startswith("x-crystallize")}
    host, port = server.url.removeprefix("http://").split(":")
    request = (
        f"POST {UPLOAD} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + "Content-Length: 200000\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(request + b'{"version": "0.0.1", "operations": [' + b" " * 50_000)
        deadline = time.monotonic() + DEADLINE
        while not uploads(server):  # the server has started writing the upload
            assert time.monotonic() < deadline, "the upload never started"
            time.sleep(0.02)
    deadline = time.monotonic() + DEADLINE
    while uploads(server):
        assert time.monotonic() < deadline, f"left behind: {uploads(server)}"
        time.sleep(0.05)


def test_a_restarted_server_removes_leftover_uploads_but_not_live_ones(
    settings: Settings,
) -> None:
    directory = settings.data_dir / "uploads"
    directory.mkdir(parents=True)
    leftover = directory / "upload-killed.json"
    leftover.write_bytes(b'{"version": "0.0.1", "operations": [')
    live = directory / "upload-live.json"
    live.write_bytes(b"{")
    with open(live, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a request of another server holds it
        app = create_app(settings, migrate=False)
        try:
            for _ in serve(app):
                assert not leftover.exists()
                assert live.exists()
        finally:
            app.close()


# -- 4. Duplicate keys, at every level ---------------------------------------------------


def test_a_repeated_operations_key_is_refused_and_nothing_is_applied(
    app: App, tenant: TenantInfo, tmp_path: Path
) -> None:
    """`{"operations": [A], "operations": [B, C]}` applied A, B and C; every other
    JSON reader sees only B and C."""
    a, b, c = (json.dumps(customer(name)) for name in "abc")
    file = tmp_path / "twice.json"
    file.write_text(f'{{"version": "0.0.1", "operations": [{a}], "operations": [{b}, {c}]}}')
    for report in both_paths(file):
        assert problems(report) == [(None, "$.operations", "duplicate_key")]
        assert "'operations' appears more than once" in report.problems[0].message
    with pytest.raises(InvalidFileError) as refused:
        app.massops.submit(tenant.id, file)
    assert refused.value.detail[0]["path"] == "$.operations"
    with app.engine.connect() as connection:
        query = sa.text("SELECT count(*) FROM customers WHERE tenant_id = :t")
        assert connection.execute(query, {"t": tenant.id}).scalar_one() == 0


def test_repeated_keys_in_operations_are_refused_with_their_paths(tmp_path: Path) -> None:
    file = tmp_path / "ops.json"
    file.write_bytes(
        envelope(
            json.dumps(customer("fine", firstName="a: b", lastName='"quoted": yes')),
            '{"intent": "customer/upsert", "identifier": "x", "identifier": "y"}',
            '{"intent": "customer/upsert", "identifier": "z", "addresses": '
            '[{"type": "billing", "city": "Oslo", "city" : "Bergen"}]}',
            '{"version": "1", "intent": "customer/upsert", "identifier": "w"}',
        )
    )
    for report in both_paths(file):
        found = problems(report)
        assert (1, "$.operations[1].identifier", "duplicate_key") in found
        assert (2, "$.operations[2].addresses[0].city", "duplicate_key") in found
        assert all(index != 0 for index, _, _ in found)
    sequential, parallel = both_paths(file)
    assert parallel.parallel and sequential.problems == parallel.problems


def test_an_envelope_with_an_unknown_key_is_refused_as_the_schema_says(tmp_path: Path) -> None:
    file = tmp_path / "ops.json"
    file.write_text(json.dumps({"version": "0.0.1", "operations": [customer("a")], "opts": {}}))
    for report in both_paths(file):
        assert problems(report) == [(None, "$.opts", "unknown_field")]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ('{"body": [{"customerId": "a"}], "body": [{"customerId": "b"}]}', "$.body"),
        ('{"body": [{"customerId": "a", "customerId": "b"}]}', "$.body[0].customerId"),
        ('{"body": [{"customerId": "a", "meta": {"k": 1, "k": 2}}]}', "$.body[0].meta.k"),
    ],
)
def test_a_batch_post_with_a_repeated_key_is_refused_naming_it(
    client: httpx.Client, body: str, path: str
) -> None:
    response = client.post(f"{BATCH}/customers", content=body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "invalid_input"
    assert answer["detail"] == [
        {"path": path, "code": "duplicate_key", "message": answer["detail"][0]["message"]}
    ]
    assert "appears more than once" in answer["error"]


def test_any_json_request_body_with_a_repeated_key_is_refused(client: httpx.Client) -> None:
    response = client.put(
        "/api/v4.0/integrations/loyalty/program",
        content='{"earnRate": 1, "pointValue": 1, "currency": "EUR", "earnRate": 100}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "$.earnRate"


# -- 8. File-level messages --------------------------------------------------------------


def only_problem(path: Path) -> tuple[str, str, str]:
    reports = both_paths(path)
    assert reports[0].problems == reports[1].problems
    [problem] = reports[0].problems
    return problem.path, problem.code, problem.message


def test_a_json_error_gives_line_and_column(tmp_path: Path) -> None:
    """Was "the file is not valid JSON after operation -1"."""
    file = tmp_path / "bad.json"
    file.write_text(
        '{"version": "0.0.1",\n "operations": [\n'
        '  {"intent": "customer/upsert", "identifier": "a"},\n'
        '  {"intent": "customer/upsert", identifier: "b"}\n]}\n'
    )
    path, code, message = only_problem(file)
    assert (path, code) == ("$", "invalid_file")
    assert "line 4, column 33" in message
    assert "operation 1" in message


def test_a_truncated_file_says_where_it_ends(tmp_path: Path) -> None:
    file = tmp_path / "cut.json"
    file.write_text('{"version": "0.0.1", "operations": [\n{"intent": "customer/upsert"')
    _, code, message = only_problem(file)
    assert code == "invalid_file"
    assert "line 2, column 29" in message


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"\xef\xbb\xbf" + envelope('{"intent": "customer/upsert", "identifier": "a"}'), "BOM"),
        (envelope('{"intent": "x"}').decode().encode("utf-16"), "UTF-16 (little-endian"),
        (envelope('{"intent": "x"}').decode().encode("utf-16-be"), "UTF-16 (big-endian"),
        (envelope('{"intent": "x"}').decode().encode("utf-32"), "UTF-32"),
    ],
)
def test_an_encoding_problem_is_named(tmp_path: Path, content: bytes, named: str) -> None:
    file = tmp_path / "enc.json"
    file.write_bytes(content)
    path, code, message = only_problem(file)
    assert (path, code) == ("$", "invalid_encoding")
    assert named in message


def test_invalid_utf8_is_named_with_its_byte(tmp_path: Path) -> None:
    file = tmp_path / "latin1.json"
    text = envelope('{"intent": "customer/upsert", "identifier": "Bjørn"}')
    file.write_bytes(text.decode().encode("latin-1"))
    offset = text.decode().encode("latin-1").index(b"\xf8")
    _, code, message = only_problem(file)
    assert code == "invalid_encoding"
    assert f"byte {offset} (0xF8" in message


def test_a_top_level_array_says_what_the_file_must_be(tmp_path: Path) -> None:
    file = tmp_path / "array.json"
    file.write_text(json.dumps([customer("a")]))
    path, code, message = only_problem(file)
    assert (path, code) == ("$", "invalid_file")
    assert 'must be a JSON object with "version" and "operations"' in message
    assert "this file is an array" in message


def test_a_ref_that_names_its_own_operation_says_so(tmp_path: Path) -> None:
    file = tmp_path / "self.json"
    file.write_text(
        json.dumps(
            {
                "version": "0.0.1",
                "operations": [customer("a", _ref="me", firstName="{{ me.identifier }}")],
            }
        )
    )
    path, code, message = only_problem(file)
    assert (path, code) == ("$.operations[0].firstName", "invalid_reference")
    assert "own _ref 'me'" in message


def test_the_cli_prints_file_level_problems_and_exits_1(tmp_path: Path) -> None:
    file = tmp_path / "array.json"
    file.write_text("[]")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEODE_")}
    env["GEODE_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run(
        [str(GEODE), "massop", "validate", str(file)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "this file is an array" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("escape", ["\\ud800", "\\udc00", "\\ud83d x"])
def test_an_unpaired_surrogate_escape_is_refused_not_read_as_a_question_mark(
    tmp_path: Path, escape: str
) -> None:
    """ijson read a lone high half as "?" and stored it; a lone low half failed as
    an encoding error of a file that is valid UTF-8. Now it is refused at its field."""
    file = tmp_path / "half.json"
    content = envelope('{"intent": "customer/upsert", "identifier": "a' + escape + '"}')
    file.write_bytes(content)
    path, code, message = only_problem(file)
    assert (path, code) == ("$.operations[0].identifier", "invalid_value")
    assert "surrogate" in message


def test_escaped_emoji_are_pairs_and_pass(tmp_path: Path) -> None:
    file = tmp_path / "emoji.json"
    file.write_text(json.dumps({"version": "0.0.1", "operations": [customer("a😀")]}))
    assert "\\ud83d\\ude00" in file.read_text()
    assert all(report.ok for report in both_paths(file))


def test_a_batch_post_with_an_unpaired_surrogate_says_so(client: httpx.Client) -> None:
    body = '{"body": [{"customerId": "n1", "name": "A\\ud800B"}]}'
    response = client.post(f"{BATCH}/customers", content=body)
    assert response.status_code == 422
    assert "unpaired surrogate" in response.json()["error"]


def test_a_deep_operation_stops_both_passes_there(tmp_path: Path) -> None:
    """The parallel pass stops its workers, not only its reading, and reports what
    the sequential pass reports: the problems up to the deep operation, no more."""
    later = [json.dumps(customer(f"c{i}", emial="x")) for i in range(400)]
    file = tmp_path / "deep-early.json"
    file.write_bytes(
        envelope(
            json.dumps(customer("a", emial="x")),
            '{"intent": "customer/upsert", "identifier": "d", "addresses": '
            + "[" * 50
            + "]" * 50
            + "}",
            *later,
        )
    )
    sequential, parallel = both_paths(file)
    assert parallel.parallel
    assert sequential.problems == parallel.problems
    assert [p.index for p in parallel.problems] == [0, 1]
    assert sequential.total == parallel.total == 1
