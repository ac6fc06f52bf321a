"""An organiser's back office never shows another organisation's names: not in a list
filter, a form's choices, an autocomplete or a dropdown. Walked for every ModelAdmin
registered, its inlines included, so that a filter or a choice added later is checked too."""

import pytest
from django.urls import NoReverseMatch, reverse

from tests.events.admin_world import (
    MARK,
    ORGANISER,
    add_site_wide_objects,
    build_organisation,
    registered_model_admins,
    staff_of,
)
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lyon_organiser(client):
    lyon = build_organisation("Sciences Po Lyon")
    paca = build_organisation("FHF PACA", mark=MARK)
    organiser = staff_of(lyon.organisation, ORGANISER)
    add_site_wide_objects(organiser, paca)
    client.force_login(organiser)
    return client, lyon


def _pages_of(model, model_admin, lyon):
    opts = model._meta
    own = [obj.pk for obj in lyon.objects if isinstance(obj, model)]
    for page, args in [("changelist", []), ("add", []), *[("change", [pk]) for pk in own]]:
        try:
            yield reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)
        except NoReverseMatch:
            continue
    for source in [model_admin, *model_admin.inlines]:
        for field_name in source.autocomplete_fields:
            source_opts = source.model._meta
            yield reverse("admin:autocomplete") + (
                f"?app_label={source_opts.app_label}&model_name={source_opts.model_name}"
                f"&field_name={field_name}&term="
            )


def test_every_filter_choice_and_autocomplete_shows_only_the_organisers_own_names(
    lyon_organiser,
):
    client, lyon = lyon_organiser
    seen = []
    for model, model_admin in registered_model_admins():
        for url in _pages_of(model, model_admin, lyon):
            response = client.get(url)
            assert response.status_code < 500, url
            if MARK in response.content.decode():
                seen.append(url)
    seen += [
        url
        for url in [reverse("admin:registrations_invitation_import"), reverse("admin:index")]
        if MARK in client.get(url).content.decode()
    ]
    assert seen == []


def test_the_by_event_filter_of_the_scan_log_lists_only_the_organisers_events(lyon_organiser):
    client, lyon = lyon_organiser
    study_day = EventFactory(organisation=lyon.organisation, title_fr="Journée santé")

    page = client.get(reverse("admin:checkin_checkin_changelist")).content.decode()

    assert f"?event__id__exact={lyon.event.pk}" in page
    assert f"?event__id__exact={study_day.pk}" in page
    assert "Journée santé" in page
    assert MARK not in page


def test_the_by_organisation_filter_of_partner_feeds_lists_only_the_organisers_own(
    lyon_organiser,
):
    client, _lyon = lyon_organiser

    page = client.get(reverse("admin:events_partnerfeed_changelist")).content.decode()

    assert "FHF PACA" not in page
    assert "Sciences Po Lyon" in page
