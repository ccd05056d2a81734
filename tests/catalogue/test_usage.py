"""The catalogue tells `tenant configure` what uses a setting (wired by create_app)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from geode.app import App
from geode.errors import ConflictError
from geode.tenants.configure import configure
from geode.tenants.service import TenantInfo
from geode.tenants.settings_schemas import parse_settings
from tests.catalogue.files import logs, run
from tests.catalogue.variants import product, variant

BOTH = {
    "languages": [{"code": "en", "name": "English"}, {"code": "nb", "name": "Norsk"}],
    "priceVariants": [
        {"identifier": "default", "name": "Default", "currency": "EUR"},
        {"identifier": "sale", "name": "Sale", "currency": "EUR"},
    ],
    "stockLocations": [
        {"identifier": "default", "name": "Default"},
        {"identifier": "oslo", "name": "Oslo"},
    ],
}
ONLY_DEFAULTS = {key: values[:1] for key, values in BOTH.items()}


def configure_with_app(app: App, tenant: TenantInfo, document: dict[str, Any]) -> None:
    with app.engine.begin() as connection:
        configure(
            connection,
            tenant.id,
            parse_settings(json.dumps(document).encode(), 32),
            app.setting_usages,
        )


def test_a_setting_used_by_variants_cannot_be_removed(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    configure_with_app(app, tenant, BOTH)
    mug = product(app, tenant)
    task = run(
        app,
        tenant,
        ops_file(
            [
                variant(
                    f"mug-{n}",
                    mug,
                    language="nb",
                    priceVariants=[{"identifier": "sale", "price": 5}],
                    stockLocations=[{"identifier": "oslo", "stock": 2}],
                )
                for n in range(5)
            ]
        ),
    )
    assert task.status == "complete", logs(app, task.id)
    with pytest.raises(ConflictError) as refused:
        configure_with_app(app, tenant, ONLY_DEFAULTS)
    messages = [problem["message"] for problem in refused.value.detail]
    assert len(messages) == 3
    assert "5 product variants' names (sku 'mug-0', 'mug-1', 'mug-2', ...)" in messages[0]
    assert "price variant 'sale'" in messages[1]
    assert "5 product variants' prices" in messages[1]
    assert "stock location 'oslo'" in messages[2]
    assert "5 product variants' stock" in messages[2]


def test_a_setting_no_variant_uses_can_be_removed(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    configure_with_app(app, tenant, BOTH)
    mug = product(app, tenant)
    run(
        app,
        tenant,
        ops_file([variant("mug", mug, priceVariants=[{"identifier": "default", "price": 5}])]),
    )
    configure_with_app(app, tenant, ONLY_DEFAULTS)
