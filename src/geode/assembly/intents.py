"""Every intent family a mass-operation file may use.

Validation worker processes import this module by its locator, so it imports
only what checking and running operations needs.
"""

from __future__ import annotations

from geode.catalogue.intents import CatalogueIntents
from geode.customers.intents import CustomerIntents
from geode.massops.intents import BuiltinRef, IntentRegistry
from geode.orders.intents import OrderIntents
from geode.tenants.settings import tenant_defaults

intent_registry = IntentRegistry(
    [CustomerIntents(), OrderIntents(), CatalogueIntents()],
    locator="geode.assembly.intents:intent_registry",
    # `{{ defaults.rootItemId }}`, as in Crystallize's own runner.
    builtins={"defaults": BuiltinRef(frozenset({"rootItemId"}), tenant_defaults)},
)
