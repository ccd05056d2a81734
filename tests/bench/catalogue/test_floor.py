"""The catalogue raw floor writes the rows of the generated file into the migrated
catalogue tables, on SQLite and PostgreSQL: as many as Geode would store."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bench.catalogue import shapes
from bench.catalogue.floor import raw_floor
from bench.catalogue.generate import VARIANTS_PER_PRODUCT, Counts, folder_id, generate
from geode.app import App
from geode.tenants.service import TenantInfo


def _count(app: App, table: str, tenant_id: str, where: str = "") -> int:
    with app.engine.connect() as connection:
        sql = f"SELECT count(*) FROM {table} WHERE tenant_id = :t {where}"
        return int(connection.execute(sa.text(sql), {"t": tenant_id}).scalar_one())


def test_the_floor_writes_every_record_in_every_language_draft_and_published(
    app: App, tenant: TenantInfo, db_url: str, tmp_path: Path
) -> None:
    scale = 0.0005
    counts = Counts.at(scale)
    path = tmp_path / "catalogue.json"
    generate(path, scale, 11)
    with app.engine.connect() as connection:
        root = connection.execute(
            sa.text("SELECT root_item_id FROM tenants WHERE id = :t"), {"t": tenant.id}
        ).scalar_one()

    # Batches smaller than a product's operations: parents still come first.
    result = raw_floor(path, db_url, tenant.id, root, batch_ops=3)

    assert result["ops"] == counts.total
    languages = len(shapes.LANGUAGES)
    items = counts.folders + counts.products
    variants = counts.products * VARIANTS_PER_PRODUCT
    assert _count(app, "pieces", tenant.id) == shapes.PIECE_COUNT
    assert _count(app, "shapes", tenant.id) == 20
    assert _count(app, "topics", tenant.id) == counts.topics
    assert _count(app, "topic_names", tenant.id) == counts.topics * languages
    assert _count(app, "images", tenant.id) == counts.images
    assert _count(app, "items", tenant.id) == items
    assert _count(app, "items", tenant.id, f"AND parent_id = '{root}'") == 1
    assert _count(app, "item_versions", tenant.id, "AND version = 'draft'") == items * languages
    assert _count(app, "item_versions", tenant.id, "AND version = 'published'") == (
        items * languages
    )
    assert _count(app, "item_paths", tenant.id) == items * languages
    assert _count(app, "variants", tenant.id) == variants
    assert _count(app, "variants", tenant.id, "AND is_default") == counts.products
    assert _count(app, "variant_versions", tenant.id) == variants * languages * 2
    assert _count(app, "variant_prices", tenant.id) == variants * 2
    assert _count(app, "variant_stock", tenant.id) == variants * 2
    with app.engine.connect() as connection:
        paths = connection.execute(
            sa.text("SELECT language, path FROM item_paths WHERE tenant_id = :t AND item_id = :i"),
            {"t": tenant.id, "i": folder_id(1)},
        ).all()
    assert sorted(paths) == [("en", "/folder-0/folder-1"), ("no", "/mappe-0/mappe-1")]
