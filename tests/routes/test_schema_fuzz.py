"""Schemathesis over every operation of the OpenAPI document (issue 16): generated requests, anonymous and
with an admin's token, never get a server error, and every documented response matches its schema.

Bounded (a few examples per operation, derandomized) so it stays a test, not a load run.
"""

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.db import unit_of_work
from api.main import create_app
from api.services.staff import add_staff

PASSWORD = "correct horse battery"
# The document as the app serves it (read without starting the app).
schema = schemathesis.openapi.from_dict(create_app().openapi())
CHECKS = [not_a_server_error, response_schema_conformance]
BOUNDED = settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.fixture(scope="module")
def fuzz_client(app):
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def admin_headers(fuzz_client):
    with unit_of_work() as session:
        add_staff(session=session, email="fuzz.admin@lincs.example", role="admin", password=PASSWORD)
    token = fuzz_client.post("/api/auth/token", data={"username": "fuzz.admin@lincs.example", "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _call(client: TestClient, case, headers: dict[str, str] | None = None) -> None:
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url), headers=headers)
    kwargs.pop("verify", None)
    kwargs.pop("cookies", None)  # the API takes none; httpx wants them on the client, not per request
    if isinstance(kwargs.get("data"), str | bytes):
        kwargs["content"] = kwargs.pop("data")  # a raw body, as httpx wants it
    response = client.request(**kwargs)
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_anonymous_calls_never_fail_and_match_the_document(case, fuzz_client):
    _call(fuzz_client, case)


@schema.parametrize()
@BOUNDED
def test_an_admins_calls_never_fail_and_match_the_document(case, fuzz_client, admin_headers):
    _call(fuzz_client, case, admin_headers)
