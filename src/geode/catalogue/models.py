"""The catalogue's tables: shapes and pieces, the item tree, variants, topics,
flows, price lists, subscription contracts and registered images.

Every record is scoped by `tenant_id`, ids included: an exported catalogue
keeps its item, topic and contract ids when it is imported into another tenant
of the same database, so an id is unique per tenant, not globally. Child rows
carry `tenant_id` too, which lets their foreign keys point at the parent's
primary key and lets a tenant's rows be found without a join.

Lists that are always read and written with their record (component
definitions, component content, attributes, images, meta, ...) are JSON
documents (`geode.catalogue.documents`); what is looked up on its own (paths,
prices, stock, names per language) has rows.

The tenant's root folder is virtual (`tenants.root_item_id`, no item row):
top-level items have it as `parent_id`, so `items.parent_id` has no foreign key.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from geode.db.base import JSON_TEXT, TIMESTAMP, Base, Id

PRICE = sa.Numeric(23, 8).with_variant(sa.Text(), "sqlite")
"""Money within the limits (15 integer digits, 8 places): NUMERIC on PostgreSQL,
canonical text (`geode.money.money_text`) on SQLite, whose NUMERIC is a float."""
LANGUAGE = sa.String(64)
LABEL = sa.String(32)
"""Enum values: item type, version, path kind, statuses, modifier types."""


def _tenant() -> Mapped[str]:
    return mapped_column(Id(), sa.ForeignKey("tenants.id"), primary_key=True)


def _child_of(parent: str, column: str, key: str = "id") -> sa.ForeignKeyConstraint:
    """The row goes with its parent: versions, paths, prices, stock, stages..."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", column], [f"{parent}.tenant_id", f"{parent}.{key}"], ondelete="CASCADE"
    )


def _item_key() -> sa.ForeignKeyConstraint:
    return _child_of("items", "item_id")


def _unique_when_set(table: str, column: str) -> sa.Index:
    """Unique per tenant where set; records without the key need no index entry."""
    return sa.Index(
        f"uq_{table}_{column}",
        "tenant_id",
        column,
        unique=True,
        sqlite_where=sa.text(f"{column} IS NOT NULL"),
        postgresql_where=sa.text(f"{column} IS NOT NULL"),
    )


# -- shapes and pieces ------------------------------------------------------------------


class Piece(Base):
    __tablename__ = "pieces"

    tenant_id: Mapped[str] = _tenant()
    identifier: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    components: Mapped[str] = mapped_column(JSON_TEXT)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)


class Shape(Base):
    """`meta` is one key/value pair in the reference schema, kept as its document."""

    __tablename__ = "shapes"

    tenant_id: Mapped[str] = _tenant()
    identifier: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    type: Mapped[str] = mapped_column(LABEL)
    components: Mapped[str] = mapped_column(JSON_TEXT)
    variant_components: Mapped[str | None] = mapped_column(JSON_TEXT)
    meta: Mapped[str | None] = mapped_column(JSON_TEXT)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)


# -- items ------------------------------------------------------------------------------


class Item(Base):
    """A product, document or folder: its place in the tree and what no language changes.

    Names and component content live in `item_versions`, per language and version.
    """

    __tablename__ = "items"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "shape_identifier"], ["shapes.tenant_id", "shapes.identifier"]
        ),
        _unique_when_set("items", "resource_identifier"),
        sa.Index("ix_items_parent", "tenant_id", "parent_id", "position"),
    )

    tenant_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    type: Mapped[str] = mapped_column(LABEL)
    shape_identifier: Mapped[str] = mapped_column(sa.Text)
    parent_id: Mapped[str] = mapped_column(Id())
    position: Mapped[int] = mapped_column(sa.Integer)
    vat_type_id: Mapped[str | None] = mapped_column(Id())
    external_reference: Mapped[str | None] = mapped_column(sa.Text)
    resource_identifier: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)


class ItemVersion(Base):
    """`version` is `draft` or `published`; `components` is that version's content list."""

    __tablename__ = "item_versions"
    __table_args__ = (_item_key(),)

    tenant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    item_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    language: Mapped[str] = mapped_column(LANGUAGE, primary_key=True)
    version: Mapped[str] = mapped_column(LABEL, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    components: Mapped[str] = mapped_column(JSON_TEXT)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)


class ItemPath(Base):
    """Every path a tenant serves in a language names one item: the canonical one,
    an alias, or a former path kept so old links still resolve."""

    __tablename__ = "item_paths"
    __table_args__ = (
        _item_key(),
        sa.Index("ix_item_paths_item", "tenant_id", "item_id"),
        sa.Index(
            "uq_item_paths_canonical",
            "tenant_id",
            "item_id",
            "language",
            unique=True,
            sqlite_where=sa.text("kind = 'canonical'"),
            postgresql_where=sa.text("kind = 'canonical'"),
        ),
    )

    tenant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    language: Mapped[str] = mapped_column(LANGUAGE, primary_key=True)
    path: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    item_id: Mapped[str] = mapped_column(Id())
    kind: Mapped[str] = mapped_column(LABEL)


class ItemShortcut(Base):
    """The item shown under another parent too; the parent may be the virtual root."""

    __tablename__ = "item_shortcuts"
    __table_args__ = (
        _item_key(),
        sa.Index("ix_item_shortcuts_parent", "tenant_id", "parent_id", "position"),
    )

    tenant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    item_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    parent_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    position: Mapped[int] = mapped_column(sa.Integer)


class ItemTopic(Base):
    __tablename__ = "item_topics"
    __table_args__ = (
        _item_key(),
        _child_of("topics", "topic_id"),
        sa.Index("ix_item_topics_topic", "tenant_id", "topic_id"),
    )

    tenant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    item_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    topic_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    position: Mapped[int] = mapped_column(sa.Integer)


# -- variants ---------------------------------------------------------------------------


class Variant(Base):
    """A product's purchasable SKU. At most one default per product is a constraint
    (a writer that moves the default clears the old one first); "at least one" is
    the intents' to keep, since a product is written before its variants."""

    __tablename__ = "variants"
    __table_args__ = (
        _child_of("items", "product_id"),
        sa.UniqueConstraint("tenant_id", "sku"),
        sa.Index("ix_variants_product", "tenant_id", "product_id", "position"),
        sa.Index(
            "uq_variants_default",
            "tenant_id",
            "product_id",
            unique=True,
            sqlite_where=sa.text("is_default"),
            postgresql_where=sa.text("is_default"),
        ),
    )

    tenant_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    product_id: Mapped[str] = mapped_column(Id())
    sku: Mapped[str] = mapped_column(sa.Text)
    is_default: Mapped[bool] = mapped_column(sa.Boolean)
    position: Mapped[int] = mapped_column(sa.Integer)
    external_reference: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)


def _variant_key() -> sa.ForeignKeyConstraint:
    return _child_of("variants", "variant_id")


class VariantVersion(Base):
    __tablename__ = "variant_versions"
    __table_args__ = (_variant_key(),)

    tenant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    variant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    language: Mapped[str] = mapped_column(LANGUAGE, primary_key=True)
    version: Mapped[str] = mapped_column(LABEL, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    attributes: Mapped[str | None] = mapped_column(JSON_TEXT)
    images: Mapped[str | None] = mapped_column(JSON_TEXT)
    videos: Mapped[str | None] = mapped_column(JSON_TEXT)
    components: Mapped[str | None] = mapped_column(JSON_TEXT)
    subscription_plans: Mapped[str | None] = mapped_column(JSON_TEXT)


class VariantPrice(Base):
    """Not versioned: a price change is live at once, as in the reference."""

    __tablename__ = "variant_prices"
    __table_args__ = (_variant_key(),)

    tenant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    variant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    price_variant_identifier: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    price: Mapped[str] = mapped_column(PRICE)


class VariantStock(Base):
    __tablename__ = "variant_stock"
    __table_args__ = (_variant_key(),)

    tenant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    variant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    stock_location_identifier: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    stock: Mapped[int] = mapped_column(sa.BigInteger)
    meta: Mapped[str | None] = mapped_column(JSON_TEXT)


# -- topics -----------------------------------------------------------------------------


class Topic(Base):
    """A node of the tenant's topic tree; top-level topics have no parent.

    `parent_id` has no foreign key, as for items: deleting a topic is the
    intent's to do, subtree and all, in one set-based statement.
    """

    __tablename__ = "topics"
    __table_args__ = (
        _unique_when_set("topics", "resource_identifier"),
        sa.Index("ix_topics_parent", "tenant_id", "parent_id", "position"),
    )

    tenant_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(Id())
    position: Mapped[int] = mapped_column(sa.Integer)
    path_identifier: Mapped[str | None] = mapped_column(sa.Text)
    display_color: Mapped[str | None] = mapped_column(sa.Text)
    resource_identifier: Mapped[str | None] = mapped_column(sa.Text)
    meta: Mapped[str | None] = mapped_column(JSON_TEXT)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)


class TopicName(Base):
    """A topic's name and path in one language; a path names one topic per language."""

    __tablename__ = "topic_names"
    __table_args__ = (
        _child_of("topics", "topic_id"),
        sa.UniqueConstraint("tenant_id", "language", "path"),
    )

    tenant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    topic_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    language: Mapped[str] = mapped_column(LANGUAGE, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    path: Mapped[str] = mapped_column(sa.Text)


# -- flows ------------------------------------------------------------------------------


class Flow(Base):
    __tablename__ = "flows"

    tenant_id: Mapped[str] = _tenant()
    identifier: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    type: Mapped[str] = mapped_column(LABEL)
    restrictions: Mapped[str | None] = mapped_column(JSON_TEXT)
    meta: Mapped[str | None] = mapped_column(JSON_TEXT)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)


class FlowStage(Base):
    """Keyed by its identifier alone within the tenant: `item/flow/stage/addItems`
    names a stage without its flow."""

    __tablename__ = "flow_stages"
    __table_args__ = (
        _child_of("flows", "flow_identifier", "identifier"),
        sa.Index("ix_flow_stages_flow", "tenant_id", "flow_identifier", "position"),
    )

    tenant_id: Mapped[str] = _tenant()
    identifier: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    flow_identifier: Mapped[str] = mapped_column(sa.Text)
    name: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(sa.Integer)
    meta: Mapped[str | None] = mapped_column(JSON_TEXT)
    actions: Mapped[str | None] = mapped_column(JSON_TEXT)


class FlowStageItem(Base):
    __tablename__ = "flow_stage_items"
    __table_args__ = (
        _child_of("flow_stages", "stage_identifier", "identifier"),
        _item_key(),
        sa.Index("ix_flow_stage_items_item", "tenant_id", "item_id"),
    )

    tenant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    stage_identifier: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    item_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    language: Mapped[str] = mapped_column(LANGUAGE, primary_key=True)
    version: Mapped[str] = mapped_column(LABEL)
    position: Mapped[int] = mapped_column(sa.Integer)
    added_at: Mapped[str] = mapped_column(TIMESTAMP)


# -- price lists, subscription contracts, images ----------------------------------------


class PriceList(Base):
    """`price_variants` holds the modifiers ({identifier, modifier, decimalPlaces});
    `selection_type` is `selectedProductVariants.type`, its variants are rows."""

    __tablename__ = "price_lists"

    tenant_id: Mapped[str] = _tenant()
    identifier: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    modifier_type: Mapped[str] = mapped_column(LABEL)
    price_variants: Mapped[str] = mapped_column(JSON_TEXT)
    selection_type: Mapped[str] = mapped_column(LABEL)
    target_audience: Mapped[str] = mapped_column(JSON_TEXT)
    start_date: Mapped[str | None] = mapped_column(TIMESTAMP)
    end_date: Mapped[str | None] = mapped_column(TIMESTAMP)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)


class PriceListVariant(Base):
    """Keyed by SKU, not variant id: a price list may name a SKU imported later."""

    __tablename__ = "price_list_variants"
    __table_args__ = (_child_of("price_lists", "price_list_identifier", "identifier"),)

    tenant_id: Mapped[str] = mapped_column(Id(), primary_key=True)
    price_list_identifier: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    sku: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    price_variants: Mapped[str | None] = mapped_column(JSON_TEXT)


class SubscriptionContract(Base):
    """Read and written whole, so the contract is one document beside its keys.

    `status` is a document too: in the reference it is `{activateAt, activeUntil,
    renewAt}`, not a label.
    """

    __tablename__ = "subscription_contracts"
    __table_args__ = (
        _unique_when_set("subscription_contracts", "resource_identifier"),
        sa.Index("ix_subscription_contracts_customer", "tenant_id", "customer_identifier"),
    )

    tenant_id: Mapped[str] = _tenant()
    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    resource_identifier: Mapped[str | None] = mapped_column(sa.Text)
    customer_identifier: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(JSON_TEXT)
    document: Mapped[str] = mapped_column(JSON_TEXT)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)


class Image(Base):
    """A registered image key. The file may live in an external media store:
    `stored_path` is set only for a file uploaded to Geode, which serves it."""

    __tablename__ = "images"

    tenant_id: Mapped[str] = _tenant()
    key: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    language: Mapped[str | None] = mapped_column(LANGUAGE)
    resource_identifier: Mapped[str | None] = mapped_column(sa.Text)
    stored_path: Mapped[str | None] = mapped_column(sa.Text)
    content_type: Mapped[str | None] = mapped_column(sa.Text)
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
