"""The links to follow a feed on the event's and the speaker's pages: subscribe (webcal://),
Google Calendar, Outlook and the .ics itself. Links only: no script, font or image of theirs."""

from urllib.parse import quote

import pytest

from tests.events.feed_fixtures import dst_programme

pytestmark = pytest.mark.django_db


def follow_links(address: str, name: str) -> list[str]:
    """The four links to the feed at `address`, as they appear in a page's HTML."""
    webcal = "webcal://" + address.split("://", 1)[1]
    return [
        f'href="{webcal}"',
        f'href="https://calendar.google.com/calendar/r?cid={quote(webcal, safe="")}"',
        'href="https://outlook.live.com/calendar/0/addfromweb?'
        f'url={quote(address, safe="")}&amp;name={quote(name, safe="")}"',
        f'href="{address}"',
    ]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_event_page_offers_to_follow_the_programme(client, prefix):
    programme = dst_programme()
    event = programme.event

    page = client.get(f"{prefix}/events/{event.slug}/").content.decode()

    address = f"http://testserver{prefix}/events/{event.slug}/calendar.ics"
    for link in follow_links(address, event.title_en if prefix else event.title_fr):
        assert link in page


def test_the_speaker_page_offers_to_follow_the_speakers_sessions(client):
    programme = dst_programme()
    event, speaker = programme.event, programme.speaker

    page = client.get(f"/en/events/{event.slug}/speakers/{speaker.slug}/").content.decode()

    address = f"http://testserver/en/events/{event.slug}/speakers/{speaker.slug}/calendar.ics"
    for link in follow_links(address, speaker.name):
        assert link in page


def test_the_links_load_nothing_from_the_calendar_services(client):
    programme = dst_programme()

    page = client.get(f"/en/events/{programme.event.slug}/").content.decode()

    for service in ("google.com", "outlook.live.com"):
        for tag in ("<script", "<img", "<link"):
            for line in page.splitlines():
                assert not (tag in line and service in line), line


def test_the_links_say_what_they_do(client):
    programme = dst_programme()

    page = client.get(f"/en/events/{programme.event.slug}/").content.decode()

    for label in ("Subscribe", "Add to Google Calendar", "Add to Outlook", "Download (.ics)"):
        assert f">{label}</a>" in page
