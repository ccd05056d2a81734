"""The catalogue's intents as a file declares them: the `IntentSchema` of the
catalogue family, built from each kind's light part (`kinds.KindSchema`).

What a validation worker process loads of the catalogue: this module and the
`*_inputs` modules it names import no SQLAlchemy (`tests/massops/test_worker.py`
holds them to it); `family` adds how to apply the operations.
"""

from __future__ import annotations

from typing import Any

from geode.catalogue.intents.document_inputs import ItemSchema
from geode.catalogue.intents.flow_inputs import FlowSchema
from geode.catalogue.intents.image_inputs import ImageSchema
from geode.catalogue.intents.kinds import KindSchema
from geode.catalogue.intents.path_inputs import ItemPathSchema
from geode.catalogue.intents.piece_inputs import PieceSchema
from geode.catalogue.intents.pricelist_inputs import PriceListSchema
from geode.catalogue.intents.publishing_inputs import PublishingSchema
from geode.catalogue.intents.shape_inputs import ShapeSchema
from geode.catalogue.intents.subscription_inputs import ContractSchema
from geode.catalogue.intents.topic_inputs import TopicSchema
from geode.catalogue.intents.variant_intent_inputs import VariantSchema
from geode.massops.intents import IntentSchema

SCHEMA_KINDS: tuple[KindSchema, ...] = (
    PieceSchema(),
    ShapeSchema(),
    TopicSchema(),
    ItemSchema(),
    VariantSchema(),
    ItemPathSchema(),
    PublishingSchema(),
    FlowSchema(),
    PriceListSchema(),
    ContractSchema(),
    ImageSchema(),
)
"""Every kind, in dependency order (the order `family.KINDS` keeps too)."""

_KIND_OF: dict[str, KindSchema] = {
    struct.__struct_config__.tag: kind for kind in SCHEMA_KINDS for struct in kind.operations
}


def kind_schema(op: Any) -> KindSchema:
    return _KIND_OF[op.__struct_config__.tag]


class CatalogueSchema(IntentSchema):
    name = "catalogue"
    operations = tuple(struct for kind in SCHEMA_KINDS for struct in kind.operations)
    key_fields = frozenset(field for kind in SCHEMA_KINDS for field in kind.key_fields)

    def outputs(self, intent: str) -> frozenset[str]:
        return _KIND_OF[intent].outputs(intent)

    def dependencies(self, op: Any) -> tuple[list[str], list[str]]:
        kind = kind_schema(op)
        return kind.provides(op), kind.needs(op)
