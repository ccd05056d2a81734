"""The mass-operation engine: validate a file up front, then apply it as a resumable task."""
