import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from organisations.models import Membership
from tests.factories import MembershipFactory, api_key_for


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client authenticated by token as an organiser (or `role`) of `organisation`.

    Its token has been used once: a token's first request writes its last use (then at most
    once a minute), which the tests counting a request's queries would otherwise count."""

    def make(organisation, role=Membership.Role.ORGANISER):
        membership = MembershipFactory(organisation=organisation, role=role)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(membership.user)}")
        assert client.get("/api/v1/events/").status_code == 200
        client.user = membership.user
        return client

    return make


@pytest.fixture
def fresh_rate_limits():
    """Rate-limit counters (in the cache) start from zero and are left at zero."""
    cache.clear()
    yield
    cache.clear()
