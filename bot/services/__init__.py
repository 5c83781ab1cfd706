"""What a command or a schedule needs: request parsers, views, briefings, subscriptions."""
