"""Shared fixtures and settings for the snake test suite."""
import os
import sys

import pytest
from hypothesis import HealthCheck, settings

# Test helpers (references.py, arrays.py, kinds.py) live next to the tests.
sys.path.insert(0, os.path.dirname(__file__))

import snake  # noqa: E402

# No example database: keeps runs reproducible from the seed printed on
# failure and writes nothing outside tests/.
settings.register_profile(
    "snake", database=None, deadline=None, max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)
# Long bug hunt: pytest tests --hypothesis-profile=thorough
settings.register_profile("thorough", parent=settings.get_profile("snake"), max_examples=2000)
settings.load_profile("snake")


@pytest.fixture
def restore_threads():
    """Tests that change snake's thread count put it back afterwards."""
    before = snake.get_num_threads()
    yield before
    snake.set_num_threads(before)
