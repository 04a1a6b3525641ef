from tests.applications.conftest import chain, eligible, submitted, today  # noqa: F401  (the chain's fixtures)
