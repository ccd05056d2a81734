"""Customers and customer groups: the records `customer/*` operations write."""
