"""The published catalogue as storefronts read it, a page at a time.

A `Storefront` is one request's reader: it holds one read-only connection and
caches what it has read (items per language, shapes, pieces, topics, the
tenant's settings), so nothing is read twice in a request. Every lookup takes
the keys of a whole page.

A `Page` is the items read together: the roots a request names (every
aliased `catalogue(path)` of it, found before the first is answered), the
children of the items of a page, the items the relations of a page name.
Whatever one item of a page needs next (its children, the items its
relations name, its topics, its shape) is read for all of them at once. A
GraphQL executor answers a list depth-first, item by item; asking on behalf
of the page is what makes a page of 50 products cost the statements a page
of 5 costs: a fixed number per level of the query, whatever the page size.

Only published versions are read: an item never published in the language
asked, or unpublished since, does not exist here (`views.load_item_views`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geode.catalogue import models
from geode.catalogue.documents import load
from geode.catalogue.listings import TopicView, topics_by_id
from geode.catalogue.queries import ShapeRecord, shapes_by_identifier, variants_by_sku
from geode.catalogue.views import PUBLISHED, ItemView, VariantView, load_item_views
from geode.db.base import table_of
from geode.db.bulk import chunked
from geode.db.engine import reading
from geode.tenants.settings import TenantSettings, read_settings

_items = table_of(models.Item)
_versions = table_of(models.ItemVersion)
_paths = table_of(models.ItemPath)
_shortcuts = table_of(models.ItemShortcut)
_pieces = table_of(models.Piece)

ROOT_PATH = "/"


@dataclass(frozen=True, slots=True)
class VariantEntry:
    """A variant with the product it belongs to, and the page that product was read in."""

    variant: VariantView
    product: ItemView
    page: Page


@dataclass(slots=True)
class Relations:
    """What the `itemRelations` content of a page's items names, read."""

    page: Page
    variants: dict[str, VariantEntry] = field(default_factory=dict)
    """sku -> the variant, for the skus whose product is published."""


def _matchable(*texts: str) -> bool:
    """Whether stored text could equal these: no NUL (PostgreSQL refuses it in a query)."""
    return not any("\x00" in text for text in texts)


def normal_path(path: str) -> str:
    """`/shop/p` for `/shop/p/` and `shop/p`: the form paths are stored in."""
    return "/" + path.strip().strip("/")


class Storefront:
    """One request's reads of one tenant's published catalogue (see the module)."""

    def __init__(self, engine: Engine, tenant_id: str) -> None:
        self._engine = engine
        self.tenant_id = tenant_id
        self._connection: sa.Connection | None = None
        self._settings: TenantSettings | None = None
        self._root: ItemView | None = None
        self._items: dict[tuple[str, str], ItemView | None] = {}
        self._by_path: dict[tuple[str, str], tuple[Page, ItemView | None]] = {}
        self._shapes: dict[str, ShapeRecord | None] = {}
        self._pieces: dict[str, list[dict[str, Any]]] | None = None
        self._topics: dict[tuple[str, str], TopicView | None] = {}
        self.roots_found = False
        """Set by whoever looked for every root path of the request (see `find_paths`)."""

    # -- the connection -------------------------------------------------------------------

    @property
    def connection(self) -> sa.Connection:
        """Opened on first use, in the thread that answers the request."""
        if self._connection is None:
            self._connection = reading(self._engine)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- the tenant -----------------------------------------------------------------------

    @property
    def settings(self) -> TenantSettings:
        if self._settings is None:
            self._settings = read_settings(self.connection, self.tenant_id)
        return self._settings

    def language(self, asked: str | None) -> str:
        """The language asked for, else the tenant's first."""
        if asked is not None:
            return asked
        known = self.settings.languages
        return known[0].code if known else "en"

    def root(self, language: str) -> ItemView:
        """The tenant's root folder (virtual: no item row), named after the tenant."""
        if self._root is None:
            tenant = self.settings
            created = tenant.created_at
            self._root = ItemView(
                id=tenant.root_item_id,
                type="folder",
                shape_identifier="",
                language=language,
                version=PUBLISHED,
                name=tenant.identifier,
                components=[],
                parent_id="",
                position=0,
                path=ROOT_PATH,
                vat_type_id=None,
                external_reference=None,
                created_at=created,
                updated_at=created,
                published_at=None,
            )
        root = self._root
        return root if root.language == language else replace(root, language=language)

    # -- items ----------------------------------------------------------------------------

    def items(self, language: str, ids: Iterable[str]) -> dict[str, ItemView]:
        """id -> published view in `language`, for the ids that have one, in the order given."""
        wanted = list(dict.fromkeys(ids))
        missing = [item_id for item_id in wanted if (language, item_id) not in self._items]
        for chunk in chunked(missing):
            found = load_item_views(self.connection, self.tenant_id, chunk, language, PUBLISHED)
            for item_id in chunk:
                self._items[(language, item_id)] = found.get(item_id)
        views = ((item_id, self._items[(language, item_id)]) for item_id in wanted)
        return {item_id: view for item_id, view in views if view is not None}

    def find_paths(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Read the items at all these (language, path) at once, one page per language."""
        by_language: dict[str, list[str]] = {}
        for language, path in wanted:
            path = normal_path(path)
            if (language, path) not in self._by_path:
                by_language.setdefault(language, []).append(path)
        for language, paths in by_language.items():
            paths = list(dict.fromkeys(paths))
            if not _matchable(language):
                for path in paths:
                    self._by_path[(language, path)] = (Page(self, language, []), None)
                continue
            ids = self._item_ids_by_path(
                language, [p for p in paths if p != ROOT_PATH and _matchable(p)]
            )
            views = self.items(language, ids.values())
            shown = list(views.values())
            root = self.root(language) if ROOT_PATH in paths else None
            if root is not None:
                shown.insert(0, root)
            page = Page(self, language, shown)
            for path in paths:
                view = root if path == ROOT_PATH else views.get(ids.get(path, ""))
                self._by_path[(language, path)] = (page, view)

    def by_path(self, language: str, path: str) -> tuple[Page, ItemView | None]:
        """The item at `path` (canonical, alias or former path) and its page; None if none
        is published there in `language`."""
        key = (language, normal_path(path))
        if key not in self._by_path:
            self.find_paths([key])
        return self._by_path[key]

    def _item_ids_by_path(self, language: str, paths: Sequence[str]) -> dict[str, str]:
        p = _paths.c
        found: dict[str, str] = {}
        for chunk in chunked(paths):
            rows = self.connection.execute(
                sa.select(p.path, p.item_id).where(
                    p.tenant_id == self.tenant_id, p.language == language, p.path.in_(list(chunk))
                )
            )
            found.update({str(path): str(item_id) for path, item_id in rows})
        return found

    def child_ids(self, language: str, parent_ids: Sequence[str]) -> dict[str, list[str]]:
        """parent id -> its published children in `language` (placed there or shortcut), in
        their order."""
        found: dict[str, list[str]] = {}
        for chunk in chunked(parent_ids):
            for parent_id, item_id in self.connection.execute(
                self._children_query(language, list(chunk))
            ):
                found.setdefault(str(parent_id), []).append(str(item_id))
        return found

    def _children_query(self, language: str, parent_ids: list[str]) -> sa.Select[Any]:
        i, s, v = _items.c, _shortcuts.c, _versions.c

        def published(item_id: sa.ColumnElement[Any]) -> sa.Exists:
            return sa.exists().where(
                v.tenant_id == self.tenant_id,
                v.item_id == item_id,
                v.language == language,
                v.version == PUBLISHED,
            )

        placed = sa.select(
            i.parent_id.label("parent_id"), i.id.label("item_id"), i.position.label("position")
        ).where(i.tenant_id == self.tenant_id, i.parent_id.in_(parent_ids), published(i.id))
        shortcuts = sa.select(
            s.parent_id.label("parent_id"), s.item_id.label("item_id"), s.position
        ).where(s.tenant_id == self.tenant_id, s.parent_id.in_(parent_ids), published(s.item_id))
        both = sa.union_all(placed, shortcuts).subquery()
        return sa.select(both.c.parent_id, both.c.item_id).order_by(
            both.c.parent_id, both.c.position, both.c.item_id
        )

    def variants(self, language: str, skus: Sequence[str]) -> tuple[Page, dict[str, VariantEntry]]:
        """sku -> the published variant with its product, for the skus that name one."""
        skus = [sku for sku in skus if _matchable(language, sku)]
        keys = variants_by_sku(self.connection, self.tenant_id, skus) if skus else {}
        products = self.items(language, (key.product_id for key in keys.values()))
        page = Page(self, language, products.values())
        found: dict[str, VariantEntry] = {}
        for sku in skus:
            key = keys.get(sku)
            if key is None or (product := products.get(key.product_id)) is None:
                continue
            variant = next((v for v in product.variants if v.id == key.id), None)
            if variant is not None:
                found[sku] = VariantEntry(variant, product, page)
        return page, found

    # -- what items refer to --------------------------------------------------------------

    def shapes(self, identifiers: Iterable[str]) -> dict[str, ShapeRecord]:
        wanted = list(dict.fromkeys(x for x in identifiers if x))
        missing = [x for x in wanted if x not in self._shapes]
        if missing:
            found = shapes_by_identifier(self.connection, self.tenant_id, missing)
            for x in missing:
                self._shapes[x] = found.get(x)
        views = ((x, self._shapes[x]) for x in wanted)
        return {x: shape for x, shape in views if shape is not None}

    def piece(self, identifier: str) -> list[dict[str, Any]] | None:
        """A piece's component definitions. The tenant's pieces are few and read together."""
        if self._pieces is None:
            p = _pieces.c
            rows = self.connection.execute(
                sa.select(p.identifier, p.components).where(p.tenant_id == self.tenant_id)
            )
            self._pieces = {row.identifier: load(row.components) or [] for row in rows}
        return self._pieces.get(identifier)

    def topics(self, language: str, ids: Iterable[str]) -> dict[str, TopicView]:
        """The topics named in `language` (one without a name there is left out)."""
        wanted = list(dict.fromkeys(ids))
        missing = [x for x in wanted if (language, x) not in self._topics]
        for chunk in chunked(missing):
            found = topics_by_id(self.connection, self.tenant_id, chunk, language)
            for x in chunk:
                topic = found.get(x)
                self._topics[(language, x)] = None if topic is None or topic.name is None else topic
        views = ((x, self._topics[(language, x)]) for x in wanted)
        return {x: topic for x, topic in views if topic is not None}


class Page:
    """Items read together: what one needs next is read for all (see the module)."""

    def __init__(self, store: Storefront, language: str, views: Iterable[ItemView]) -> None:
        self.store = store
        self.language = language
        self.views = {view.id: view for view in views}
        self._child_ids: dict[str, list[str]] | None = None
        self._children: dict[tuple[int | None, str | None], tuple[Page, dict[str, list[str]]]] = {}
        self._relations: Relations | None = None
        self._topics_read = False
        self._shapes_read = False

    def children(
        self, item_id: str, first: int | None, after: str | None
    ) -> tuple[Page, list[ItemView]]:
        """The item's published children: `first` of them after the child `after` (none if
        `after` is not one). Read for every item of the page, in one page."""
        key = (first, after)
        if key not in self._children:
            if self._child_ids is None:
                self._child_ids = self.store.child_ids(self.language, list(self.views))
            chosen = {parent: _window(ids, first, after) for parent, ids in self._child_ids.items()}
            found = self.store.items(self.language, (x for ids in chosen.values() for x in ids))
            self._children[key] = (Page(self.store, self.language, found.values()), chosen)
        page, chosen = self._children[key]
        return page, [page.views[x] for x in chosen.get(item_id, []) if x in page.views]

    def shape(self, view: ItemView) -> ShapeRecord | None:
        if not self._shapes_read:
            self.store.shapes(v.shape_identifier for v in self.views.values())
            self._shapes_read = True
        return self.store.shapes([view.shape_identifier]).get(view.shape_identifier)

    def topics(self, view: ItemView) -> list[TopicView]:
        if not self._topics_read:
            self.store.topics(self.language, (t for v in self.views.values() for t in v.topic_ids))
            self._topics_read = True
        found = self.store.topics(self.language, view.topic_ids)
        return [found[t] for t in view.topic_ids if t in found]

    def relations(self) -> Relations:
        """Every item and variant the `itemRelations` content of the page's items names."""
        if self._relations is None:
            item_ids: list[str] = []
            skus: list[str] = []
            for view in self.views.values():
                for relation in related_in(view.components):
                    item_ids.extend(str(x) for x in relation.get("itemIds") or [])
                    skus.extend(str(x) for x in relation.get("skus") or [])
            skus = list(dict.fromkeys(skus))
            variant_page, variants = self.store.variants(self.language, skus)
            items = self.store.items(self.language, item_ids)
            page = Page(self.store, self.language, [*items.values(), *variant_page.views.values()])
            self._relations = Relations(
                page, {sku: VariantEntry(e.variant, e.product, page) for sku, e in variants.items()}
            )
        return self._relations


def related_in(content: Any) -> Iterator[dict[str, Any]]:
    """Every `itemRelations` value in stored component content, at any depth (chunks,
    choices, pieces)."""
    if isinstance(content, list):
        for entry in content:
            yield from related_in(entry)
    elif isinstance(content, dict):
        for key, value in content.items():
            if key == "itemRelations" and isinstance(value, dict):
                yield value
            elif isinstance(value, list | dict):
                yield from related_in(value)


def _window(ids: list[str], first: int | None, after: str | None) -> list[str]:
    start = 0
    if after is not None:
        if after not in ids:
            return []
        start = ids.index(after) + 1
    return ids[start:] if first is None else ids[start : start + first]
