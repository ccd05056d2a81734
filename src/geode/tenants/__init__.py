"""Tenants own every record; access tokens authenticate API calls for one tenant."""
