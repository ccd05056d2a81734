"""The intent registry: what the engine knows of the families the app assembles."""

from __future__ import annotations

import pytest

from geode.assembly.intent_schemas import intent_schemas
from geode.assembly.intents import intent_registry
from geode.customers.intents import CustomerIntents
from geode.massops.intents import IntentRegistry, load_registry


def test_every_intent_belongs_to_one_family_and_publishes_its_outputs() -> None:
    schema = intent_registry.json_schema()
    for intent, struct in intent_registry.intents.items():
        assert intent_registry.family_of[intent].operations.count(struct) == 1
        definition = schema["$defs"][struct.__name__]
        assert definition["x-geode-ref-outputs"] == sorted(intent_registry.outputs[intent])
        assert definition["properties"]["intent"]["enum"] == [intent]


def test_an_intent_registered_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="customer/create"):
        IntentRegistry([CustomerIntents(), CustomerIntents()], locator="x:y")


def test_a_worker_process_finds_the_families_schemas_by_the_registry_locator() -> None:
    assert load_registry(intent_registry.locator) is intent_schemas
    assert load_registry("geode.assembly.intents:intent_registry") is intent_registry
    with pytest.raises(TypeError):
        load_registry("geode.assembly.intents:__name__")
