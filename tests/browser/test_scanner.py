"""Door staff check guests in on the scanner page, in Debian's Chromium: with the camera (a
fake camera showing the attendee's real badge PNG), a hand-held scanner (keys typed into the
page), search by name; and without network, where the page answers from its downloaded list
and sends its scans when the network is back."""

import hashlib
import uuid
import zoneinfo
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
import zxingcpp
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from badges.render import badge_png
from checkin import services as checkin
from checkin.models import CheckIn
from organisations.models import Membership
from registrations.models import Registration
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.factories import EventFactory, MembershipFactory, TicketTypeFactory
from tests.registrations.organiser_factories import RegistrationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# Chromium's fake camera plays a video file in a loop and grants the permission itself.
FAKE_CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
CAMERA_SIZE = (640, 480)
FRAMES_PER_SECOND = 5
# The badge is shown, taken away, shown again: two scans of one badge.
BADGE_SHOWN_SECONDS = 1.5
BADGE_AWAY_SECONDS = 3


@pytest.fixture
def event():
    """Under way: the entrance admits badges from two hours before the start to the end."""
    now = timezone.now()
    return EventFactory(
        start=now - timedelta(hours=1),
        end=now + timedelta(hours=6),
        title_fr="Protection sociale et territoires",
        title_en="Social protection and territories",
    )


@pytest.fixture
def attendee(event) -> Registration:
    ticket = TicketTypeFactory(
        event=event, category="academic", name_fr="Universitaire", name_en="Academic"
    )
    return RegistrationFactory(
        ticket_type=ticket, first_name="Alessia", last_name="Lefébure", organisation="EN3S"
    )


def staff_member(event, role=Membership.Role.DOOR_STAFF):
    return MembershipFactory(
        organisation=event.organisation, role=role, user__first_name="Lucie"
    ).user


def sign_in(context, live_server, user) -> None:
    """Give the browser the session cookie of a signed-in user."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def new_context(browser, live_server, foreign_requests):
    """A context like the conftest's `page` fixture: every other host is blocked and noted."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)

    def keep_to_the_live_server(route):
        url = route.request.url
        if url.startswith((live_server.url, "data:", "about:", "blob:")):
            route.continue_()
        else:
            foreign_requests.append(url)
            route.abort()

    context.route("**/*", keep_to_the_live_server)
    return context


def paired_page(context, token: str):
    """A scanner page paired through the link an organiser can hand out (…/checkin/#device=…),
    once its list of badges is downloaded."""
    page = context.new_page()
    page.goto(f"/checkin/#device={token}")
    expect(page.locator("#bundle-state")).to_contain_text("Liste des badges : ")
    return page


def scan_with_handheld_scanner(page, text: str) -> None:
    """A hand-held scanner types the code and Enter into whatever has the focus."""
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def in_paris(moment) -> str:
    return timezone.localtime(moment, PARIS).strftime("%H:%M")


def badge_video(registration, folder: Path) -> Path:
    """The attendee's printed badge (the PNG attendees receive) in front of a 640 by 480 camera,
    as the YUV4MPEG file Chromium's fake camera plays: shown, then a white frame, in a loop.

    Made here with Pillow: a YUV4MPEG file is a one-line header, then each frame as "FRAME" and
    its raw 4:2:0 planes (full-size luma, then the two chroma planes at half width and height),
    which is what Pillow's YCbCr conversion gives once the chroma is halved."""
    width, height = CAMERA_SIZE
    badge = Image.open(BytesIO(badge_png(registration))).convert("RGB")
    badge.thumbnail((width - 40, height - 40))
    shown = Image.new("RGB", CAMERA_SIZE, "white")
    shown.paste(badge, ((width - badge.width) // 2, (height - badge.height) // 2))
    away = Image.new("RGB", CAMERA_SIZE, "white")
    video = folder / "badge.y4m"
    with video.open("wb") as out:
        out.write(
            f"YUV4MPEG2 W{width} H{height} F{FRAMES_PER_SECOND}:1 Ip A1:1 C420jpeg\n".encode()
        )
        for image, seconds in ((shown, BADGE_SHOWN_SECONDS), (away, BADGE_AWAY_SECONDS)):
            frame = yuv420_frame(image)
            for _ in range(round(seconds * FRAMES_PER_SECOND)):
                out.write(b"FRAME\n")
                out.write(frame)
    return video


def yuv420_frame(image) -> bytes:
    """One frame's planes: Y at full size, Cb and Cr at half width and height."""
    luma, blue, red = image.convert("YCbCr").split()
    half = (image.width // 2, image.height // 2)
    return b"".join(
        [
            luma.tobytes(),
            blue.resize(half, Image.BOX).tobytes(),
            red.resize(half, Image.BOX).tobytes(),
        ]
    )


def test_the_fake_camera_is_made_without_ffmpeg_and_shows_the_badge_then_nothing(
    attendee, tmp_path, monkeypatch
):
    monkeypatch.setenv("PATH", str(tmp_path))  # no ffmpeg, nor anything else

    video = badge_video(attendee, tmp_path).read_bytes()

    header, _, frames = video.partition(b"\n")
    assert header == b"YUV4MPEG2 W640 H480 F5:1 Ip A1:1 C420jpeg"
    size = 640 * 480 * 3 // 2
    shown, away = round(BADGE_SHOWN_SECONDS * 5), round(BADGE_AWAY_SECONDS * 5)
    assert len(frames) == (len(b"FRAME\n") + size) * (shown + away)
    luma = [
        Image.frombytes("L", CAMERA_SIZE, frames[start + 6 : start + 6 + 640 * 480])
        for start in range(0, len(frames), 6 + size)
    ]
    seen = [[r.text for r in zxingcpp.read_barcodes(image)] for image in luma]
    assert seen == [[attendee.badge_token]] * shown + [[]] * away


def test_door_staff_scan_a_printed_badge_with_the_camera(
    browser, live_server, attendee, tmp_path, foreign_requests
):
    video = badge_video(attendee, tmp_path)
    door = staff_member(attendee.event)
    camera_browser = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, *FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={video}"],
    )
    try:
        context = new_context(camera_browser, live_server, foreign_requests)
        sign_in(context, live_server, door)
        page = context.new_page()
        page.goto("/checkin/")
        expect(page.locator("#bundle-state")).to_contain_text("Liste des badges : 1")

        page.get_by_role("button", name="Démarrer la caméra").click()

        result = page.locator("#scan-result")
        expect(result).to_have_attribute("data-result", "ok", timeout=8000)
        expect(result).to_contain_text("Bienvenue")
        expect(page.locator("#scan-name")).to_have_text("Alessia Lefébure")
        expect(page.locator("#scan-details")).to_have_text("EN3S · universitaire · Universitaire")
        expect(result).to_have_class("scan-result scan-result--ok")
        first = CheckIn.objects.get(result="ok")
        assert (first.registration, first.user, first.is_first_entry) == (attendee, door, True)
        assert first.gate == "Lucie"

        # Taken away and shown again: the second scan is a repeat, with the first time.
        expect(result).to_have_attribute("data-result", "already_checked_in", timeout=8000)
        expect(result).to_have_class("scan-result scan-result--repeat")
        expect(page.locator("#scan-message")).to_have_text("Entrée déjà enregistrée")
        expect(page.locator("#scan-first")).to_have_text(
            f"Première entrée à {in_paris(first.scanned_at)}, {first.gate}"
        )
        assert CheckIn.objects.filter(result="ok").count() == 1
        assert CheckIn.objects.filter(result="already_checked_in").count() >= 1
        context.close()
    finally:
        camera_browser.close()
    assert foreign_requests == []


def test_without_network_the_page_answers_from_its_list_and_sends_the_scans_later(
    browser, live_server, attendee, foreign_requests
):
    device, token = checkin.create_scanner_device(event=attendee.event, name="Entrée nord")
    context = new_context(browser, live_server, foreign_requests)
    page = context.new_page()
    page.goto("/checkin/")
    page.get_by_label("Jeton de l’appareil").fill(token)
    page.get_by_role("button", name="Associer ce navigateur").click()
    expect(page.locator("#bundle-state")).to_contain_text("Liste des badges : 1")
    expect(page.locator("#checkpoint")).to_have_value(
        str(checkin.entrance_checkpoint(attendee.event).pk)
    )
    # The page comes back without network (its service worker keeps it).
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller")

    context.set_offline(True)
    page.reload()
    expect(page.locator("#network-state")).to_have_text("Hors ligne")
    expect(page.locator("#bundle-state")).to_contain_text("Liste des badges : 1")
    scan_with_handheld_scanner(page, attendee.badge_token)

    result = page.locator("#scan-result")
    expect(result).to_have_attribute("data-result", "ok")
    expect(page.locator("#scan-name")).to_have_text("Alessia Lefébure")
    expect(page.locator("#scan-offline")).to_have_text(
        "Réponse donnée hors ligne : le scan sera transmis au retour du réseau."
    )
    expect(page.locator("#queue-state")).to_have_text("1 scan en attente d’envoi.")

    scan_with_handheld_scanner(page, "not-a-badge-of-this-event")
    expect(result).to_have_attribute("data-result", "unknown")
    expect(page.locator("#scan-message")).to_have_text("Badge inconnu")
    expect(page.locator("#queue-state")).to_have_text("2 scans en attente d’envoi.")
    assert CheckIn.objects.count() == 0

    context.set_offline(False)

    expect(page.locator("#queue-state")).to_have_text("Tous les scans ont été envoyés.")
    admitted = CheckIn.objects.get(registration=attendee)
    assert (admitted.result, admitted.client_result, admitted.is_offline) == ("ok", "ok", True)
    assert admitted.device == device
    assert admitted.gate == "Entrée nord"
    unknown = CheckIn.objects.get(registration=None)
    assert (unknown.result, unknown.client_result) == ("unknown", "unknown")
    context.close()
    assert foreign_requests == []


def test_offline_on_each_day_of_a_long_event_the_first_scan_admits_then_repeats_are_told(
    browser, live_server, attendee, foreign_requests
):
    now = timezone.now()
    event = attendee.event
    event.start, event.end = now - timedelta(days=1, hours=1), now + timedelta(days=2)
    event.save()
    entrance = checkin.entrance_checkpoint(event)
    yesterday = checkin.check_in(
        checkpoint=entrance,
        nonce="yesterday",
        token=attendee.badge_token,
        now=now - timedelta(days=1),
    )
    assert yesterday.result == "ok"
    _device, token = checkin.create_scanner_device(event=event, name="Entrée nord")
    context = new_context(browser, live_server, foreign_requests)
    page = context.new_page()
    page.clock.install(time=now)
    paired_page_at(page, token)
    context.set_offline(True)
    result = page.locator("#scan-result")

    # Admitted yesterday: today's first scan lets them in, the next one is a repeat.
    scan_with_handheld_scanner(page, attendee.badge_token)
    expect(result).to_have_attribute("data-result", "ok")
    expect(page.locator("#scan-offline")).to_be_visible()
    scan_with_handheld_scanner(page, attendee.badge_token)
    expect(result).to_have_attribute("data-result", "already_checked_in")

    # Still offline the next morning: this device's admission was yesterday's.
    page.clock.set_system_time(now + timedelta(days=1))
    scan_with_handheld_scanner(page, attendee.badge_token)
    expect(result).to_have_attribute("data-result", "ok")
    scan_with_handheld_scanner(page, attendee.badge_token)
    expect(result).to_have_attribute("data-result", "already_checked_in")
    expect(page.locator("#queue-state")).to_have_text("4 scans en attente d’envoi.")
    context.close()
    assert foreign_requests == []


def paired_page_at(page, token: str) -> None:
    page.goto(f"/checkin/#device={token}")
    expect(page.locator("#bundle-state")).to_contain_text("Liste des badges : ")


def test_one_badge_admitted_offline_at_two_gates_is_reported_as_a_conflict(
    browser, live_server, attendee, foreign_requests
):
    event = attendee.event
    north = checkin.create_scanner_device(event=event, name="Entrée nord")[1]
    south = checkin.create_scanner_device(event=event, name="Entrée sud")[1]
    gates = [new_context(browser, live_server, foreign_requests) for _ in range(2)]
    pages = [
        paired_page(context, token) for context, token in zip(gates, (north, south), strict=True)
    ]

    for context in gates:
        context.set_offline(True)
    for page in pages:
        scan_with_handheld_scanner(page, attendee.badge_token)
        expect(page.locator("#scan-result")).to_have_attribute("data-result", "ok")
        expect(page.locator("#queue-state")).to_have_text("1 scan en attente d’envoi.")
    for context, page in zip(gates, pages, strict=True):
        context.set_offline(False)
        expect(page.locator("#queue-state")).to_have_text("Tous les scans ont été envoyés.")

    scans = {scan.gate: scan for scan in CheckIn.objects.all()}
    assert (scans["Entrée nord"].result, scans["Entrée nord"].is_conflict) == ("ok", False)
    assert (scans["Entrée sud"].result, scans["Entrée sud"].is_conflict) == (
        "already_checked_in",
        True,
    )

    organiser = new_context(browser, live_server, foreign_requests)
    sign_in(organiser, live_server, staff_member(event, role=Membership.Role.ORGANISER))
    report = organiser.new_page()
    report.goto(f"/checkin/events/{event.slug}/attendance/")
    conflicts = report.locator("#attendance-conflicts tbody tr")
    expect(conflicts).to_have_count(1)
    expect(conflicts).to_contain_text("LEFÉBURE Alessia")
    expect(conflicts).to_contain_text("Entrée sud")
    for context in [*gates, organiser]:
        context.close()
    assert foreign_requests == []


def test_search_by_name_without_accents_and_check_in_by_hand(
    page, live_server, attendee, axe_violations, foreign_requests
):
    RegistrationFactory(
        ticket_type=attendee.ticket_type,
        first_name="Éloïse",
        last_name="Lefèvre",
        organisation="CNAF",
    )
    RegistrationFactory(
        ticket_type=attendee.ticket_type,
        first_name="Bruno",
        last_name="Lefébure-Martin",
        organisation="ARS PACA",
        status=Registration.Status.CANCELLED,
    )
    door = staff_member(attendee.event)
    sign_in(page.context, live_server, door)
    page.goto("/checkin/")
    expect(page.locator("#bundle-state")).to_contain_text("Liste des badges : 3")
    expect(page.locator("#wedge-input")).to_be_focused()

    page.get_by_label("Nom ou organisme").fill("lefebure")

    found = page.locator("#search-results li")
    expect(found).to_have_count(2)
    expect(found.nth(0)).to_contain_text("Alessia Lefébure")
    expect(found.nth(0)).to_contain_text("EN3S · universitaire")
    expect(found.nth(1)).to_contain_text("Bruno Lefébure-Martin")
    expect(found.nth(1)).to_contain_text("Inscription annulée")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Enregistrer l’entrée de Alessia Lefébure").click()

    expect(page.locator("#scan-result")).to_have_attribute("data-result", "ok")
    expect(page.locator("#scan-name")).to_have_text("Alessia Lefébure")
    expect(page.locator("#wedge-input")).to_be_focused()
    scan = CheckIn.objects.get()
    assert (scan.registration, scan.user, scan.result) == (attendee, door, "ok")

    page.get_by_label("Nom ou organisme").fill("alessia")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(f"Entrée déjà enregistrée à {in_paris(scan.scanned_at)}")
    assert axe_violations(page) == []
    assert foreign_requests == []


def test_scanner_page_in_french_and_english_with_no_accessibility_errors(
    page, live_server, attendee, axe_violations, foreign_requests
):
    sign_in(page.context, live_server, staff_member(attendee.event))
    cancelled = RegistrationFactory(
        ticket_type=attendee.ticket_type, status=Registration.Status.CANCELLED
    )

    page.goto("/checkin/")
    expect(page.locator("h1")).to_have_text("Contrôle des entrées")
    expect(page.get_by_role("button", name="Démarrer la caméra")).to_be_visible()
    expect(page.get_by_label("Point de contrôle")).to_have_value(
        str(checkin.entrance_checkpoint(attendee.event).pk)
    )
    expect(page.locator("#scan-message")).to_have_text("Prêt : scannez un badge.")
    assert axe_violations(page) == []
    scan_with_handheld_scanner(page, cancelled.badge_token)
    expect(page.locator("#scan-result")).to_have_attribute("data-result", "cancelled")
    expect(page.locator("#scan-message")).to_have_text("Inscription annulée")
    assert axe_violations(page) == []

    page.goto("/en/checkin/")
    expect(page.locator("h1")).to_have_text("Door check-in")
    expect(page.get_by_role("button", name="Start the camera")).to_be_visible()
    expect(page.locator("#bundle-state")).to_contain_text("Badge list: 2")
    scan_with_handheld_scanner(page, attendee.badge_token)
    expect(page.locator("#scan-result")).to_have_attribute("data-result", "ok")
    expect(page.locator("#scan-message")).to_have_text("Welcome")
    expect(page.locator("#scan-details")).to_have_text("EN3S · academic · Academic")
    assert axe_violations(page) == []
    assert foreign_requests == []


def test_pure_javascript_sha256_agrees_with_python(page, live_server):
    """Over plain http on a local network the browser has no crypto.subtle: the page's own
    SHA-256 must give the hashes of the offline list."""
    page.goto("/checkin/")
    texts = ["", "abc", "x" * 55, "y" * 56, "z" * 64, "Lefébure — 1€", uuid.uuid4().hex * 5]
    hashes = page.evaluate("texts => texts.map(colloqueSha256Hex)", texts)
    assert hashes == [hashlib.sha256(text.encode()).hexdigest() for text in texts]


def test_door_staff_undo_a_mistaken_entry_and_admit_an_unpaid_guest_anyway(
    page, live_server, attendee, axe_violations, foreign_requests
):
    unpaid = RegistrationFactory(
        ticket_type=attendee.ticket_type,
        first_name="Bruno",
        last_name="Carle",
        status=Registration.Status.PENDING_PAYMENT,
    )
    door = staff_member(attendee.event)
    sign_in(page.context, live_server, door)
    page.goto("/checkin/")
    expect(page.locator("#bundle-state")).to_contain_text("Liste des badges : 2")

    scan_with_handheld_scanner(page, attendee.badge_token)
    expect(page.locator("#scan-result")).to_have_attribute("data-result", "ok")
    undo = page.get_by_role("button", name="Annuler cette entrée\u00a0: Alessia Lefébure")
    expect(undo).to_have_text("Annuler cette entrée")
    expect(page.get_by_label("Motif (facultatif)")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Motif (facultatif)").fill("Badge de sa collègue")
    undo.click()

    expect(page.locator("#scan-message")).to_contain_text(
        "Entrée annulée : Alessia Lefébure ne figure plus parmi les entrées"
    )
    expect(undo).to_be_hidden()
    mistake = CheckIn.objects.get(registration=attendee)
    assert (mistake.annulled_by, mistake.annul_reason) == (door, "Badge de sa collègue")
    scan_with_handheld_scanner(page, attendee.badge_token)
    expect(page.locator("#scan-result")).to_have_attribute("data-result", "ok")
    assert CheckIn.objects.filter(registration=attendee, is_first_entry=True).count() == 1

    scan_with_handheld_scanner(page, unpaid.badge_token)
    expect(page.locator("#scan-result")).to_have_attribute("data-result", "not_paid")
    anyway = page.get_by_role("button", name="Faire entrer quand même\u00a0: Bruno Carle")
    expect(anyway).to_have_text("Faire entrer quand même")
    anyway.click()
    expect(page.locator("#correction-status")).to_have_text(
        "Indiquez pourquoi la personne entre malgré le refus."
    )
    reason = page.get_by_label("Motif pour faire entrer quand même (obligatoire)")
    expect(reason).to_be_focused()
    expect(reason).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []
    reason.fill("Le rectorat paie sur facture")
    anyway.click()

    expect(page.locator("#scan-result")).to_have_attribute("data-result", "ok")
    expect(page.locator("#scan-name")).to_have_text("Bruno Carle")
    expect(
        page.get_by_role("button", name="Annuler cette entrée\u00a0: Bruno Carle")
    ).to_be_visible()
    admitted = CheckIn.objects.get(registration=unpaid, result="ok")
    assert admitted.overrides == CheckIn.objects.get(registration=unpaid, result="not_paid")
    assert (admitted.user, admitted.override_reason) == (door, "Le rectorat paie sur facture")
    assert foreign_requests == []
