"""The public site: upcoming events, an event's programme, a session and a speaker, in French at
`/` and in English under `/en/`, with times in the event's own time zone."""

# ruff: noqa: RUF001 - the pages show time and date ranges with a typographic en dash.

import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.views.defaults import server_error
from PIL import Image

from events.models import Event, Session, SessionSpeaker
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db


# --- Reading pages as a visitor does --------------------------------------------------------


class _PageReader(HTMLParser):
    """Collects visible text, the text of chosen elements and every URL-bearing attribute."""

    _VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self, classes: set[str]):
        super().__init__(convert_charrefs=True)
        self.classes = classes
        self.text: list[str] = []
        self.blocks: dict[str, list[list[str]]] = {name: [] for name in classes}
        self.open: list[tuple[str, list[str]]] = []  # (tag, classes being collected here)
        self.attributes: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "srcset", "action", "poster", "data"):
            if attrs.get(name):
                self.attributes.append((tag, name, attrs[name]))
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        if tag == "br":
            self.handle_data(" ")
        if tag in self._VOID:
            return
        started = [name for name in (attrs.get("class") or "").split() if name in self.classes]
        for name in started:
            self.blocks[name].append([])
        self.open.append((tag, started))
        self._in.append(tag)

    def handle_endtag(self, tag):
        if tag in self._VOID or tag not in self._in:
            return
        while self.open:
            opened, _ = self.open.pop()
            self._in.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        if self._in and self._in[-1] in {"script", "style", "title"}:
            if self._in[-1] == "style":
                self.styles.append(data)
            return
        self.text.append(data)
        for _, collecting in self.open:
            for name in collecting:
                self.blocks[name][-1].append(data)


def _squash(parts) -> str:
    return re.sub(r"\s+", " ", unescape("".join(parts))).strip()


def read(response, *classes: str) -> _PageReader:
    reader = _PageReader(set(classes))
    reader.feed(response.content.decode())
    return reader


def page_text(response) -> str:
    return _squash(read(response).text)


def texts_of(response, css_class: str) -> list[str]:
    return [_squash(block) for block in read(response, css_class).blocks[css_class]]


def language_switch(response) -> dict[str, tuple[str, bool]]:
    """{language code: (link, is current)} from the language switch."""
    html = response.content.decode()
    nav = re.search(r'<nav class="language-switch".*?</nav>', html, re.S).group(0)
    links = {}
    for anchor in re.finditer(r"<a ([^>]*)>", nav):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', anchor.group(1)))
        assert attrs["lang"] == attrs["hreflang"]
        links[attrs["hreflang"]] = (unescape(attrs["href"]), attrs.get("aria-current") == "true")
    return links


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


# --- A colloquium like the Lyon one ---------------------------------------------------------


@pytest.fixture
def colloquium():
    event = EventFactory(
        slug="protection-sociale-territoires",
        title_fr="Protection sociale et territoires",
        title_en="Social protection and territories",
        subtitle_fr="Colloque de la Chaire",
        subtitle_en="The Chair's colloquium",
        description_fr="Deux journées d'échanges.",
        description_en="Two days of discussion.",
        start=datetime(2027, 5, 20, 6, 30, tzinfo=UTC),
        end=datetime(2027, 5, 21, 16, 0, tzinfo=UTC),
        organisation__name="Chaire Protection sociale et territoires",
    )
    amphi = RoomFactory(event=event, name_fr="Amphithéâtre Leclair", name_en="Leclair lecture hall")
    track = TrackFactory(event=event, name_fr="Santé", name_en="Health", colour="#b34e00")
    opening = SessionFactory(
        event=event,
        type=Session.Type.PLENARY,
        title_fr="Ouverture du colloque",
        title_en="Opening of the colloquium",
        abstract_fr="Mots d'accueil des directeurs.",
        abstract_en="Welcome from the directors.",
        start=datetime(2027, 5, 20, 7, 0, tzinfo=UTC),
        end=datetime(2027, 5, 20, 7, 45, tzinfo=UTC),
        room=amphi,
        track=track,
    )
    round_table = SessionFactory(
        event=event,
        type=Session.Type.ROUND_TABLE,
        title_fr="Les territoires de la santé",
        title_en="Health and territories",
        start=datetime(2027, 5, 21, 12, 0, tzinfo=UTC),
        end=datetime(2027, 5, 21, 13, 30, tzinfo=UTC),
        room=amphi,
        track=track,
    )
    director = SpeakerFactory(
        organisation=event.organisation,
        name="Claire Martin",
        slug="claire-martin",
        title_fr="Directrice de Sciences Po Lyon",
        title_en="Director of Sciences Po Lyon",
        affiliation="Sciences Po Lyon",
        bio_fr="Professeure de science politique.",
        bio_en="Professor of political science.",
        website="https://claire-martin.example.org/",
    )
    SessionSpeakerFactory(session=opening, speaker=director, role=SessionSpeaker.Role.SPEAKER)
    SessionSpeakerFactory(session=round_table, speaker=director, role=SessionSpeaker.Role.CHAIR)
    return event


def _png() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#1b3a6b").save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="portrait.png")


# --- Upcoming events ------------------------------------------------------------------------


def test_the_home_page_lists_upcoming_events_with_their_dates_and_city_in_french(
    client, colloquium
):
    EventFactory(title_fr="Brouillon caché", status=Event.Status.DRAFT)
    EventFactory(
        title_fr="Colloque passé",
        start=timezone.now() - timedelta(days=3),
        end=timezone.now() - timedelta(days=2),
    )

    response = client.get("/")

    assert response.status_code == 200
    assert html_lang(response) == "fr"
    assert texts_of(response, "event-card__title") == ["Protection sociale et territoires"]
    text = page_text(response)
    assert "jeudi 20 mai 2027 – vendredi 21 mai 2027" in text
    assert "Lyon" in text
    assert "Colloque de la Chaire" in text
    assert 'href="/events/protection-sociale-territoires/"' in response.content.decode()


def test_the_home_page_in_english_shows_english_titles_and_dates(client, colloquium):
    response = client.get("/en/")

    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert texts_of(response, "event-card__title") == ["Social protection and territories"]
    text = page_text(response)
    assert "Thursday 20 May 2027 – Friday 21 May 2027" in text
    assert "Colloquium" in text
    assert 'href="/en/events/protection-sociale-territoires/"' in response.content.decode()


def test_the_home_page_marks_invitation_only_and_cancelled_events(client):
    EventFactory(title_en="New Year ceremony", access=Event.Access.INVITATION)
    EventFactory(title_en="Called-off seminar", status=Event.Status.CANCELLED)

    response = client.get("/en/")

    cards = texts_of(response, "event-card")
    assert len(cards) == 2
    ceremony = next(card for card in cards if "New Year ceremony" in card)
    seminar = next(card for card in cards if "Called-off seminar" in card)
    assert "By invitation only" in ceremony
    assert "This event is cancelled." not in ceremony
    assert seminar.startswith("This event is cancelled.")


def test_the_home_page_says_when_there_is_no_upcoming_event(client):
    response = client.get("/en/")

    assert "There is no upcoming event for now." in page_text(response)


# --- An event's page ------------------------------------------------------------------------


def test_the_event_page_shows_the_programme_in_paris_time_in_french(client, colloquium):
    response = client.get("/events/protection-sociale-territoires/")

    assert response.status_code == 200
    assert html_lang(response) == "fr"
    assert texts_of(response, "programme-day__title") == [
        "jeudi 20 mai 2027",
        "vendredi 21 mai 2027",
    ]
    assert texts_of(response, "programme__time") == ["09:00–09:45", "14:00–15:30"]
    assert texts_of(response, "programme__title") == [
        "Ouverture du colloque",
        "Les territoires de la santé",
    ]
    assert texts_of(response, "speaker-roles") == [
        "Claire Martin (intervenant)",
        "Claire Martin (président de séance)",
    ]
    text = page_text(response)
    assert "Amphithéâtre Leclair" in text
    assert "Santé" in text
    assert "Séance plénière" in text
    assert "Table ronde" in text
    assert "Sciences Po Lyon 14 avenue Berthelot 69007 Lyon" in text
    assert "Deux journées d'échanges." in text
    assert "Colloque de la Chaire" in text
    assert '<time datetime="2027-05-20T09:00:00+02:00">09:00</time>' in response.content.decode()


def test_the_event_page_in_english_shows_english_content_and_the_same_local_times(
    client, colloquium
):
    response = client.get("/en/events/protection-sociale-territoires/")

    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert texts_of(response, "programme-day__title") == [
        "Thursday 20 May 2027",
        "Friday 21 May 2027",
    ]
    assert texts_of(response, "programme__time") == ["09:00–09:45", "14:00–15:30"]
    assert texts_of(response, "programme__title") == [
        "Opening of the colloquium",
        "Health and territories",
    ]
    assert texts_of(response, "speaker-roles") == [
        "Claire Martin (speaker)",
        "Claire Martin (chair)",
    ]
    text = page_text(response)
    assert "Leclair lecture hall" in text
    assert "Health" in text
    assert "Plenary session" in text
    assert "Two days of discussion." in text
    assert "Social protection and territories" in text
    assert "Organised by Chaire Protection sociale et territoires" in text


def test_a_track_is_named_beside_its_colour_marker(client, colloquium):
    response = client.get("/en/events/protection-sociale-territoires/")

    html = response.content.decode()
    assert (
        '<dd><svg class="track-marker" viewBox="0 0 10 10" aria-hidden="true" '
        'focusable="false"><circle cx="5" cy="5" r="4.5" fill="#b34e00"></circle></svg>'
        "Health</dd>"
    ) in html
    assert texts_of(response, "session-meta") == [
        "Type Plenary session Room Leclair lecture hall Track Health",
        "Type Round table Room Leclair lecture hall Track Health",
    ]


def test_a_session_in_january_is_shown_at_utc_plus_one(client):
    event = EventFactory(
        slug="voeux",
        start=datetime(2027, 1, 15, 15, 0, tzinfo=UTC),
        end=datetime(2027, 1, 15, 20, 0, tzinfo=UTC),
    )
    SessionFactory(
        event=event,
        start=datetime(2027, 1, 15, 16, 0, tzinfo=UTC),
        end=datetime(2027, 1, 15, 17, 30, tzinfo=UTC),
    )

    response = client.get("/en/events/voeux/")

    assert texts_of(response, "programme-day__title") == ["Friday 15 January 2027"]
    assert texts_of(response, "programme__time") == ["17:00–18:30"]


def test_an_event_overseas_shows_its_programme_in_its_own_time_zone(client):
    event = EventFactory(
        slug="rencontres-martinique",
        time_zone="America/Martinique",
        start=datetime(2027, 5, 20, 12, 0, tzinfo=UTC),
        end=datetime(2027, 5, 21, 3, 0, tzinfo=UTC),
    )
    SessionFactory(
        event=event,
        start=datetime(2027, 5, 21, 1, 0, tzinfo=UTC),
        end=datetime(2027, 5, 21, 2, 0, tzinfo=UTC),
    )

    response = client.get("/en/events/rencontres-martinique/")

    # 01:00 UTC on the 21st is still the evening of the 20th in Fort-de-France (UTC-4).
    assert texts_of(response, "programme-day__title") == ["Thursday 20 May 2027"]
    assert texts_of(response, "programme__time") == ["21:00–22:00"]
    assert "Times are in the event's local time (America/Martinique)." in page_text(response)


def test_a_cancelled_session_stays_in_the_programme_struck_through(client, colloquium):
    Session.objects.filter(title_fr="Ouverture du colloque").update(status=Session.Status.CANCELLED)

    response = client.get("/en/events/protection-sociale-territoires/")

    assert texts_of(response, "programme__title") == [
        "Cancelled Opening of the colloquium",
        "Health and territories",
    ]
    assert texts_of(response, "is-cancelled") == [
        "09:00–09:45 Cancelled Opening of the colloquium Type Plenary session "
        "Room Leclair lecture hall Track Health Claire Martin (speaker)"
    ]
    assert re.search(
        r"<del><a [^>]*>Opening of the colloquium</a></del>", response.content.decode()
    )


def test_an_invitation_only_event_says_so(client):
    EventFactory(slug="voeux-fhf", access=Event.Access.INVITATION)

    response = client.get("/en/events/voeux-fhf/")

    text = page_text(response)
    assert "By invitation only" in text
    assert "Attendance is by invitation only." in text


def test_a_cancelled_event_stays_readable_with_a_banner(client, colloquium):
    Event.objects.filter(pk=colloquium.pk).update(status=Event.Status.CANCELLED)

    response = client.get("/en/events/protection-sociale-territoires/")

    assert response.status_code == 200
    assert texts_of(response, "notice--danger") == ["This event is cancelled."]


def test_english_pages_fall_back_to_french_content_not_yet_translated(client):
    event = EventFactory(slug="seminaire", title_fr="Séminaire doctoral", title_en="")
    SessionFactory(event=event, title_fr="Atelier de méthode", title_en="")

    response = client.get("/en/events/seminaire/")

    assert texts_of(response, "programme__title") == ["Atelier de méthode"]
    assert "Séminaire doctoral" in page_text(response)


def test_the_event_page_lists_its_speakers_linking_to_their_pages(client, colloquium):
    SessionSpeakerFactory(
        session=colloquium.sessions.get(title_fr="Les territoires de la santé"),
        speaker=SpeakerFactory(
            organisation=colloquium.organisation,
            name="Bruno Aubert",
            slug="bruno-aubert",
            title_en="Head of the EN3S",
            affiliation="EN3S",
        ),
    )

    response = client.get("/en/events/protection-sociale-territoires/")

    assert texts_of(response, "speaker-card") == [
        "B Bruno Aubert Head of the EN3S EN3S",
        "C Claire Martin Director of Sciences Po Lyon Sciences Po Lyon",
    ]
    html = response.content.decode()
    assert 'href="/en/events/protection-sociale-territoires/speakers/bruno-aubert/"' in html
    assert 'href="/en/events/protection-sociale-territoires/speakers/claire-martin/"' in html


def test_a_private_session_is_not_shown_and_its_page_is_not_found(client, colloquium):
    private = SessionFactory(
        event=colloquium,
        title_fr="Déjeuner des partenaires",
        title_en="Partners' lunch",
        is_public=False,
    )
    SessionSpeakerFactory(
        session=private,
        speaker=SpeakerFactory(organisation=colloquium.organisation, slug="mecene"),
    )

    programme = client.get("/en/events/protection-sociale-territoires/")
    session_page = client.get(f"/en/events/protection-sociale-territoires/sessions/{private.pk}/")
    speaker_page = client.get("/en/events/protection-sociale-territoires/speakers/mecene/")

    assert "Partners' lunch" not in page_text(programme)
    assert texts_of(programme, "programme__title") == [
        "Opening of the colloquium",
        "Health and territories",
    ]
    assert session_page.status_code == 404
    assert speaker_page.status_code == 404


def test_a_draft_event_and_its_pages_are_not_found(client):
    session = SessionSpeakerFactory(session__event__status=Event.Status.DRAFT).session
    event = session.event
    speaker = session.session_speakers.get().speaker

    assert client.get(f"/events/{event.slug}/").status_code == 404
    assert client.get(f"/en/events/{event.slug}/").status_code == 404
    assert client.get(f"/events/{event.slug}/sessions/{session.pk}/").status_code == 404
    assert client.get(f"/events/{event.slug}/speakers/{speaker.slug}/").status_code == 404


def test_a_session_of_another_event_is_not_found_under_this_one(client, colloquium):
    other = SessionFactory()

    response = client.get(f"/events/protection-sociale-territoires/sessions/{other.pk}/")

    assert response.status_code == 404


# --- A session's page -----------------------------------------------------------------------


def test_the_session_page_shows_its_time_room_track_and_speakers_in_french(client, colloquium):
    session = colloquium.sessions.get(title_fr="Les territoires de la santé")

    response = client.get(f"/events/protection-sociale-territoires/sessions/{session.pk}/")

    assert response.status_code == 200
    [facts] = texts_of(response, "facts")
    assert facts.endswith(
        " vendredi 21 mai 2027, 14:00–15:30 Type Table ronde Salle Amphithéâtre Leclair "
        "Parcours Santé"
    )
    assert texts_of(response, "speaker-card") == [
        "C Claire Martin Président de séance Directrice de Sciences Po Lyon Sciences Po Lyon"
    ]
    assert (
        'href="/events/protection-sociale-territoires/speakers/claire-martin/"'
        in response.content.decode()
    )


def test_the_session_page_in_english_shows_the_abstract_and_local_time(client, colloquium):
    session = colloquium.sessions.get(title_fr="Ouverture du colloque")

    response = client.get(f"/en/events/protection-sociale-territoires/sessions/{session.pk}/")

    assert response.status_code == 200
    assert texts_of(response, "facts") == [
        "When Thursday 20 May 2027, 09:00–09:45 Type Plenary session Room Leclair lecture hall "
        "Track Health"
    ]
    text = page_text(response)
    assert "Opening of the colloquium" in text
    assert "Welcome from the directors." in text
    assert "Claire Martin" in text


def test_a_cancelled_session_page_says_so(client, colloquium):
    session = colloquium.sessions.get(title_fr="Ouverture du colloque")
    Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)

    response = client.get(f"/en/events/protection-sociale-territoires/sessions/{session.pk}/")

    assert texts_of(response, "notice--danger") == ["This session is cancelled."]
    assert '<h1 class="is-struck">Opening of the colloquium</h1>' in response.content.decode()


# --- A speaker's page -----------------------------------------------------------------------


def test_the_speaker_page_shows_the_profile_and_the_sessions_of_this_event(client, colloquium):
    director = colloquium.sessions.first().session_speakers.get().speaker
    elsewhere = SessionFactory(event=EventFactory(organisation=colloquium.organisation))
    SessionSpeakerFactory(session=elsewhere, speaker=director)

    response = client.get("/events/protection-sociale-territoires/speakers/claire-martin/")

    assert response.status_code == 200
    text = page_text(response)
    assert "Claire Martin" in text
    assert "Directrice de Sciences Po Lyon" in text
    assert "Professeure de science politique." in text
    assert texts_of(response, "programme__time") == [
        "jeudi 20 mai 09:00–09:45",
        "vendredi 21 mai 14:00–15:30",
    ]
    assert texts_of(response, "programme__title") == [
        "Ouverture du colloque",
        "Les territoires de la santé",
    ]
    assert '<a href="https://claire-martin.example.org/" rel="noopener">' in (
        response.content.decode()
    )


def test_the_speaker_page_in_english_shows_the_english_profile(client, colloquium):
    response = client.get("/en/events/protection-sociale-territoires/speakers/claire-martin/")

    text = page_text(response)
    assert "Director of Sciences Po Lyon" in text
    assert "Professor of political science." in text
    assert texts_of(response, "programme__time") == [
        "Thursday 20 May 09:00–09:45",
        "Friday 21 May 14:00–15:30",
    ]


def test_a_speaker_photo_is_hidden_without_consent(client, colloquium):
    director = colloquium.sessions.first().session_speakers.get().speaker
    director.photo.save("portrait.png", _png(), save=False)
    director.photo_thumbnail.save("thumbnail.png", _png(), save=False)
    director.photo_consent = False
    director.save()

    pages = [
        client.get("/events/protection-sociale-territoires/"),
        client.get("/events/protection-sociale-territoires/speakers/claire-martin/"),
    ]

    for page in pages:
        images = [value for tag, _, value in read(page).attributes if tag == "img"]
        assert images == ["/static/img/logo.svg", "/static/img/logo.svg"]
        assert "/media/" not in page.content.decode()


def test_a_speaker_photo_is_shown_with_consent(client, colloquium):
    director = colloquium.sessions.first().session_speakers.get().speaker
    director.photo.save("portrait.png", _png(), save=False)
    director.photo_thumbnail.save("thumbnail.png", _png(), save=False)
    director.photo_consent = True
    director.save()

    programme = client.get("/events/protection-sociale-territoires/")
    profile = client.get("/events/protection-sociale-territoires/speakers/claire-martin/")

    assert director.photo_thumbnail.url in [
        v for t, _, v in read(programme).attributes if t == "img"
    ]
    assert f'src="{director.photo.url}" alt="Portrait of Claire Martin"' in (
        client.get(
            "/en/events/protection-sociale-territoires/speakers/claire-martin/"
        ).content.decode()
    )
    assert director.photo.url in [v for t, _, v in read(profile).attributes if t == "img"]


# --- On every page --------------------------------------------------------------------------


def _every_page(event) -> list[str]:
    session = event.sessions.first()
    return [
        "/",
        f"/events/{event.slug}/",
        f"/events/{event.slug}/sessions/{session.pk}/",
        f"/events/{event.slug}/speakers/claire-martin/",
    ]


def test_the_language_switch_leads_to_the_same_page_in_the_other_language(client, colloquium):
    for french in _every_page(colloquium):
        english = "/en" + french

        from_french = language_switch(client.get(french))
        from_english = language_switch(client.get(english))

        assert from_french == {"fr": (french, True), "en": (english, False)}
        assert from_english == {"fr": (french, False), "en": (english, True)}


def test_the_language_switch_keeps_the_query_string(client, colloquium):
    response = client.get("/events/protection-sociale-territoires/?utm_source=lettre")

    assert language_switch(response)["en"] == (
        "/en/events/protection-sociale-territoires/?utm_source=lettre",
        False,
    )


CALENDAR_SERVICES = (
    "https://calendar.google.com/calendar/r?cid=",
    "https://outlook.live.com/calendar/0/addfromweb?",
)


def test_no_page_loads_anything_from_another_site(client, colloquium):
    director = colloquium.sessions.first().session_speakers.get().speaker
    director.linkedin = "https://www.linkedin.com/in/claire-martin"
    director.photo.save("portrait.png", _png(), save=False)
    director.photo_consent = True
    director.save()
    speakers_own_links = {director.website, director.linkedin}
    pages = [
        *_every_page(colloquium),
        *["/en" + path for path in _every_page(colloquium)],
        "/no-such-page/",
    ]

    for path in pages:
        reader = read(client.get(path))
        foreign = [
            (tag, name, value)
            for tag, name, value in reader.attributes
            if re.match(r"^(https?:)?//", value.strip(), re.I)
            and not value.startswith("http://testserver/")
            and not (tag == "a" and name == "href" and value in speakers_own_links)
            # Links a visitor may follow to add a feed to their calendar: they load nothing.
            and not (tag == "a" and name == "href" and value.startswith(CALENDAR_SERVICES))
        ]
        assert foreign == [], path
        assert not [style for style in reader.styles if re.search(r"url\(|@import", style)], path
    assert reader.attributes  # the scan did see the page's links and assets


def test_an_unknown_page_is_a_404_in_the_site_style_and_language(client):
    french = client.get("/events/nulle-part/")
    english = client.get("/en/events/nowhere/")

    assert french.status_code == 404
    assert english.status_code == 404
    assert html_lang(french) == "fr"
    assert html_lang(english) == "en"
    assert "Page not found" in page_text(english)
    assert "/static/css/site.css" in french.content.decode()
    assert language_switch(english) == {
        "fr": ("/events/nowhere/", False),
        "en": ("/en/events/nowhere/", True),
    }


def test_every_page_has_a_skip_link_landmarks_and_a_title(client, colloquium):
    for path in _every_page(colloquium):
        html = client.get("/en" + path).content.decode()

        assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
        assert '<main id="main" tabindex="-1">' in html
        for landmark in ("<header", "<nav", "<footer"):
            assert landmark in html, (path, landmark)
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert title.endswith(" · Colloque")
        assert html.count("<h1") == 1, path


def test_dates_are_shown_in_the_event_zone_even_for_a_visitor_elsewhere(client, colloquium):
    with timezone.override(ZoneInfo("Asia/Tokyo")):
        response = client.get("/en/events/protection-sociale-territoires/")

    assert texts_of(response, "programme__time") == ["09:00–09:45", "14:00–15:30"]


def test_the_server_error_page_stands_alone_in_the_site_style(rf):
    # LocaleMiddleware has activated the page's language by the time an error happens.
    with translation.override("en"):
        response = server_error(rf.get("/en/events/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="en">' in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert "<h1>Server error</h1>" in html
