"""schemathesis over the API's own OpenAPI schema: every operation, signed in as a study member,
gets generated requests (valid and invalid) against seeded studies; no answer is a server error,
and every answer has a documented status code and content type and matches its schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.study.api.fuzz_seed import PATH_VALUES, FuzzWorld, fuzz_world_seed

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def world(db) -> FuzzWorld:
    return fuzz_world_seed()


@pytest.fixture
def wsgi_app():
    # Django's test client does the same: the request signals would otherwise close the test's
    # connection (its transaction holds the seeded data) at the first request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Loaded once, at collection: the schema view reads no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters:
        return st.just(path_parameters)
    # Mostly real objects (the seeded studies, their participants, the export tables), sometimes
    # what was generated: unknown studies and participants deserve requests too.
    real = st.fixed_dictionaries(
        {name: st.sampled_from(PATH_VALUES[name]) for name in path_parameters}
    )
    return st.one_of(real, real, real, st.just(path_parameters))


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    # The seeded studies live for all of an operation's examples, as a server's data would.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_operation_answers_as_documented(case, world, wsgi_app):
    case.call_and_validate(
        headers=world.headers,
        cookies=world.cookies,
        checks=CHECKS,
    )
