import pytest

from ..factories import make_seal_keys


@pytest.fixture
def seals(world):
    """Active seal keys for the platform and every agency of the world."""
    return make_seal_keys(world.province, world.baoding, world.branch_a, world.branch_b, world.dingzhou,
                          world.sjz, world.branch_sjz)
