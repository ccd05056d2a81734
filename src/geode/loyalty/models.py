from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from geode.db.base import MONEY, TIMESTAMP, Base, Id


class LoyaltyProgram(Base):
    """Per-tenant rules: points earned per currency unit, and what a point is worth."""

    __tablename__ = "loyalty_programs"

    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"), primary_key=True)
    earn_rate: Mapped[str] = mapped_column(MONEY)
    point_value: Mapped[str] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(sa.String(8))
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)


class LoyaltyAccount(Base):
    """The running balance of one customer: the sum of its ledger entries.

    Kept as a row so a debit can be checked and applied atomically (a
    conditional UPDATE, or a row lock), whichever worker writes it. `last_seq`
    is the `seq` of the account's newest entry: the next entry takes the next
    number while the row is locked, so the numbers follow the posting order
    whichever worker posts (ids do not: they sort by second, then by process).
    """

    __tablename__ = "loyalty_accounts"

    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"), primary_key=True)
    customer_identifier: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    points_balance: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at: Mapped[str] = mapped_column(TIMESTAMP)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")


class LoyaltyEntry(Base):
    """One append-only ledger line. Never updated, never deleted.

    `transaction_id` makes a cashback or a redeem idempotent: the same
    (kind, transactionId) twice is recorded once. `seq` numbers a customer's
    entries 1, 2, 3... in posting order; the ledger is read and paged by it, so
    each entry's `balance_after` is the running sum of the entries before it.
    """

    __tablename__ = "loyalty_entries"
    __table_args__ = (
        sa.Index(
            "uq_loyalty_entries_seq", "tenant_id", "customer_identifier", "seq", unique=True
        ),
        sa.Index(
            "uq_loyalty_entries_transaction", "tenant_id", "kind", "transaction_id", unique=True,
            sqlite_where=sa.text("transaction_id IS NOT NULL"),
            postgresql_where=sa.text("transaction_id IS NOT NULL"),
        ),
    )  # fmt: skip

    tenant_id: Mapped[str] = mapped_column(Id(), sa.ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(Id(), primary_key=True)
    customer_identifier: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(16))
    transaction_id: Mapped[str | None] = mapped_column(sa.Text)
    transaction_time: Mapped[str | None] = mapped_column(TIMESTAMP)
    points: Mapped[int] = mapped_column(sa.BigInteger)
    amount: Mapped[str | None] = mapped_column(MONEY)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    hold_reference: Mapped[str | None] = mapped_column(sa.Text)
    balance_after: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[str] = mapped_column(TIMESTAMP)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
