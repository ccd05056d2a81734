"""Every intent family's schema, in the order of `intents.intent_registry`: what a
validation worker process loads (`python -m geode.massops.worker`, by the
registry's locator).

Light on purpose: the schema modules import msgspec, `geode.schemas`,
`geode.limits` and the catalogue's component checks, never SQLAlchemy, the
driver, the ORM models or a writer, so that a worker holds ~18 MB rather than
~65 (the main process keeps the full registry). `tests/massops/test_worker.py`
keeps it so, and keeps both registries declaring the same intents.
"""

from __future__ import annotations

from geode.catalogue.intents.schema import CatalogueSchema
from geode.customers.intent_inputs import CustomerSchema
from geode.massops.intents import IntentSchemas
from geode.orders.intent_inputs import OrderSchema

intent_schemas = IntentSchemas(
    [CustomerSchema(), OrderSchema(), CatalogueSchema()],
    locator="geode.assembly.intent_schemas:intent_schemas",
)
