import pytest
from django.db import connection


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); CI runs it there")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Every test stores files in its own folder: no test sees another's images.
    settings.MEDIA_ROOT = tmp_path / "media"
