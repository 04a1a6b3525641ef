from pathlib import Path

import pytest

# The scenarios assert outside test modules: have pytest explain their failures too.
pytest.register_assert_rewrite(*(f"tests.commands.{path.stem}"
                                 for path in sorted(Path(__file__).parent.glob("scenarios*.py"))))

from .fixtures import demo, site  # noqa: E402, F401
