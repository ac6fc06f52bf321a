"""The door scanner page and its service worker.

The page carries no attendee data: its script asks the check-in API for the checkpoints, the
offline bundle and each scan's answer, with the signed-in member's session or with the token
of a scanner device paired in this browser (kept in the browser's storage, never sent to the
page itself). An anonymous visitor therefore gets the page too, with the pairing form; a
signed-in user who belongs to no organisation is refused, as the API would refuse them.
"""

import functools
import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from checkin.services import MESSAGES, REASONS
from config.permissions_policy import allow_features
from events.models import Event
from organisations.selectors import organisations_staffed_by
from registrations.http import private_page

# Static files the page needs, cached by the service worker so the page reloads offline.
SCANNER_ASSETS = (
    "css/site.css",
    "css/scanner.css",
    "img/logo.svg",
    "js/sha256.js",
    "js/scanner.js",
    "vendor/jsqr/jsQR.js",
)


def may_scan_with_login(user) -> bool:
    """The API's rule for people (api.views.checkin.CanScan): a superuser or a member of at
    least one organisation, whatever the role."""
    return user.is_superuser or bool(organisations_staffed_by(user))


@require_GET
@allow_features(camera=["self"])
def scanner(request):
    """The scanner page: with the member's session, or pairing a device when anonymous."""
    user = request.user
    if user.is_authenticated and not may_scan_with_login(user):
        response = render(
            request,
            "checkin/scanner.html",
            {"forbidden": True, "login_url": _login_url(request)},
            status=403,
        )
        return private_page(response)
    mode = "session" if user.is_authenticated else "device"
    context = {
        "forbidden": False,
        "mode": mode,
        "login_url": _login_url(request),
        "config": _page_config(request, mode=mode),
        "strings": interface_strings(),
    }
    return private_page(render(request, "checkin/scanner.html", context))


def _login_url(request) -> str:
    return reverse("admin:login") + "?" + urlencode({"next": request.path})


def _page_config(request, *, mode: str) -> dict:
    """What the script needs to know: where the API is, who is asking, in which language and
    time zone it shows times. For a member, the zone of each event they may scan at; a paired
    device learns its event only from the API, and shows the site's zone."""
    zones = {}
    if mode == "session":
        events = Event.objects.all()
        if not request.user.is_superuser:
            events = events.filter(organisation_id__in=organisations_staffed_by(request.user))
        zones = {str(pk): zone for pk, zone in events.values_list("pk", "time_zone")}
    return {
        "mode": mode,
        "language": get_language(),
        "csrfToken": get_token(request) if mode == "session" else "",
        "timeZone": settings.TIME_ZONE,
        "eventTimeZones": zones,
        "api": {
            "checkpoints": reverse("api:checkin-checkpoints"),
            "bundle": reverse("api:checkin-bundle"),
            "checkin": reverse("api:checkin"),
            # With "{id}" for the scan's id.
            "annul": reverse("api:checkin-annul", kwargs={"pk": "0"}).replace("/0/", "/{id}/"),
            "override": reverse("api:checkin-override", kwargs={"pk": "0"}).replace(
                "/0/", "/{id}/"
            ),
        },
        "jsqrUrl": static("vendor/jsqr/jsQR.js"),
        "serviceWorkerUrl": reverse("registrations:scanner-service-worker"),
        "scope": reverse("registrations:scanner"),
    }


def interface_strings() -> dict[str, str]:
    """The script's words, in the page's language. The answers to a scan come translated from
    the API; these are its own labels, and the answers it gives itself when offline."""
    return {
        "online": _("Online"),
        "offline": _("Offline"),
        "offlineAnswer": _("Offline answer: it will be sent when the network is back."),
        "queueEmpty": _("Every scan has been sent."),
        "queueOne": _("1 scan waiting to be sent."),
        "queueMany": _("{count} scans waiting to be sent."),
        "queueRejected": _("{count} offline scans were refused by the server: {reason}"),
        "bundleNone": _("The list of badges is not downloaded yet."),
        "bundleLoaded": _("Badge list: {count}, downloaded at {time}."),
        "bundleFailed": _("Could not download the list of badges."),
        "bundleStale": _("Could not update it."),
        "loadingCheckpoints": _("Loading checkpoints…"),
        "noCheckpoint": _(
            "No checkpoint is open to you: no event of your organisations is under way."
        ),
        "chooseCheckpoint": _("Choose a checkpoint"),
        "ready": _("Ready: scan a badge."),
        "firstCheckIn": _("First checked in at {time}, {gate}"),
        "firstCheckInNoGate": _("First checked in at {time}"),
        "cameraStart": _("Start the camera"),
        "cameraStop": _("Stop the camera"),
        "cameraStarting": _("Starting the camera…"),
        "cameraOn": _("The camera is on: hold a badge in front of it."),
        "cameraDenied": _("The camera is not available: {reason}"),
        "cameraNoDecoder": _("This browser cannot read QR codes from the camera."),
        "cameraInsecure": _("The camera needs a secure (https) connection."),
        "searchNoResults": _("Nobody found."),
        "searchTooShort": _("Type at least two letters."),
        "searchMore": _("{count} more: type more letters."),
        "checkInButton": _("Check in"),
        "checkInNamed": _("Check in {name}"),
        "alreadyAt": _("Already checked in at {time}"),
        "pairingChecking": _("Checking the token…"),
        "pairingRefused": _("This token was refused: it is wrong or the device was revoked."),
        "pairingEmpty": _("Paste the device token."),
        "pairingFailed": _("Could not reach the server. Try again when the network is back."),
        "forgetConfirm": _(
            "{count} scans have not been sent yet and will be lost. Forget this device anyway?"
        ),
        "deviceRefused": _("The server refused this device's token: it may have been revoked."),
        "sessionExpired": _("Your session has expired: sign in again."),
        "forbidden": _("You may not scan at this checkpoint."),
        "badInput": _("The server refused this scan: {reason}"),
        "scanning": _("Checking…"),
        "annulButton": _("Undo this entry"),
        "annulNamed": _("Undo this entry: {name}"),
        "annulReason": _("Reason (optional)"),
        "annulDone": _(
            "Entry undone: {name} is not counted as admitted; their next scan admits them."
        ),
        "overrideButton": _("Admit anyway"),
        "overrideNamed": _("Admit anyway: {name}"),
        "overrideReason": _("Reason for admitting anyway (required)"),
        "overrideNoReason": _("Say why the person is admitted despite the refusal."),
        "correctionFailed": _("Not done: {reason}"),
        "correctionOffline": _(
            "Not done: the server cannot be reached. Try again when the network is back."
        ),
        "reasonNotOpen": str(REASONS["not_open_yet"]),
        "reasonClosed": str(REASONS["closed"]),
        "messages": {code: str(message) for code, message in MESSAGES.items()},
    }


@functools.cache
def _service_worker_source() -> str:
    path = finders.find("js/scanner-sw.js")
    with open(path, encoding="utf-8") as source:
        return source.read()


@require_GET
def scanner_service_worker(request):
    """The scanner page's service worker, served beside the page so that its scope covers it
    (a worker under /static/ could not control /checkin/). The list of files to keep is
    written in here with their current addresses (hashed names in production); its digest
    is the worker's version, so a new release replaces the cached copies."""
    assets = [static(name) for name in SCANNER_ASSETS]
    page = reverse("registrations:scanner")
    header = {"page": page, "assets": assets}
    source = _service_worker_source()
    version = hashlib.sha256((json.dumps(header) + source).encode()).hexdigest()[:16]
    header["version"] = version
    body = f"const SCANNER = {json.dumps(header)};\n{source}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on each visit; no cache in between keeps that true.
    response["Cache-Control"] = "no-cache"
    return response
