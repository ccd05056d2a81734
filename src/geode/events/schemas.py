"""The events batch object: `{customerId, events: {eventName: metadata-or-null}}`.

A pydantic model because the batch API documents request bodies through
OpenAPI. Metadata is free-form JSON kept as sent; numbers in it arrive as
Decimal (the runner parses JSON floats as Decimal), so they survive exactly.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from geode.batches.fields import KeyText, check_json_text

EventName = KeyText


class CustomerEvents(BaseModel):
    """Events a customer did; each becomes one stored event with its metadata."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "customerId": "cust-1001",
                    "events": {
                        "review": {"product_id": "sku-1", "stars": 5},
                        "newsletter_signup": None,
                    },
                }
            ]
        },
    )

    customerId: Annotated[
        KeyText,
        Field(description="The customer's identifier, as created with the customers batch type."),
    ]
    events: Annotated[
        dict[EventName, dict[str, Any] | None],
        AfterValidator(check_json_text),
        Field(
            min_length=1,
            description=(
                "At least one event: the key is the event name, the value a JSON object of "
                "metadata (stored exactly as sent) or null."
            ),
        ),
    ]
