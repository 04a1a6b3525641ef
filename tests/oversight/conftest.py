from .helpers import at  # noqa: F401  (the settable server clock)
