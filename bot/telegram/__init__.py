"""Everything that speaks the Bot API: factories, runner, console, middlewares, sender."""
