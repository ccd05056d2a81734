"""Customer events: `{eventName: metadata}` facts, appended per customer and listed back."""
