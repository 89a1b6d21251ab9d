"""Fixtures of the i18n tests."""

from tests.study.participant.conftest import _no_rate_limit  # noqa: F401
