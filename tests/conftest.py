import os

import pytest
from django.db import connection
from hypothesis import settings as hypothesis_settings

# CI runs the same examples every time (a red run is reproducible, never a coin toss) and has
# no per-example deadline (a loaded machine is not a failing property). Locally, examples vary.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); CI runs it there")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Every test stores files in its own folder: no test sees another's images.
    settings.MEDIA_ROOT = tmp_path / "media"
