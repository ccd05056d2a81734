"""Issue 10, item 8: every mistake a user can make with the `geode` command is one
line on stderr saying what is wrong and what to do, and exit status 1; never a
traceback. Each test runs the real command in a subprocess."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from geode.app import create_app
from geode.settings import Settings
from geode.tenants.service import create_tenant
from tests.cli.test_cli import GEODE, geode

pytestmark = pytest.mark.integration

EXIT_FAILED, EXIT_CANCELLED = 1, 130


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 1, nothing on stdout, exactly one line on stderr: that line."""
    assert result.returncode == EXIT_FAILED, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def new_tenant(db_url: str, data_dir: Path) -> str:
    identifier = f"t-{uuid.uuid4().hex[:12]}"
    app = create_app(Settings(database_url=db_url, data_dir=data_dir), migrate=False)
    try:
        with app.engine.begin() as connection:
            create_tenant(connection, identifier)
    finally:
        app.close()
    return identifier


# -- the reproductions ----------------------------------------------------------


def test_export_into_a_missing_folder(db_url: str, tmp_path: Path) -> None:
    tenant = new_tenant(db_url, tmp_path)
    env = {"GEODE_DATABASE_URL": db_url}
    line = refused(
        geode(
            tmp_path,
            "export",
            "customers",
            "--tenant",
            tenant,
            "-o",
            "/nonexistent/x.json",
            env_vars=env,
        )
    )
    assert "/nonexistent/x.json" in line
    assert "does not exist" in line
    assert not Path("/nonexistent").exists()


def test_export_onto_a_directory_or_under_a_file(db_url: str, tmp_path: Path) -> None:
    tenant = new_tenant(db_url, tmp_path)
    env = {"GEODE_DATABASE_URL": db_url}
    line = refused(
        geode(tmp_path, "export", "orders", "--tenant", tenant, "-o", tmp_path, env_vars=env)
    )
    assert "is a directory" in line
    a_file = tmp_path / "plain.txt"
    a_file.write_text("keep me")
    line = refused(
        geode(
            tmp_path, "export", "orders", "--tenant", tenant, "-o", a_file / "x.json", env_vars=env
        )
    )
    assert "is not a folder" in line
    assert a_file.read_text() == "keep me"


def test_a_database_url_of_another_kind(tmp_path: Path) -> None:
    url = "mysql://geode:s3cret-pw@db.example.com/geode"
    line = refused(geode(tmp_path, "tenant", "list", env_vars={"GEODE_DATABASE_URL": url}))
    assert "GEODE_DATABASE_URL" in line
    assert "'mysql'" in line
    assert "postgresql+psycopg://" in line and "sqlite:///" in line
    assert "s3cret-pw" not in line  # the password is never echoed


def test_a_negative_batch_size_names_the_variable_the_value_and_the_range(tmp_path: Path) -> None:
    line = refused(geode(tmp_path, "tenant", "list", env_vars={"GEODE_BATCH_SIZE": "-5"}))
    assert "GEODE_BATCH_SIZE=-5 is not valid: must be an integer from 1 to 50000" in line


def _bad_values() -> list[tuple[str, str, str]]:
    """(variable, value, words the message must hold) for every numeric setting."""
    cases = []
    for name, field in Settings.model_fields.items():
        variable = f"GEODE_{name.upper()}"
        kinds = set(getattr(field.annotation, "__args__", None) or (field.annotation,))
        if kinds & {int, float}:
            word = "an integer" if int in kinds else "a number"
            cases.append((variable, "lots", word))
            low = next((getattr(m, "ge", getattr(m, "gt", None)) for m in field.metadata), None)
            if low is not None:
                cases.append((variable, str(low - 1), str(low)))
    return cases


@pytest.mark.parametrize(("variable", "value", "words"), _bad_values())
def test_every_numeric_setting_is_checked_with_its_name_and_range(
    tmp_path: Path, variable: str, value: str, words: str
) -> None:
    line = refused(geode(tmp_path, "tenant", "list", env_vars={variable: value}))
    assert f"{variable}={value} is not valid: must be " in line
    assert words in line


def test_serve_on_a_busy_port(db_url: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = geode(
            tmp_path, "serve", "--port", str(port), env_vars={"GEODE_DATABASE_URL": db_url}
        )
    line = refused(result)
    assert f"127.0.0.1:{port}" in line
    assert "in use" in line
    assert "--port" in line


def test_logs_with_an_unknown_status_lists_the_valid_ones(tmp_path: Path) -> None:
    line = refused(geode(tmp_path, "massop", "logs", "0" * 24, "--status", "bogus"))
    assert "'bogus'" in line
    for status in ("success", "failure", "skipped"):
        assert status in line


# -- the rest of the audit --------------------------------------------------------------


def test_a_missing_input_file_and_a_directory_as_input(tmp_path: Path) -> None:
    line = refused(geode(tmp_path, "massop", "validate", tmp_path / "missing.json"))
    assert "missing.json" in line and "does not exist" in line
    line = refused(geode(tmp_path, "massop", "run", tmp_path, "--tenant", "t"))
    assert "is a directory" in line
    line = refused(geode(tmp_path, "massop", "run", "--tenant", "t"))
    assert "Missing argument" in line and "geode massop run --help" in line


def test_a_data_dir_that_cannot_be_created(tmp_path: Path) -> None:
    a_file = tmp_path / "plain.txt"
    a_file.write_text("")
    line = refused(
        geode(tmp_path, "tenant", "list", env_vars={"GEODE_DATA_DIR": str(a_file / "d")})
    )
    assert "GEODE_DATA_DIR" in line
    assert str(a_file) in line


def test_a_sqlite_file_that_is_not_a_database(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    other.write_text("these are my notes, not a database\n" * 100)
    line = refused(
        geode(tmp_path, "tenant", "list", env_vars={"GEODE_DATABASE_URL": f"sqlite:///{other}"})
    )
    assert str(other) in line and "not a database" in line
    assert other.read_text().startswith("these are my notes")


def test_a_database_migrated_by_a_newer_geode(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert (
        geode(tmp_path, "db", "upgrade", env_vars={"GEODE_DATA_DIR": str(data_dir)}).returncode == 0
    )
    with sqlite3.connect(data_dir / "geode.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    line = refused(geode(tmp_path, "tenant", "list", env_vars={"GEODE_DATA_DIR": str(data_dir)}))
    assert "newer version of geode" in line and "9999" in line


def test_a_postgresql_database_that_does_not_exist(postgresql_url: str, tmp_path: Path) -> None:
    missing = sa.make_url(postgresql_url).set(database=f"nope_{uuid.uuid4().hex[:8]}")
    url = missing.render_as_string(hide_password=False)
    line = refused(geode(tmp_path, "tenant", "list", env_vars={"GEODE_DATABASE_URL": url}))
    assert "does not exist" in line and "GEODE_DATABASE_URL" in line


def test_postgresql_only_commands_on_sqlite(tmp_path: Path) -> None:
    assert "need PostgreSQL" in refused(geode(tmp_path, "worker"))
    ops = tmp_path / "ops.json"
    ops.write_text(
        '{"version": "0.0.1", "operations": [{"intent": "customer/upsert", "identifier": "a"}]}'
    )
    assert "need PostgreSQL" in refused(geode(tmp_path, "massop", "submit", ops, "--tenant", "t"))


def test_options_out_of_range(tmp_path: Path) -> None:
    assert "--port" in refused(geode(tmp_path, "serve", "--port", "70000"))
    assert "--concurrency" in refused(geode(tmp_path, "worker", "--concurrency", "0"))


BUGGY_COMMAND = """
import typer
from geode.cli.failures import run

app = typer.Typer()

@app.command()
def boom() -> None:
    raise RuntimeError("kaboom")

run(app)
"""


def test_a_bug_is_one_line_with_an_error_id_and_its_traceback_in_the_log(tmp_path: Path) -> None:
    """The real failure handler of `geode`, around a command that fails unexpectedly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEODE_")}
    env["GEODE_DATA_DIR"] = str(tmp_path / "data")
    command = [sys.executable, "-c", BUGGY_COMMAND]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    line = refused(result)
    assert "RuntimeError: kaboom" in line and "bug" in line
    error_id = line.split("error id ")[1].split()[0]
    log = (tmp_path / "data" / "logs" / "errors.log").read_text()
    assert f"error id {error_id}" in log
    assert "Traceback" in log and "in boom" in log and "RuntimeError: kaboom" in log

    env["GEODE_DEBUG"] = "1"
    debug = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert debug.returncode == EXIT_FAILED
    assert "Traceback" in debug.stderr and "kaboom" in debug.stderr


def test_ctrl_c_stops_the_server_with_a_line_not_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEODE_")}
    env["GEODE_DATA_DIR"] = str(tmp_path)
    server = subprocess.Popen(
        [str(GEODE), "serve", "--port", "0"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        selector = selectors.DefaultSelector()
        selector.register(server.stderr, selectors.EVENT_READ)
        deadline = time.monotonic() + 60
        first = ""
        while not first and time.monotonic() < deadline and server.poll() is None:
            if selector.select(timeout=1):
                first = server.stderr.readline()
        assert "API on http://127.0.0.1:" in first, first
        port = int(first.split("127.0.0.1:")[1].split()[0])
        wait_until_answering(port, deadline)
        server.send_signal(signal.SIGINT)
        _, rest = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == EXIT_CANCELLED
    assert "Traceback" not in rest
    assert rest.strip() == "geode: server stopped"


def wait_until_answering(port: int, deadline: float) -> None:
    """Ctrl-C is sent once the server answers, so it reaches the running server."""
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # polling until a deadline, not waiting a guessed time


def test_validate_needs_no_database(tmp_path: Path) -> None:
    """`massop validate` never touches the store, so a database that is down does not stop it."""
    ops = tmp_path / "ops.json"
    ops.write_text(
        '{"version": "0.0.1", "operations": [{"intent": "customer/upsert", "identifier": "a"}]}'
    )
    nothing_listens = {"GEODE_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/geode"}
    result = geode(tmp_path, "massop", "validate", ops, env_vars=nothing_listens)
    assert result.returncode == 0, result.stderr
    assert "valid: 1 operations" in result.stdout


def test_brackets_in_what_the_user_typed_are_text_not_styles(tmp_path: Path) -> None:
    """The console once read "[/]" in a task id as a style tag and crashed."""
    line = refused(geode(tmp_path, "massop", "status", "[/]"))
    assert line == "error: no task with id '[/]'"
