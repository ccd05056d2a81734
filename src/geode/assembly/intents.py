"""Every intent family a mass-operation file may use.

Validation worker processes do not import this module (it imports every
family's writers, SQLAlchemy and the driver): they import the same families'
schemas from `intent_schemas`, which the registry's locator names.
"""

from __future__ import annotations

from geode.catalogue.intents.family import CatalogueIntents
from geode.customers.intents import CustomerIntents
from geode.massops.intents import BuiltinRef, IntentRegistry
from geode.orders.intents import OrderIntents
from geode.tenants.settings import tenant_defaults

intent_registry = IntentRegistry(
    [CustomerIntents(), OrderIntents(), CatalogueIntents()],
    locator="geode.assembly.intent_schemas:intent_schemas",
    # `{{ defaults.rootItemId }}`, as in Crystallize's own runner.
    builtins={"defaults": BuiltinRef(frozenset({"rootItemId"}), tenant_defaults)},
)
