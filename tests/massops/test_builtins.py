"""`{{ defaults.rootItemId }}`: names every file may read without declaring them."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from geode.app import App
from geode.errors import InvalidFileError
from geode.tenants.service import TenantInfo
from geode.tenants.settings import root_item_id
from tests.massops.operations import customer


def test_defaults_root_item_id_is_rendered(app: App, tenant: TenantInfo, ops_file: Any) -> None:
    path = ops_file([customer("c1", companyName="{{ defaults.rootItemId }}")])
    task = app.massops.run(app.massops.submit(tenant.id, path).id)
    assert task.status == "complete"
    with app.engine.connect() as connection:
        stored = connection.execute(
            sa.text("select company_name from customers where tenant_id = :t"), {"t": tenant.id}
        ).scalar_one()
        assert stored == root_item_id(connection, tenant.id)


@pytest.mark.parametrize(
    ("operation", "path", "words"),
    [
        (customer("c1", companyName="{{ defaults.root }}"), "$.operations[0].companyName",
         "it holds: rootItemId"),
        (customer("c1", _ref="defaults"), "$.operations[0]._ref", "reserved"),
    ],
)  # fmt: skip
def test_unknown_default_or_reserved_ref_is_refused(
    app: App, tenant: TenantInfo, ops_file: Any, operation: dict[str, Any], path: str, words: str
) -> None:
    with pytest.raises(InvalidFileError) as refused:
        app.massops.submit(tenant.id, ops_file([operation]))
    [problem] = refused.value.detail
    assert problem["path"] == path
    assert words in problem["message"]
