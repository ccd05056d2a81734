"""Corpus of the catalogue intents (issue 11): items, shapes, pieces, variants, assets,
tree paths, topics, flows, price lists and subscription contracts."""

from __future__ import annotations

from typing import Any

from tests.conformance.corpus_operations import DELETE, ID, OTHER_ID, Intent

_TREE = {"tree": {"parentId": ID, "position": 0}}
_ITEM_BASE = {"language": "en", "name": "About us", "shapeIdentifier": "page", **_TREE}
_ITEM_REQUIRED = ("language", "name", "shapeIdentifier", "tree", "tree.parentId")
_COMPONENTS = [
    {"componentId": "title", "singleLine": {"text": "About us"}},
    {"componentId": "body", "richText": {"html": ["<p>Hello</p>"]}},
    {"componentId": "weight", "numeric": {"number": 1.5, "unit": "kg"}},
    {"componentId": "size", "selection": {"keys": ["m"]}},
    {"componentId": "related", "itemRelations": {"itemIds": [OTHER_ID]}},
    {"componentId": "photos", "images": [{"key": "images/tee.jpg", "altText": "Tee"}]},
    {"componentId": "specs", "contentChunk": {"chunks": [[{"componentId": "k", "boolean": {"value": True}}]]}},
]  # fmt: skip
_ITEM_EXTRA = {
    "resourceIdentifier": "about",
    "externalReference": "cms-1",
    "createdAt": "2024-05-01T12:30:00Z",
    "topicIds": [OTHER_ID],
    "components": _COMPONENTS,
    "_ref": "about",
}
_VARIANT = {"sku": "tee-m", "name": "Tee M"}
_VARIANT_FULL = {
    **_VARIANT,
    "isDefault": True,
    "externalReference": "erp-1",
    "attributes": [{"attribute": "size", "value": "M"}],
    "images": [{"key": "images/tee-m.jpg"}],
    "priceVariants": [{"identifier": "default", "price": 25}],
    "stockLocations": [{"identifier": "main", "stock": 10}],
}
_PRODUCT = {**_ITEM_BASE, "name": "Tee", "shapeIdentifier": "tee", "vatTypeId": ID}
_ID_CASES = [("without itemId or resourceIdentifier", "invalid", {"itemId": DELETE}, None)]


def _items(kind: str) -> list[Intent]:
    minimal = _PRODUCT | {"variants": [_VARIANT]} if kind == "product" else _ITEM_BASE
    extra = _ITEM_EXTRA | ({"variants": [_VARIANT_FULL]} if kind == "product" else {})
    required = _ITEM_REQUIRED + (("vatTypeId", "variants") if kind == "product" else ())
    wrong = {"tree.parentId": "root", "tree.position": -1, "topicIds.0": "summer"}
    wrong |= {"components.0.componentId": "", "name": 5}
    cases = [("a component with a wrong content type", "invalid",
              {"components.0.singleLine": {"text": 5}}, None)]  # fmt: skip
    if kind == "product":
        wrong |= {"variants": [], "vatTypeId": "standard", "variants.0.priceVariants.0.price": "25"}
    update_id = {"language": "en", "itemId": ID}
    return [
        Intent(f"{kind}/create", minimal, extra, required, wrong=wrong, cases=cases),
        Intent(f"{kind}/update", update_id, {"name": "Renamed", **_TREE}, ("language",),
               wrong={"tree.parentId": "root"}, cases=_ID_CASES),
        Intent(f"{kind}/upsert", minimal | {"itemId": ID}, extra, required, wrong=wrong,
               cases=[("without itemId (the reference does not require one)", "valid",
                       {"itemId": DELETE}, None)]),
    ]  # fmt: skip


def _item_actions() -> list[Intent]:
    by_id = {"itemId": ID}
    component = {"componentId": "title", "singleLine": {"text": "Hi"}}
    return [
        Intent("item/delete", by_id, {"_ref": "deleted"}, wrong={"itemId": "about"},
               cases=_ID_CASES),
        Intent("item/publish", by_id | {"language": "en"}, {"includeDescendants": True},
               ("language",), wrong={"includeDescendants": "yes"}, cases=_ID_CASES),
        Intent("item/unpublish", by_id | {"language": "en"}, {"includeDescendants": False},
               ("language",), wrong={"language": ""}, cases=_ID_CASES),
        Intent("item/updateComponent/item", by_id | {"language": "en", "component": component},
               required=("language", "component", "component.componentId"),
               wrong={"component.singleLine": "Hi"}, cases=_ID_CASES),
        Intent("item/updateComponent/sku", {"sku": "tee-m", "language": "en",
                                            "component": component},
               required=("sku", "language", "component"), wrong={"sku": 5}),
        Intent("item/flow/stage/addItems",
               {"stageIdentifier": "review", "items": [{"id": ID}]},
               {"moveFromFlowIdentifier": "editorial",
                "items": [{"id": ID, "language": "en", "version": "draft"}],
                "actionConfig": [{"stageIdentifier": "review",
                                  "waitIndividual": {"until": "2024-06-01T00:00:00Z"}}]},
               ("stageIdentifier", "items", "items.0.id"),
               enums={"items.0.version": "final"}, wrong={"items": [], "items.0.id": "x"}),
    ]  # fmt: skip


def _shapes() -> list[Intent]:
    components = [
        {"id": "title", "type": "singleLine", "name": "Title",
         "config": {"singleLine": {"required": True}}},
        {"id": "size", "type": "selection", "name": "Size",
         "config": {"selection": {"options": [{"key": "m", "value": "M"}]}}},
    ]  # fmt: skip
    extra = {"components": components, "variantComponents": components[:1],
             "meta": {"key": "owner", "value": "web"}}  # fmt: skip
    shape = {"identifier": "tee", "name": "Tee", "type": "product"}
    wrong = {"identifier": "t", "meta": [{"key": "owner"}], "components.0.name": ""}
    enums = {"components.0.type": "text"}
    piece = {"identifier": "seo", "name": "SEO"}
    piece_extra = {"components": components[:1]}
    return [
        Intent("shape/create", shape, extra, ("identifier", "name", "type", "components.0.id"),
               enums | {"type": "bundle"}, wrong),
        Intent("shape/update", {"identifier": "tee", "name": "Tee"}, extra,
               ("identifier", "name"), enums, wrong),
        Intent("shape/upsert", shape, extra, ("identifier", "name", "type"),
               {"type": "bundle"}, wrong | {"identifier": "t" * 65}),
    ] + [
        Intent(f"piece/{verb}", piece, piece_extra, ("identifier", "name"), enums,
               {"identifier": "s", "components": {"id": "x"}})
        for verb in ("create", "update", "upsert")
    ]  # fmt: skip


def _variants() -> list[Intent]:
    create = {"productId": ID, "language": "en", **_VARIANT}
    extra = {k: v for k, v in _VARIANT_FULL.items() if k not in _VARIANT}
    wrong = {"productId": "tee", "priceVariants.0.price": True, "attributes.0.value": 5}
    money_text = [("a price as a decimal string", "invalid",
                   {"priceVariants": [{"identifier": "default", "price": "25"}]},
                   "money-as-string")]  # fmt: skip
    stock = {"sku": "tee-m", "stockLocationIdentifier": "main", "operation": "increase",
             "quantity": 5}  # fmt: skip
    price = {"sku": "tee-m", "priceVariantIdentifier": "default", "price": 10}
    return [
        Intent("product/variant/create", create, extra, ("productId", "language", "sku", "name"),
               wrong=wrong, cases=money_text),
        Intent("product/variant/update", {"sku": "tee-m", "language": "en"},
               {k: v for k, v in extra.items() if k != "isDefault"}, ("sku", "language"),
               wrong={"sku": "", "stockLocations.0.stock": "ten"},
               cases=[("isDefault, which the reference's update drops", "valid",
                       {"isDefault": True}, "unknown-keys")]),
        Intent("product/variant/upsert", create, extra, ("productId", "language", "sku", "name"),
               wrong=wrong, cases=money_text),
        Intent("product/variant/delete", {"sku": "tee-m"}, {"_ref": "gone"}, ("sku",),
               wrong={"sku": ""}),
        Intent("product/variant/stock/modify", stock, {}, tuple(stock),
               {"operation": "set"}, {"quantity": 0, "sku": ""},
               cases=[("a fractional quantity", "invalid", {"quantity": 1.5}, None)]),
        Intent("product/variant/price/modify", price, {}, tuple(price),
               wrong={"price": 0.5, "priceVariantIdentifier": ""}),
        Intent("image/register", {"key": "images/tee.jpg"},
               {"language": "en", "resourceIdentifier": "tee-image"}, ("key",),
               wrong={"key": "", "language": ""}),
    ]  # fmt: skip


def _paths() -> list[Intent]:
    specs = []
    for verb in ("add", "set", "remove"):
        for kind in ("Aliases", "History"):
            specs.append(
                Intent(f"item/paths/{verb}{kind}", {"itemId": ID, "language": "en",
                                                     "paths": ["/shop/tee"]},
                       {"_ref": "paths"}, ("language", "paths"),
                       wrong={"paths.0": "", "paths": "/shop/tee"}, cases=_ID_CASES)
            )  # fmt: skip
    shortcuts = {"itemId": ID, "shortcuts": [{"parentId": OTHER_ID, "position": 1}]}
    for verb in ("add", "set"):
        specs.append(
            Intent(f"item/paths/{verb}Shortcuts", shortcuts, {}, ("shortcuts", "shortcuts.0.parentId"),
                   wrong={"shortcuts.0.position": 1.5}, cases=_ID_CASES)
        )  # fmt: skip
    specs.append(
        Intent("item/paths/removeShortcuts", {"itemId": ID, "parentIds": [OTHER_ID]}, {},
               ("parentIds",), wrong={"parentIds.0": "root"}, cases=_ID_CASES)
    )  # fmt: skip
    return specs


def _topics() -> list[Intent]:
    create = {"language": "en", "name": "Summer"}
    extra = {"parentId": OTHER_ID, "pathIdentifier": "summer", "displayColor": "#ffcc00",
             "meta": [{"key": "season", "value": "yes"}], "resourceIdentifier": "summer",
             "children": [{"name": "Beach", "children": [{"name": "Towels"}]}]}  # fmt: skip
    by_id = {"language": "en", "topicId": ID}
    no_id = ("without topicId or resourceIdentifier", "invalid", {"topicId": DELETE}, None)
    return [
        Intent("topic/create", create, extra, ("language", "name", "children.0.name"),
               wrong={"parentId": "summer", "children": {"name": "x"}}),
        Intent("topic/update", by_id, {"name": "Sommer", "displayColor": None}, ("language",),
               wrong={"parentId": "x"}, cases=[no_id]),
        Intent("topic/upsert", create | {"topicId": ID}, extra, ("language", "name"),
               wrong={"topicId": "summer"},
               cases=[(*no_id[:2], {"topicId": DELETE, "resourceIdentifier": DELETE}, None)]),
        Intent("topic/delete", {"topicId": ID}, {}, wrong={"topicId": "summer"},
               cases=[("without topicId or resourceIdentifier", "invalid", {"topicId": DELETE},
                       None)]),
    ]  # fmt: skip


def _flows() -> list[Intent]:
    flow = {"identifier": "editorial", "name": "Editorial", "type": "item",
            "stages": [{"identifier": "draft", "name": "Draft"}]}  # fmt: skip
    extra = {
        "meta": [{"key": "team", "value": "web"}],
        "restrictions": {"item": {"acceptedShapeIdentifiers": ["page"]}},
        "stages": [
            {"identifier": "draft", "name": "Draft", "actions": [
                {"action": "move", "move": {"targetStageIdentifier": "review"}}]},
            {"identifier": "review", "name": "Review", "actions": [
                {"action": "waitRelative", "waitRelative": {"days": 2}}]},
        ],
    }  # fmt: skip
    required = ("identifier", "name", "type", "stages", "stages.0.identifier")
    enums = {"stages.0.actions.0.action": "teleport"}
    return [
        Intent("flow/create", flow, extra, required, enums | {"type": "order"},
               {"stages.0.name": ""}),
        Intent("flow/update", {"identifier": "editorial"}, {"name": "Editorial 2"},
               ("identifier",), wrong={"name": ""}),
        Intent("flow/upsert", flow, extra, required, enums, {"identifier": ""}),
    ]  # fmt: skip


def _pricelists() -> list[Intent]:
    create: dict[str, Any] = {
        "identifier": "vip", "name": "VIP", "modifierType": "PERCENTAGE",
        "priceVariants": [{"identifier": "default", "modifier": -10}],
        "selectedProductVariants": {"type": "ALL_SKUS"}, "targetAudience": {"type": "EVERYONE"},
    }  # fmt: skip
    extra = {
        "startDate": "2024-06-01T00:00:00Z", "endDate": None,
        "selectedProductVariants": {"type": "SOME_SKUS", "variants": [
            {"sku": "tee-m", "priceVariants": [{"identifier": "default", "modifier": 5,
                                                "decimalPlaces": 2}]}]},
        "targetAudience": {"type": "SOME", "customerGroupIdentifiers": ["vip"]},
    }  # fmt: skip
    required = ("identifier", "name", "modifierType", "priceVariants",
                "selectedProductVariants", "targetAudience", "selectedProductVariants.type")  # fmt: skip
    enums = {"modifierType": "FIXED", "targetAudience.type": "SOMEONE"}
    wrong = {"priceVariants": [], "startDate": "soon"}
    cases = [("a modifier as a decimal string", "invalid", {"priceVariants.0.modifier": "-10"},
              "money-as-string")]  # fmt: skip
    return [
        Intent("pricelist/create", create, extra, required, enums, wrong, cases=cases),
        Intent("pricelist/update", {"identifier": "vip"}, {"name": "VIP 2"}, ("identifier",),
               {"modifierType": "FIXED"}, {"name": ""}),
        Intent("pricelist/upsert", create, extra, required, enums, wrong, cases=cases),
        Intent("pricelist/selectedProductVariants/upsert",
               {"identifier": "vip", "variants": [{"sku": "tee-m"}]}, {},
               ("identifier", "variants", "variants.0.sku"), wrong={"variants.0.sku": ""}),
        Intent("pricelist/selectedProductVariants/remove",
               {"identifier": "vip", "skus": ["tee-m"]}, {}, ("identifier", "skus"),
               wrong={"skus.0": ""}),
    ]  # fmt: skip


def _contracts() -> list[Intent]:
    create = {
        "customerIdentifier": "ada",
        "subscriptionPlan": {"identifier": "box", "periodId": ID, "periodName": "Monthly"},
        "status": {}, "item": {"sku": "box"}, "recurring": {"currency": "EUR", "price": 9.9},
    }  # fmt: skip
    extra = {
        "signedAt": "2024-05-01T00:00:00Z", "initial": {"currency": "EUR", "price": 0,
                                                        "period": 1, "unit": "month"},
        "status": {"activateAt": "2024-05-01T00:00:00Z"},
        "addresses": [{"type": "billing", "city": "Oslo"}],
        "payment": {"provider": "klarna", "klarna": {"orderId": "k1"}},
        "meta": [{"key": "source", "value": "web"}], "resourceIdentifier": "contract-1",
    }  # fmt: skip
    required = ("customerIdentifier", "subscriptionPlan", "status", "item", "recurring",
                "subscriptionPlan.periodId", "recurring.price")  # fmt: skip
    enums = {"recurring.unit": "hour", "payment.provider": "iou"}
    wrong = {"subscriptionPlan.periodId": "monthly", "recurring.period": 1.5}
    return [
        Intent("subscription-contract/create", create, extra, required, enums, wrong),
        Intent("subscription-contract/update", {"id": ID}, {"item": {"sku": "box2"}}, (),
               wrong={"id": "contract-1"},
               cases=[("without id or resourceIdentifier", "invalid", {"id": DELETE}, None)]),
        Intent("subscription-contract/upsert", create | {"id": ID}, extra, required, enums, wrong),
    ]  # fmt: skip


CATALOGUE: dict[str, list[Intent]] = {
    "item": _items("document") + _items("folder") + _items("product") + _item_actions(),
    "shape": _shapes(),
    "product-variant": _variants(),
    "item-tree-node": _paths(),
    "topic": _topics(),
    "flow": _flows(),
    "pricelist": _pricelists(),
    "subscription-contract": _contracts(),
}
