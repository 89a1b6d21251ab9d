import pytest
from django.core.cache import cache
from django.test import override_settings


@pytest.fixture
def _no_rate_limit():
    """Rate limits off for tests that post many examples from one client (hypothesis)."""
    with override_settings(RATELIMIT_ENABLE=False):
        yield
    cache.clear()
