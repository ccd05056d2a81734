"""Loyalty points: per-tenant programs, an append-only ledger and running balances.

Arithmetic and defaults: `rules`; posting: `ledger`; front: `service`; batch types: `batch`.
"""
