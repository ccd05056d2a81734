"""`geode export customers|orders|catalogue`."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

import typer

from geode.cli.context import app_context, err, file_problem
from geode.db.engine import reading
from geode.errors import GeodeError
from geode.massops.export import write_file
from geode.tenants.service import get_tenant


class Kind(StrEnum):
    customers = "customers"
    orders = "orders"
    catalogue = "catalogue"


def export(
    kind: Kind,
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant identifier.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout).")
    ] = None,
) -> None:
    """Write a tenant's customers, orders or catalogue as a mass-operation file."""
    with app_context() as app, reading(app.engine) as connection:
        tenant_id = get_tenant(connection, tenant).id
        families = {family.name: family for family in app.massops.intents.families}
        operations = families[kind.value].export(connection, tenant_id)
        if output is None:
            count = write_file(sys.stdout.buffer, operations)
        else:
            with replacing(output) as handle:
                count = write_file(handle, operations)
    err.print(f"exported {count} {kind.value}")


@contextmanager
def replacing(path: Path) -> Iterator[IO[bytes]]:
    """A file that appears at `path` whole or not at all: written beside it and
    renamed once complete, so a failed or interrupted export never leaves half a
    file, nor destroys the previous export it was meant to replace."""
    if path.is_dir():
        raise GeodeError(f"cannot write {path}: it is a directory; give a file name")
    if not path.parent.is_dir():
        what = "is not a folder" if path.parent.exists() else "does not exist"
        raise GeodeError(
            f"cannot write {path}: {path.parent} {what}; create the folder or choose another path"
        )
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        with open(partial, "xb") as handle:
            yield handle
        os.replace(partial, path)
    except OSError as exc:
        exc.filename = str(path)
        raise GeodeError(file_problem(exc, "write")) from None
    finally:
        partial.unlink(missing_ok=True)
