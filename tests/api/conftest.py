import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from organisations.models import Membership
from tests.factories import MembershipFactory


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client authenticated by token as an organiser (or `role`) of `organisation`."""

    def make(organisation, role=Membership.Role.ORGANISER):
        membership = MembershipFactory(organisation=organisation, role=role)
        client = APIClient()
        token = Token.objects.create(user=membership.user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        client.user = membership.user
        return client

    return make


@pytest.fixture
def fresh_rate_limits():
    """Rate-limit counters (in the cache) start from zero and are left at zero."""
    cache.clear()
    yield
    cache.clear()
