"""The customer intents as a file declares them: structs and outputs.

What a validation worker process loads of customers (`IntentSchema`): it
imports no SQLAlchemy; `customers.intents` adds how to apply them.
Names and fields follow @crystallize/schema (src/mass-operation/customer.ts).
"""

from __future__ import annotations

from geode.customers.schemas import CustomerGroupInput, CustomerInput
from geode.massops.intents import IntentSchema, Ref, ref_field
from geode.schemas import UnsetType


class CustomerCreate(CustomerInput, tag_field="intent", tag="customer/create", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class CustomerUpdate(CustomerInput, tag_field="intent", tag="customer/update", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class CustomerUpsert(CustomerInput, tag_field="intent", tag="customer/upsert", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class CustomerGroupCreate(
    CustomerGroupInput, tag_field="intent", tag="customer/group/create", kw_only=True
):
    ref: Ref | UnsetType = ref_field()


class CustomerGroupUpdate(
    CustomerGroupInput, tag_field="intent", tag="customer/group/update", kw_only=True
):
    ref: Ref | UnsetType = ref_field()


class CustomerGroupUpsert(
    CustomerGroupInput, tag_field="intent", tag="customer/group/upsert", kw_only=True
):
    ref: Ref | UnsetType = ref_field()


_CUSTOMER_OUTPUT = frozenset(
    {
        "id", "identifier", "type", "email", "firstName", "middleName", "lastName",
        "companyName", "phone", "taxNumber", "birthDate",
    }
)  # fmt: skip
_GROUP_OUTPUT = frozenset({"id", "identifier", "name"})


class CustomerSchema(IntentSchema):
    name = "customers"
    operations = (
        CustomerCreate,
        CustomerUpdate,
        CustomerUpsert,
        CustomerGroupCreate,
        CustomerGroupUpdate,
        CustomerGroupUpsert,
    )
    key_fields = frozenset({"identifier"})
    lean_keys = True

    def outputs(self, intent: str) -> frozenset[str]:
        return _GROUP_OUTPUT if intent.startswith("customer/group/") else _CUSTOMER_OUTPUT
