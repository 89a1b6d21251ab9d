"""Fixtures of the i18n tests: the participant tests' and the console's."""

from tests.study.console.conftest import (  # noqa: F401
    _fast_password_hashing,
    owner,
    owner_client,
)
from tests.study.participant.conftest import _no_rate_limit  # noqa: F401
