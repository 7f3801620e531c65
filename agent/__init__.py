"""The turn pipeline: intent, context, tools, the model's draft, the rails and the log."""
