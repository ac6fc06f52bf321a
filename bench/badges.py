"""Benchmark: a sheet of 1,000 badges, in each layout.

    .venv/bin/python bench/badges.py

Registers BADGES attendees with realistic names (accents, compound and very long names, Greek
and Cyrillic ones) in a scratch SQLite database (or the one DATABASE_URL names: the builder
itself never touches the database), then, for each layout, builds the PDF sheet RUNS times and
prints the median time and the size, and reads every QR code back from the pages rendered at
150 dpi (pypdfium2 + zxing-cpp): the count of codes that decode to a registration's badge
token. Targets: at most 2.3 s and 3 MB for 1,000 badges, every code decoded.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='colloque-bench-')}/badges.sqlite3"
)
os.environ.update(DEBUG="0", SECRET_KEY="bench-only-" + "x" * 40, ALLOWED_HOSTS="testserver")

import django

django.setup()

import pypdfium2
import zxingcpp
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from badges import render as badges
from events.models import Event
from organisations.models import Organisation
from registrations import services
from registrations.models import Registration, TicketType

BADGES = int(os.environ.get("BENCH_BADGES", "1000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SLUG = "bench-badges"
TARGET_SECONDS, TARGET_MB = 2.3, 3.0

FIRST_NAMES = [
    "Alessia", "Camille", "Hélène", "François", "Chloé", "Maëlle", "Zoë", "Noël", "Joël",
    "Inès", "Léa", "Jérôme", "Bérénice", "Anaïs", "Ægir", "Søren", "Ñuria", "José",
    "Marie-Christine", "Jean-Baptiste", "Pierre-Élie", "Anne-Sophie", "Œnone", "Björn",
    "Αλέξανδρος", "Анастасия", "Łukasz", "Dvořák", "Çağla", "Nguyễn Thị",
]  # fmt: skip
LAST_NAMES = [
    "Lefébure", "Durand", "Müller", "Martin", "Bernard", "Lefèvre", "Dupré", "Garçon",
    "Ørsted", "Castañeda", "Brøndby", "de Saint-Exupéry", "Le Guévellou", "N'Diaye",
    "Kowalczyk-Wiśniewska", "Παπαδόπουλος", "Кузнецова-Соколова", "d'Harcourt-Beaumanoir",
    "de la Fontaine-Brøndby-Sørensen Castañeda", "Van den Berghe-Ærøskøbing",
    "Fernández de Córdoba y Álvarez de las Asturias",
]  # fmt: skip
ORGANISATIONS = [
    "Sciences Po Lyon", "CPAM du Rhône", "Métropole de Lyon", "Université Lumière Lyon 2",
    "Direction régionale de l'économie, de l'emploi, du travail et des solidarités "
    "Auvergne-Rhône-Alpes", "Conseil départemental de l'Isère", "Le Progrès", "",
    "Agence régionale de santé Provence-Alpes-Côte d'Azur", "Mairie de Villeurbanne",
]  # fmt: skip


def build_event() -> Event:
    Registration.objects.filter(event__slug=SLUG).delete()
    Event.objects.filter(slug=SLUG).delete()
    organisation, _ = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    start = datetime(2027, 5, 20, 8, 30, tzinfo=ZoneInfo("Europe/Paris"))
    event = Event.objects.create(
        organisation=organisation,
        slug=SLUG,
        title_fr="Protection sociale et territoires : quelles solidarités demain ?",
        title_en="Social protection and territories: what solidarity tomorrow?",
        start=start,
        end=start + timedelta(days=1, hours=10),
        status=Event.Status.PUBLISHED,
    )
    tickets = [
        TicketType.objects.create(event=event, category=category, name_fr=str(label))
        for category, label in TicketType.Category.choices
    ]
    chance = random.Random(2027)  # noqa: S311 (names, not secrets)
    now = timezone.now()
    Registration.objects.bulk_create(
        Registration(
            event=event,
            ticket_type=chance.choice(tickets),
            status=Registration.Status.CONFIRMED,
            first_name=chance.choice(FIRST_NAMES),
            last_name=chance.choice(LAST_NAMES),
            email=f"attendee{n}@example.org",
            organisation=chance.choice(ORGANISATIONS),
            consent_processing_at=now,
            confirmed_at=now,
        )
        for n in range(BADGES)
    )
    services.recount_seats(event=event)
    return event


def decoded(pdf: bytes, tokens: set[str]) -> int:
    """How many of `tokens` are read back from the pages rendered at 150 dpi."""
    found = set()
    for page in pypdfium2.PdfDocument(pdf):
        image = page.render(scale=150 / 72, grayscale=True).to_pil()
        for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
            found.add(result.text)
    return len(found & tokens)


def main() -> None:
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        event = build_event()
    began = time.perf_counter()
    registrations = list(services.badge_holders(event=event))
    fetched = time.perf_counter() - began
    tokens = {registration.badge_token for registration in registrations}
    longest = max(len(registration.full_name) for registration in registrations)
    print(
        f"{connection.vendor}, {len(registrations)} badges (longest name: {longest} characters), "
        f"fetched in {fetched:.2f} s; median of {RUNS} builds"
    )
    # Wall-clock seconds, and the processor's: on a busy machine the first exceeds the second.
    print(
        f"{'layout':<12} {'seconds':>8} {'cpu s':>8} {'MB':>6} {'pages':>6} {'decoded':>13}  target"
    )
    for layout, sheet in badges.SHEET_LAYOUTS.items():
        timings, processor = [], []
        for _ in range(RUNS):
            began, began_cpu = time.perf_counter(), time.process_time()
            pdf = badges.badge_sheet_pdf(registrations, layout=layout)
            timings.append(time.perf_counter() - began)
            processor.append(time.process_time() - began_cpu)
        seconds, megabytes = statistics.median(timings), len(pdf) / 1_000_000
        pages = -(-len(registrations) // sheet.per_page)
        count = decoded(pdf, tokens)
        met = seconds <= TARGET_SECONDS and megabytes <= TARGET_MB and count == len(tokens)
        print(
            f"{layout:<12} {seconds:>8.2f} {statistics.median(processor):>8.2f} "
            f"{megabytes:>6.2f} {pages:>6} {count:>5} / {len(tokens):<5}  "
            f"{'met' if met else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
