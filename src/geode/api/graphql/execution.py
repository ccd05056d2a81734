"""Run a GraphQL request: limits first, then the query; failures nobody foresaw masked.

Strawberry would log an unexpected exception with its full traceback (values
included) and send its text to the client; here it is recorded as an incident
(`geode.incidents`: the log has the traceback under an error id) and the
client gets words and that id. Errors a client caused (a query that does not
parse or does not fit the schema, a limit exceeded) are sent as they are.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from geode import incidents
from geode.errors import GeodeError

MAX_DEPTH = 15
"""Deep enough for a content chunk inside a choice inside a paragraph; not for abuse."""
MAX_ALIASES = 100
"""Crystallize's product hydrater asks for one aliased `catalogue` per product."""
MAX_TOKENS = 20_000


class GeodeSchema(strawberry.Schema):
    """A schema whose errors are never logged with their values (see the module)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


CACHED_DOCUMENTS = 512
"""Parsed and validated documents kept: a client sends the same few queries with
new variables, and validating one costs more than running it (15 ms against 5 for
an item with its variants, on this project's machine)."""

_LIMIT_RULES = (
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)
"""Built once: the validation cache is keyed by the rules too, and each limiter
builds new rule classes when made, which no cached result would match."""


def limits() -> list[Any]:
    """Factories of the extensions every request runs through (a fresh one each, their
    caches shared): the depth and alias limits as validation rules, the token limit
    as a parser option, and parsing and validation cached by document (a document is
    measured once)."""
    return [
        lambda: AddValidationRules(list(_LIMIT_RULES)),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
    ]


def execute(
    schema: strawberry.Schema,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    context: Any,
) -> dict[str, Any]:
    """The response body: `data`, and `errors` when some field failed or the query is refused."""
    result = schema.execute_sync(
        query,
        variable_values=variables,
        context_value=context,
        operation_name=operation_name,
    )
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [_formatted(error) for error in result.errors]
    return body


def _formatted(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return dict(error.formatted)
    if isinstance(original, GeodeError):
        # A resolver that lets a user's problem escape its union: still the user's.
        return {**error.formatted, "message": original.message,
                "extensions": {"code": original.code}}  # fmt: skip
    incident = incidents.record("the request failed", original)
    formatted = dict(error.formatted)
    formatted["message"] = incident.message
    formatted["extensions"] = {"code": "INTERNAL_SERVER_ERROR", "errorId": incident.error_id}
    return formatted
