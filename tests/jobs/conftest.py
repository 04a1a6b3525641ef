from tests.commands.fixtures import demo, site  # noqa: F401
