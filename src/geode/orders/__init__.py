"""Orders and their cart lines: the records `order/*` operations write."""
