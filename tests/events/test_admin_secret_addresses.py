"""No page of the back office hands a secret address to someone not entitled to it: an
attendee's page, a guest's RSVP page, a partner's feed, another organisation's draft or private
session. Walked for every model registered in the admin, so that a model added later is walked
too (and fails until tests/events/admin_world.py gives it an object)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse

from registrations.emails import render
from registrations.models import OutgoingEmail
from tests.events.admin_world import (
    DOOR_STAFF,
    ORGANISER,
    add_site_wide_objects,
    build_organisation,
    registered_model_admins,
    staff_of,
)

pytestmark = pytest.mark.django_db

PAGES = ["changelist", "add", "change", "history", "delete"]


@pytest.fixture
def world():
    lyon = build_organisation("Sciences Po Lyon")
    paca = build_organisation("FHF PACA", mark="CONFIDENTIEL")
    organiser = staff_of(lyon.organisation, ORGANISER)
    door = staff_of(lyon.organisation, DOOR_STAFF)
    add_site_wide_objects(organiser, paca)
    return {"lyon": lyon, "paca": paca, "organiser": organiser, "door": door}


def _every_registered_object():
    for model, _model_admin in registered_model_admins():
        yield model, list(model._default_manager.all())


def _admin_urls(model, obj):
    opts = model._meta
    for page in PAGES:
        args = [] if page in ("changelist", "add") else [obj.pk]
        try:
            yield reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)
        except NoReverseMatch:
            continue
    content_type = ContentType.objects.get_for_model(model)
    yield reverse("admin:view_on_site", args=[content_type.pk, obj.pk])


def _what_the_user_gets(client, url) -> str:
    response = client.get(url)
    assert response.status_code < 500, url
    return response.content.decode() + response.headers.get("Location", "")


def _forbidden_for(who, world) -> list[str]:
    lyon, paca = world["lyon"], world["paca"]
    secrets = [
        *lyon.attendee_addresses(),
        *paca.attendee_addresses(),
        paca.feed.token,
        paca.event.slug,
        paca.event.title_fr,
    ]
    if who != "organiser":  # an organiser hands their own feed's address to the partner
        secrets.append(lyon.feed.token)
    if who == "anonymous":
        secrets += [lyon.event.slug, lyon.event.title_fr]
    return secrets


def test_every_registered_model_has_an_object_to_walk(world):
    empty = [model._meta.label for model, objects in _every_registered_object() if not objects]
    assert empty == []


@pytest.mark.parametrize("who", ["door", "organiser", "anonymous"])
def test_no_admin_page_or_shortcut_gives_a_secret_address_to_the_unentitled(client, world, who):
    if who != "anonymous":
        client.force_login(world[who])
    forbidden = _forbidden_for(who, world)
    leaks = []
    for model, objects in _every_registered_object():
        for obj in objects:
            for url in _admin_urls(model, obj):
                got = _what_the_user_gets(client, url)
                leaks += [(url, secret) for secret in forbidden if secret in got]
    assert leaks == []


def test_door_staff_following_view_on_site_to_an_attendee_page_find_nothing(client, world):
    client.force_login(world["door"])
    registration = world["paca"].registration
    content_type = ContentType.objects.get_for_model(registration)

    response = client.get(reverse("admin:view_on_site", args=[content_type.pk, registration.pk]))

    assert response.status_code == 404
    assert "Location" not in response.headers


def test_an_organiser_following_view_on_site_reaches_their_own_draft_only(client, world):
    client.force_login(world["organiser"])
    content_type = ContentType.objects.get_for_model(world["lyon"].event)

    own = client.get(reverse("admin:view_on_site", args=[content_type.pk, world["lyon"].event.pk]))
    other = client.get(
        reverse("admin:view_on_site", args=[content_type.pk, world["paca"].event.pk])
    )

    assert own.status_code == 302
    assert own.headers["Location"] == f"/events/{world['lyon'].event.slug}/"
    assert other.status_code == 404


def test_the_registration_page_of_the_back_office_shows_no_attendee_link(client, world):
    client.force_login(world["organiser"])
    registration = world["lyon"].registration

    page = client.get(
        reverse("admin:registrations_registration_change", args=[registration.pk])
    ).content.decode()

    assert registration.last_name in page
    assert registration.manage_token not in page


def test_the_flagged_payment_email_to_organisers_carries_no_personal_link(world):
    email = OutgoingEmail.objects.get(
        kind="payment_flagged", registration=world["lyon"].registration
    )

    rendered = render(email)

    assert world["lyon"].registration.manage_token not in rendered.text + rendered.html
    assert "/admin/payments/payment/?flag=mismatch" in rendered.text


def test_view_on_site_is_offered_only_where_it_leads_somewhere(client, world):
    client.force_login(world["organiser"])
    speaker = next(obj for obj in world["lyon"].objects if obj._meta.model_name == "speaker")
    event = world["lyon"].event

    speaker_page = client.get(reverse("admin:speakers_speaker_change", args=[speaker.pk]))
    event_page = client.get(reverse("admin:events_event_change", args=[event.pk]))

    assert "viewsitelink" not in speaker_page.content.decode()
    assert "viewsitelink" in event_page.content.decode()
