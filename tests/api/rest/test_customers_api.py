"""The seven batch types end to end over HTTP, and the per-customer reads they feed."""

from __future__ import annotations

from typing import Any

import httpx

from geode.tenants.service import TenantInfo
from tests.api.rest.conftest import LiveServer, wait_for

BATCH = "/api/v4.0/integrations/batch"
API = "/api/v4.0/integrations"


def run(client: httpx.Client, type_: str, body: list[dict[str, Any]]) -> dict[str, Any]:
    response = client.post(f"{BATCH}/{type_}", json={"body": body})
    assert response.status_code == 202, response.text
    return wait_for(client, f"{BATCH}/{response.json()['jobId']}", "completed", "failed")


def test_a_customer_through_every_batch_type(server: LiveServer, tenant: TenantInfo) -> None:
    with server.client(tenant) as client:
        assert (
            client.put(
                f"{API}/loyalty/program",
                json={"earnRate": 2, "pointValue": 0.05, "currency": "NOK"},
            ).status_code
            == 200
        )
        assert client.get(f"{API}/loyalty/program").json() == {
            "earnRate": 2,
            "pointValue": 0.05,
            "currency": "NOK",
        }

        created = run(client, "customers", [
            {"customerId": "12345", "email": "john.doe@example.com", "name": "John Doe", "gender": "M",
             "dateOfBirth": "1990-01-01", "joinDate": "2022-01-01", "tags": ["vip"],
             "custom": {"favorite_color": "blue", "loyalty_points": 1500}},
            {"customerId": "bad", "email": "not-an-email"},
        ])  # fmt: skip
        assert created["status"] == "completed"
        assert created["response"]["successful"] == [
            {"customerId": "12345", "message": "Customer created successfully"}
        ]
        assert created["response"]["failed"][0]["customerId"] == "bad"
        assert "body[1].email" in created["response"]["failed"][0]["error"]

        orders = run(client, "orders", [
            {"customerId": "12345", "orderId": "o-1", "orderDate": "2025-03-14T10:00:00Z", "totalPaid": 99.95},
            {"customerId": "12345", "orderId": "o-1", "orderDate": "2025-03-14T10:00:00Z", "totalPaid": 99.95},
        ])  # fmt: skip
        assert [i["orderId"] for i in orders["response"]["successful"]] == ["o-1"]
        assert "o-1" in orders["response"]["failed"][0]["error"]

        cashback = run(client, "cashback", [
            {"customerId": "12345", "transactionId": "t1", "transactionTime": "2025-03-14T10:00:00Z", "amount": 99.95},
        ])  # fmt: skip
        assert cashback["response"]["successful"][0]["transactionId"] == "t1"
        redeem = run(client, "redeem", [
            {"customerId": "12345", "transactionId": "r1", "transactionTime": "2025-03-14T11:00:00Z", "points": 1000},
            {"customerId": "12345", "transactionId": "r2", "transactionTime": "2025-03-14T11:00:00Z", "points": 50},
        ])  # fmt: skip
        assert redeem["errorCount"] == 1 and redeem["finishedCount"] == 1
        assert redeem["response"]["failed"][0]["transactionId"] == "r1"
        run(
            client,
            "balance-adjustment",
            [{"customerId": "12345", "amount": 10, "reason": "goodwill"}],
        )

        inquiry = run(
            client, "balance-inquiry", [{"customerId": "12345"}, {"customerId": "nobody"}]
        )
        # 99.95 * 2 = 199 points (rounded down) - 50 + 10 = 159; 159 * 0.05 = 7.95 NOK
        assert inquiry["response"]["successful"] == [
            {"customerId": "12345", "pointsBalance": 159, "pointsValue": 7.95, "currency": "NOK"}
        ]
        assert inquiry["response"]["failed"][0]["customerId"] == "nobody"
        assert (
            client.get(f"{API}/customers/12345/loyalty").json()
            == inquiry["response"]["successful"][0]
        )
        ledger = client.get(f"{API}/customers/12345/loyalty/entries").json()
        assert [(e["kind"], e["points"], e["balanceAfter"]) for e in ledger["entries"]] == [
            ("cashback", 199, 199), ("redeem", -50, 149), ("adjustment", 10, 159),
        ]  # fmt: skip

        run(
            client,
            "events",
            [
                {
                    "customerId": "12345",
                    "events": {"viewed": {"sku": "s1", "price": 12.50}, "login": None},
                }
            ],
        )
        events = client.get(f"{API}/customers/12345/events").json()
        assert [(e["eventName"], e["metadata"]) for e in events["events"]] == [
            ("viewed", {"sku": "s1", "price": 12.50}), ("login", None),
        ]  # fmt: skip
        assert events["next"] is None
        page = client.get(f"{API}/customers/12345/events", params={"limit": 1}).json()
        assert [e["eventName"] for e in page["events"]] == ["viewed"]
        rest = client.get(f"{API}/customers/12345/events", params={"after": page["next"]}).json()
        assert [e["eventName"] for e in rest["events"]] == ["login"]
        assert (
            client.get(f"{API}/customers/12345/events", params={"eventName": "login"}).json()[
                "events"
            ][0]["eventName"]
            == "login"
        )

        for path in (
            "/customers/nobody/events",
            "/customers/nobody/loyalty",
            "/customers/nobody/loyalty/entries",
        ):
            response = client.get(f"{API}{path}")
            assert response.status_code == 404
            assert "create it with the customers batch type" in response.json()["error"]


def test_reads_are_per_tenant(server: LiveServer, tenant: TenantInfo) -> None:
    from geode.tenants.service import create_tenant

    with server.app.engine.begin() as connection:
        other = create_tenant(connection, f"x-{tenant.identifier}")
    with server.client(tenant) as mine, server.client(other) as theirs:
        run(mine, "customers", [{"customerId": "c1"}])
        assert mine.get(f"{API}/customers/c1/loyalty").status_code == 200
        assert theirs.get(f"{API}/customers/c1/loyalty").status_code == 404
        assert theirs.get(f"{API}/customers/c1/events").status_code == 404


def test_program_refuses_bad_values(server: LiveServer, tenant: TenantInfo) -> None:
    with server.client(tenant) as client:
        for body in ({"earnRate": -1, "pointValue": 1, "currency": "EUR"},
                     {"earnRate": 1, "pointValue": 0, "currency": "EUR"},
                     {"earnRate": 1, "pointValue": 1, "currency": "euro"},
                     {"earnRate": 1, "pointValue": 1, "currency": "EUR", "x": 1}):  # fmt: skip
            response = client.put(f"{API}/loyalty/program", json=body)
            assert response.status_code == 422, body
            assert response.json()["code"] == "invalid_input"


def test_the_ledger_pages_in_posting_order_by_next_or_by_sequence(
    server: LiveServer, tenant: TenantInfo
) -> None:
    ledger = f"{API}/customers/c1/loyalty/entries"
    with server.client(tenant) as client:
        run(client, "customers", [{"customerId": "c1"}, {"customerId": "c2"}])
        adjustments = [{"customerId": "c1", "amount": n, "reason": "r"} for n in (5, 6, 7)]
        assert run(client, "balance-adjustment", adjustments)["errorCount"] == 0
        run(client, "balance-adjustment", [{"customerId": "c2", "amount": 1, "reason": "r"}])
        full = client.get(ledger).json()
        assert [(e["sequence"], e["points"], e["balanceAfter"]) for e in full["entries"]] == [
            (1, 5, 5), (2, 6, 11), (3, 7, 18),
        ]  # fmt: skip
        first = client.get(ledger, params={"limit": 2}).json()
        assert first["next"] == full["entries"][1]["id"]
        rest = client.get(ledger, params={"limit": 2, "after": first["next"]}).json()
        assert rest == {"entries": full["entries"][2:], "next": None}
        by_sequence = client.get(ledger, params={"after": 1}).json()
        assert by_sequence["entries"] == full["entries"][1:]

        other = client.get(f"{API}/customers/c2/loyalty/entries").json()["entries"][0]["id"]
        for after in (other, "f" * 24, "not-a-cursor"):
            response = client.get(ledger, params={"after": after})
            assert response.status_code == 422, after
            assert response.json()["code"] == "invalid_input"
        refused = client.get(ledger, params={"after": other}).json()
        assert "not an entry of this customer's ledger" in refused["error"]
