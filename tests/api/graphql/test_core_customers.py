"""Customers in the Core API: seed 001's mutations and the documents Crystallize's
own client sends (../shared/research/crystallize-documents.txt), verbatim but
for the ids, against a running server on both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.graphql.conftest import CoreClient

CREATE_INDIVIDUAL = """mutation CreateIndividual {
customer {
createIndividual(
input: {
tenantId: "%s"
firstName: "Jane"
lastName: "Smith"
email: "jane@example.com"
phone: "+1234567890"
addresses: [
{ type: "delivery", street: "123 Main St", city: "New York", postalCode: "10001", country: "US" }
]
}
) {
... on Customer {
id
identifier
}
}
}
}"""

CREATE_ORGANIZATION = """mutation CreateOrganization {
customer {
createOrganization(
input: { tenantId: "%s", name: "Acme Corp", email: "contact@acme.com", taxId: "XX123456789" }
) {
... on Customer {
id
identifier
}
}
}
}"""

UPDATE_CUSTOMER = """mutation UpdateCustomer {
customer {
update(id: "%s", input: { firstName: "Jane", lastName: "Doe" }) {
... on Customer {
id
}
}
}
}"""

DELETE_CUSTOMER = """mutation DeleteCustomer {
customer {
delete(id: "%s") {
... on Customer {
id
}
... on BasicError {
errorName
message
}
}
}
}"""

# crystallize-documents.txt, one line each, as the client sends them.
CREATE_CUSTOMER = 'mutation { createCustomer (input: {identifier: "jane@x.com", email: "jane@x.com", firstName: "Jane", lastName: "Doe", type: individual}) { ... on Customer { identifier } ... on BasicError { errorName message } } }'
UPDATE_CUSTOMER_DOC = 'mutation { updateCustomer (identifier: "jane@x.com", input: {firstName: "J"}) { ... on Customer { identifier } ... on BasicError { errorName message } } }'
CUSTOMER_QUERY = 'query { customer (identifier: "jane@x.com") { ... on Customer { identifier email firstName lastName } ... on BasicError { errorName message } } }'
CREATE_GROUP = 'mutation { createCustomerGroup (input: {identifier: "vip", name: "VIP"}) { ... on CustomerGroup { identifier } ... on BasicError { errorName message } } }'

READ = """query($identifier: String!) { customer(identifier: $identifier) {
  ... on Customer { id identifier type email firstName lastName companyName phone taxNumber
    addresses { type street city postalCode country } }
  ... on BasicError { errorName message code } } }"""


def read(core: CoreClient, identifier: str) -> dict[str, Any]:
    return core.data(READ, {"identifier": identifier})["customer"]  # type: ignore[no-any-return]


def test_create_individual_as_the_seed_writes_it(core: CoreClient) -> None:
    created = core.data(CREATE_INDIVIDUAL % core.tenant.id)["customer"]["createIndividual"]
    assert created["identifier"] == "jane@example.com"  # the email, as no identifier was given
    assert len(created["id"]) == 24
    assert read(core, "jane@example.com") == {
        "id": created["id"], "identifier": "jane@example.com", "type": "individual",
        "email": "jane@example.com", "firstName": "Jane", "lastName": "Smith",
        "companyName": None, "phone": "+1234567890", "taxNumber": None,
        "addresses": [{"type": "delivery", "street": "123 Main St", "city": "New York",
                       "postalCode": "10001", "country": "US"}],
    }  # fmt: skip


def test_create_organization_as_the_seed_writes_it(core: CoreClient) -> None:
    created = core.data(CREATE_ORGANIZATION % core.tenant.id)["customer"]["createOrganization"]
    assert created["identifier"] == "contact@acme.com"
    found = read(core, "contact@acme.com")
    assert found["id"] == created["id"]
    assert (found["type"], found["companyName"], found["taxNumber"], found["firstName"]) == (
        "organization", "Acme Corp", "XX123456789", None,
    )  # fmt: skip


def test_update_customer_as_the_seed_writes_it(core: CoreClient) -> None:
    created = core.data(CREATE_INDIVIDUAL % core.tenant.id)["customer"]["createIndividual"]
    updated = core.data(UPDATE_CUSTOMER % created["id"])["customer"]["update"]
    assert updated == {"id": created["id"]}
    found = read(core, "jane@example.com")
    assert (found["firstName"], found["lastName"], found["phone"]) == ("Jane", "Doe", "+1234567890")


def test_delete_customer_as_the_seed_writes_it(core: CoreClient) -> None:
    created = core.data(CREATE_INDIVIDUAL % core.tenant.id)["customer"]["createIndividual"]
    deleted = core.data(DELETE_CUSTOMER % created["id"])["customer"]["delete"]
    assert deleted == {"id": created["id"]}
    again = core.data(DELETE_CUSTOMER % created["id"])["customer"]["delete"]
    assert again["errorName"] == "BasicError"
    assert created["id"] in again["message"]
    assert "createCustomer" in again["message"]
    gone = read(core, "jane@example.com")
    assert (gone["errorName"], gone["code"]) == ("BasicError", "not_found")


def test_the_client_documents_in_order(core: CoreClient) -> None:
    assert core.data(CREATE_CUSTOMER) == {"createCustomer": {"identifier": "jane@x.com"}}
    assert core.data(UPDATE_CUSTOMER_DOC) == {"updateCustomer": {"identifier": "jane@x.com"}}
    assert core.data(CUSTOMER_QUERY) == {"customer": {
        "identifier": "jane@x.com", "email": "jane@x.com", "firstName": "J", "lastName": "Doe",
    }}  # fmt: skip
    assert core.data(CREATE_GROUP) == {"createCustomerGroup": {"identifier": "vip"}}


def test_the_client_documents_answer_errors_a_user_can_act_on(core: CoreClient) -> None:
    missing = core.data(UPDATE_CUSTOMER_DOC)["updateCustomer"]
    assert missing["errorName"] == "BasicError"
    assert "'jane@x.com'" in missing["message"] and "createCustomer" in missing["message"]
    assert core.data(CUSTOMER_QUERY)["customer"]["errorName"] == "BasicError"
    core.data(CREATE_CUSTOMER)
    twice = core.data(CREATE_CUSTOMER)["createCustomer"]
    assert twice["errorName"] == "BasicError"
    assert twice["message"] == (
        "customer 'jane@x.com' already exists; change it with updateCustomer or customer.update"
    )
    core.data(CREATE_GROUP)
    group_twice = core.data(CREATE_GROUP)["createCustomerGroup"]
    assert group_twice["message"].startswith("customer group 'vip' already exists")


def test_a_bad_field_is_named_with_the_file_check(core: CoreClient) -> None:
    answer = core.data(
        'mutation { createCustomer(input: {identifier: "x", email: "not an email"}) { '
        "... on BasicError { errorName message code detail } } }"
    )["createCustomer"]
    assert answer["errorName"] == "BasicError"
    assert answer["message"].startswith("input.email:")
    assert [problem["path"] for problem in answer["detail"]] == ["input.email"]


def test_create_without_identifier_or_email_is_refused(core: CoreClient) -> None:
    answer = core.data(
        'mutation { customer { createIndividual(input: {firstName: "No", lastName: "Mail"}) { '
        "... on BasicError { errorName message } } } }"
    )["customer"]["createIndividual"]
    assert answer["errorName"] == "BasicError"
    assert answer["message"].startswith("input.identifier:")


def test_a_tenant_id_of_another_tenant_is_a_basic_error(core: CoreClient) -> None:
    answer = core.data(
        CREATE_INDIVIDUAL.replace("id\nidentifier", "id\n}\n... on BasicError {\nmessage")
        % ("0" * 24)
    )["customer"]["createIndividual"]
    assert "not the id of tenant" in answer["message"]
    assert read(core, "jane@example.com")["errorName"] == "BasicError"  # nothing written


def test_a_customer_of_a_file_is_updated_and_deleted_by_identifier(
    core: CoreClient, tmp_path: Path
) -> None:
    core.run_file(tmp_path, [
        {"intent": "customer/create", "identifier": "c-1", "firstName": "File",
         "meta": [{"key": "source", "value": "erp"}]},
    ])  # fmt: skip
    updated = core.data(
        'mutation { customer { update(id: "c-1", input: { lastName: "Made" }) { '
        "... on Customer { id identifier firstName lastName meta { key value } } } } }"
    )["customer"]["update"]
    assert updated["identifier"] == "c-1"
    assert (updated["firstName"], updated["lastName"]) == ("File", "Made")
    assert updated["meta"] == [{"key": "source", "value": "erp"}]
    by_id = core.data(
        "query($id: ID!) { customer(id: $id) { ... on Customer { identifier } } }",
        {"id": updated["id"]},
    )
    assert by_id == {"customer": {"identifier": "c-1"}}
    assert core.data(DELETE_CUSTOMER % "c-1")["customer"]["delete"] == {"id": updated["id"]}


def test_groups_and_parents(core: CoreClient) -> None:
    core.data(CREATE_GROUP)
    answer = core.data(
        'mutation { createCustomer(input: {identifier: "member", type: organization, '
        'parents: [{identifier: "vip", type: "customerGroup"}]}) { '
        "... on Customer { type parents { identifier type } } } }"
    )["createCustomer"]
    assert answer == {
        "type": "organization",
        "parents": [{"identifier": "vip", "type": "customerGroup"}],
    }
