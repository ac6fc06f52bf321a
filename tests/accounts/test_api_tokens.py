"""API tokens (issue 13): random keys shown once and stored as digests, several per person,
named, revocable and expiring, their use dated, their making and revoking in the audit trail;
DRF's old clear keys turned into such tokens by a migration, without breaking their clients."""

import hashlib
import io
import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import ApiToken
from audit.context import ActorKind, Channel
from audit.models import AuditEntry
from organisations.models import Membership
from tests.accounts.pages import page_text
from tests.factories import EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTRATIONS = "/api/v1/registrations/"
TOKENS = reverse("admin:accounts_apitoken_changelist")
ADD = reverse("admin:accounts_apitoken_add")
TRAIL = reverse("admin:audit_auditentry_changelist")
KEY_FIELD = re.compile(r'id="api-token-key"[^>]* value="([^"]+)"')


@pytest.fixture
def organiser():
    membership = MembershipFactory(user__username="camille", role=Membership.Role.ORGANISER)
    EventFactory(organisation=membership.organisation)
    return membership.user


@pytest.fixture
def back_office(organiser):
    client = Client()
    client.force_login(organiser)
    return client


def api_with(key: str, language: str = "fr") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def add_in_back_office(client, name="Site du laboratoire", **fields):
    return client.post(ADD, {"name": name, "expires_at_0": "", "expires_at_1": "", **fields})


def key_on(response) -> str:
    [key] = KEY_FIELD.findall(response.content.decode())
    return key


# --- Authentication ---------------------------------------------------------------------------


def test_a_new_token_acts_as_its_user_with_the_header_clients_already_send(organiser):
    _token, key = tokens.create_token(user=organiser, name="Site du laboratoire")

    assert api_with(key).get(REGISTRATIONS).status_code == 200
    assert APIClient().get(REGISTRATIONS).status_code == 401


def test_the_database_keeps_the_keys_digest_and_never_the_key(organiser):
    token, key = tokens.create_token(user=organiser, name="Site du laboratoire")

    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dump = out.getvalue()
    assert key not in dump
    assert hashlib.sha256(key.encode()).hexdigest() in dump
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in json.dumps(row, default=str)
    assert row["digest"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["prefix"] == key[:8]
    assert len(key) >= 43  # 256 random bits, URL-safe base64


def test_each_key_is_new_and_a_person_may_hold_several(organiser):
    keys = {tokens.create_token(user=organiser, name=f"Programme {n}")[1] for n in range(3)}

    assert len(keys) == 3
    assert organiser.api_tokens.count() == 3
    assert all(api_with(key).get(REGISTRATIONS).status_code == 200 for key in keys)


@pytest.mark.parametrize(
    ("language", "message"),
    [("fr", "Ce jeton d’API a été révoqué."), ("en", "This API token has been revoked.")],
)
def test_a_revoked_token_is_refused_and_told_so_in_the_callers_language(
    organiser, language, message
):
    token, key = tokens.create_token(user=organiser, name="Site du laboratoire")
    tokens.revoke_token(token=token, by=organiser)

    response = api_with(key, language).get(REGISTRATIONS)

    assert response.status_code == 401
    assert response.json() == {"detail": message}
    assert response["WWW-Authenticate"] == "Token"


def test_an_expired_token_is_refused_and_told_so(organiser):
    token, key = tokens.create_token(
        user=organiser, name="Export du soir", expires_at=timezone.now() + timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api_with(key).get(REGISTRATIONS)

    assert response.status_code == 401
    assert response.json() == {"detail": "Ce jeton d’API a expiré."}


def test_a_token_works_until_its_expiry(organiser):
    _token, key = tokens.create_token(
        user=organiser, name="Export du soir", expires_at=timezone.now() + timedelta(hours=1)
    )

    assert api_with(key).get(REGISTRATIONS).status_code == 200


def test_the_token_of_a_disabled_account_is_refused(organiser):
    _token, key = tokens.create_token(user=organiser, name="Site du laboratoire")
    organiser.is_active = False
    organiser.save()

    response = api_with(key, "en").get("/api/v1/events/")

    assert response.status_code == 401
    assert response.json() == {"detail": "This API token's account is disabled."}


def test_an_unknown_key_is_invalid_even_for_a_public_read():
    response = api_with("not-a-key-of-ours").get("/api/v1/events/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Jeton non valide."}


def test_the_last_use_is_written_at_the_first_request_then_at_most_once_a_minute(organiser):
    token, key = tokens.create_token(user=organiser, name="Site du laboratoire")
    client = api_with(key)
    assert token.last_used_at is None

    before = timezone.now()
    client.get(REGISTRATIONS)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    assert first_use >= before

    with CaptureQueriesContext(connection) as queries:
        client.get(REGISTRATIONS)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]

    a_while_ago = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=a_while_ago)
    client.get(REGISTRATIONS)
    token.refresh_from_db()
    assert token.last_used_at > a_while_ago + timedelta(minutes=1)


def test_two_workers_that_read_the_same_stale_use_write_it_once(organiser):
    token, _key = tokens.create_token(user=organiser, name="Site du laboratoire")
    first, second = ApiToken.objects.get(pk=token.pk), ApiToken.objects.get(pk=token.pk)
    now = timezone.now()

    tokens.note_token_used(first, now=now)
    with CaptureQueriesContext(connection) as queries:
        tokens.note_token_used(second, now=now + timedelta(seconds=5))

    token.refresh_from_db()
    assert token.last_used_at == now
    assert len(queries) == 1  # the conditional update, which changed nothing


def test_the_schema_still_describes_the_token_header(organiser):
    schema = APIClient().get("/api/schema/?format=json").json()

    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "`Token <key>`" in scheme["description"]


# --- The service's refusals -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expires_in", "field", "message"),
    [
        ("  ", None, "name", "Nommez le jeton d’après ce à quoi il sert."),
        ("Site\ndu labo", None, "name", "Les retours à la ligne"),
        (
            "Site du laboratoire",
            timedelta(minutes=-1),
            "expires_at",
            "Choisissez une date d’expiration dans le futur.",
        ),
    ],
)
def test_a_token_without_a_name_or_already_expired_is_not_made(
    organiser, name, expires_in, field, message
):
    expires_at = timezone.now() + expires_in if expires_in else None
    with pytest.raises(ValidationError) as refused:
        tokens.create_token(user=organiser, name=name, expires_at=expires_at)

    assert message in " ".join(refused.value.message_dict[field])
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.exists()


def test_nobody_but_its_holder_or_a_superuser_revokes_a_token(organiser):
    token, _key = tokens.create_token(user=organiser, name="Site du laboratoire")
    colleague = MembershipFactory(role=Membership.Role.OWNER).user

    with pytest.raises(PermissionDenied):
        tokens.revoke_token(token=token, by=colleague)
    token.refresh_from_db()
    assert not token.is_revoked

    tokens.revoke_token(token=token, by=UserFactory(is_staff=True, is_superuser=True))
    token.refresh_from_db()
    assert token.is_revoked


# --- The back office --------------------------------------------------------------------------


def test_adding_a_token_shows_its_key_once_with_a_warning(back_office, organiser):
    response = add_in_back_office(back_office)

    assert response.status_code == 200
    key = key_on(response)
    text = page_text(response)
    assert "Copiez la clé maintenant : elle ne sera plus affichée." in text
    assert "Clé de « Site du laboratoire » :" in text
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (organiser, "Site du laboratoire", key[:8])
    assert api_with(key).get(REGISTRATIONS).status_code == 200

    change = reverse("admin:accounts_apitoken_change", args=[token.pk])
    for url in (TOKENS, change, ADD, reverse("admin:accounts_apitoken_history", args=[token.pk])):
        page = back_office.get(url)
        assert page.status_code == 200, url
        assert key not in page.content.decode(), url
    assert key[:8] in back_office.get(TOKENS).content.decode()


def test_a_token_may_be_given_an_expiry_but_not_one_in_the_past(back_office):
    refused = add_in_back_office(back_office, expires_at_0="2020-01-01", expires_at_1="12:00")

    assert refused.status_code == 200
    assert "Choisissez une date d’expiration dans le futur." in page_text(refused)
    assert not ApiToken.objects.exists()

    next_year = (timezone.localdate() + timedelta(days=365)).isoformat()
    made = add_in_back_office(back_office, expires_at_0=next_year, expires_at_1="12:00")
    key = key_on(made)
    assert "Il cessera de fonctionner le" in page_text(made)
    assert ApiToken.objects.get().expires_at.date().isoformat() == next_year
    assert api_with(key).get(REGISTRATIONS).status_code == 200


def test_a_person_sees_only_their_own_tokens(back_office, organiser):
    tokens.create_token(user=organiser, name="Site du laboratoire")
    colleague = MembershipFactory(role=Membership.Role.OWNER, user__username="ines").user
    theirs, _key = tokens.create_token(user=colleague, name="Tableau de bord de la FHF")

    listed = page_text(back_office.get(TOKENS))

    assert "Site du laboratoire" in listed
    assert "Tableau de bord de la FHF" not in listed
    other = reverse("admin:accounts_apitoken_change", args=[theirs.pk])
    assert back_office.get(other).status_code == 302  # "no such token", back to the index
    assert (
        back_office.get(reverse("admin:accounts_apitoken_revoke", args=[theirs.pk])).status_code
        == 404
    )


def test_a_superuser_sees_everyones_tokens_and_no_key(organiser):
    _token, key = tokens.create_token(user=organiser, name="Site du laboratoire")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)

    page = client.get(TOKENS)

    assert "Site du laboratoire" in page_text(page)
    assert "camille" in page_text(page)
    assert key not in page.content.decode()


def test_the_page_of_drfs_clear_keys_is_gone():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)

    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert "authtoken" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("role", [Membership.Role.OWNER, Membership.Role.ORGANISER])
def test_owners_and_organisers_reach_their_tokens(role):
    client = Client()
    client.force_login(MembershipFactory(role=role).user)

    assert "Jetons d’API" in page_text(client.get("/admin/"))
    assert client.get(TOKENS).status_code == 200
    assert add_in_back_office(client).status_code == 200
    assert ApiToken.objects.count() == 1


def test_door_staff_and_staff_of_no_organisation_hold_no_token():
    door_staff = MembershipFactory(role=Membership.Role.DOOR_STAFF).user
    nobody = UserFactory(is_staff=True)
    for user in (door_staff, nobody):
        client = Client()
        client.force_login(user)
        assert "Jetons d’API" not in page_text(client.get("/admin/"))
        assert client.get(TOKENS).status_code == 403
        assert client.get(ADD).status_code == 403
        assert add_in_back_office(client).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_token_is_revoked_with_the_button_after_a_confirmation(back_office, organiser):
    token, key = tokens.create_token(user=organiser, name="Site du laboratoire")
    change = reverse("admin:accounts_apitoken_change", args=[token.pk])
    revoke = reverse("admin:accounts_apitoken_revoke", args=[token.pk])
    assert revoke in back_office.get(change).content.decode()

    asked = back_office.get(revoke)
    assert "Toute requête envoyée avec cette clé" in page_text(asked)
    token.refresh_from_db()
    assert not token.is_revoked

    done = back_office.post(revoke, follow=True)

    assert "Jeton « Site du laboratoire » révoqué" in page_text(done)
    token.refresh_from_db()
    assert token.is_revoked
    assert revoke not in back_office.get(change).content.decode()
    assert api_with(key).get(REGISTRATIONS).status_code == 401


def test_tokens_are_revoked_by_the_lists_action_and_never_deleted(back_office, organiser):
    first, first_key = tokens.create_token(user=organiser, name="Site du laboratoire")
    second, _key = tokens.create_token(user=organiser, name="Export du soir")

    response = back_office.post(
        TOKENS, {"action": "revoke_tokens", "_selected_action": [first.pk, second.pk]}, follow=True
    )

    assert "2 jetons révoqués." in page_text(response)
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 2
    assert api_with(first_key).get(REGISTRATIONS).status_code == 401
    assert "delete_selected" not in back_office.get(TOKENS).content.decode()
    delete = reverse("admin:accounts_apitoken_delete", args=[first.pk])
    assert back_office.post(delete, {"post": "yes"}).status_code == 403
    assert ApiToken.objects.count() == 2


# --- The trail --------------------------------------------------------------------------------


def test_making_and_revoking_in_the_back_office_leave_one_entry_each_by_the_person(
    back_office, organiser
):
    key = key_on(add_in_back_office(back_office))
    token = ApiToken.objects.get()
    back_office.post(reverse("admin:accounts_apitoken_revoke", args=[token.pk]))

    made = AuditEntry.objects.get(action="token.create")
    revoked = AuditEntry.objects.get(action="token.revoke")
    for entry in (made, revoked):
        assert (entry.actor_kind, entry.actor_user, entry.channel) == (
            ActorKind.USER,
            organiser,
            Channel.BACK_OFFICE,
        )
        assert (entry.object_id, entry.object_repr) == (
            str(token.pk),
            f"Site du laboratoire ({key[:8]}…)",
        )
        assert entry.organisation is None
        assert key not in json.dumps(entry.changes) + entry.object_repr
    assert made.changes == {
        "user": [None, "camille"],
        "name": [None, "Site du laboratoire"],
        "prefix": [None, key[:8]],
    }
    assert list(revoked.changes) == ["revoked_at"]


def test_revoking_twice_records_once(organiser):
    token, _key = tokens.create_token(user=organiser, name="Site du laboratoire")

    tokens.revoke_token(token=token, by=organiser)
    tokens.revoke_token(token=token, by=organiser)

    assert AuditEntry.objects.filter(action="token.revoke").count() == 1


def test_the_command_prints_the_key_once_and_writes_as_the_system(organiser):
    out, err = io.StringIO(), io.StringIO()

    call_command("create_api_token", "camille", name="Site du laboratoire", stdout=out, stderr=err)

    key = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in err.getvalue()
    assert api_with(key).get(REGISTRATIONS).status_code == 200
    entry = AuditEntry.objects.get(action="token.create")
    assert (entry.actor_kind, entry.actor_user, entry.channel, entry.actor_label) == (
        ActorKind.SYSTEM,
        None,
        Channel.COMMAND,
        "create_api_token",
    )


def test_the_command_refuses_an_unknown_user_and_a_bad_name(organiser):
    with pytest.raises(CommandError, match="No user named 'ines'"):
        call_command("create_api_token", "ines", name="Site")
    with pytest.raises(CommandError):
        call_command("create_api_token", "camille", name="   ")
    assert not ApiToken.objects.exists()


def test_drfs_own_command_refuses_and_names_the_one_to_use(organiser):
    """A newcomer following DRF's documentation gets no token the API would refuse."""
    with pytest.raises(CommandError, match="create_api_token"):
        call_command("drf_create_token", "camille")

    assert not ApiToken.objects.exists()
    assert connection.introspection.table_names().count("authtoken_token") == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)


def test_superusers_read_the_token_entries_and_organisation_owners_do_not(organiser):
    tokens.create_token(user=organiser, name="Site du laboratoire")
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    superuser = UserFactory(is_staff=True, is_superuser=True)
    as_owner, as_superuser = Client(), Client()
    as_owner.force_login(owner)
    as_superuser.force_login(superuser)

    assert "Jeton d’API créé" in page_text(as_superuser.get(TRAIL))
    assert "Jeton d’API créé" not in page_text(as_owner.get(TRAIL))


# --- DRF's old tokens -------------------------------------------------------------------------

BEFORE = [("accounts", "0001_h_tokens_apitoken"), ("authtoken", "0004_alter_tokenproxy_options")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_an_old_drf_key_keeps_working_as_an_api_token_and_its_clear_copy_is_deleted():
    user = MembershipFactory(user__username="camille").user
    EventFactory(organisation=user.memberships.get().organisation)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old_key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"

    old_apps = migrate(BEFORE)
    OldToken = old_apps.get_model("authtoken", "Token")
    OldToken.objects.create(key=old_key, user_id=user.pk)
    migrate(latest)

    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (user, "Jeton importé", old_key[:8])
    assert token.digest == hashlib.sha256(old_key.encode()).hexdigest()
    assert api_with(old_key).get(REGISTRATIONS).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
