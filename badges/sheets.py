"""Building a badge sheet's PDF: the background task's work (badges/tasks.py)."""

import logging

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from badges import render
from badges.models import BadgeSheet
from registrations.services import badge_holders

logger = logging.getLogger(__name__)


def build_badge_sheet(*, sheet_id: int):
    """Build the PDF of a queued badge sheet (the background task's work), saving how many
    badges are drawn every few dozen so that the back office shows the progress.

    Takes no lock: the sheet is claimed by moving it from queued to running in one UPDATE, so a
    task delivered twice builds it once. The badges are those of the registrations that hold
    one when the building starts. A failure is recorded on the sheet, not raised."""
    sheets = BadgeSheet.objects.filter(pk=sheet_id)
    claimed = sheets.filter(status=BadgeSheet.Status.QUEUED).update(
        status=BadgeSheet.Status.RUNNING, done=0
    )
    sheet = sheets.select_related("event").defer("pdf").get()
    if not claimed:
        return sheet
    registrations = list(badge_holders(event=sheet.event))
    sheets.update(total=len(registrations))
    try:
        with translation.override(sheet.language):
            pdf = render.badge_sheet_pdf(
                registrations,
                layout=sheet.layout,
                total=len(registrations),
                progress=lambda done, total: sheets.update(done=done),
                title=f"{_('Badges')} — {sheet.event.title}",
            )
    except Exception as error:  # recorded for the organiser; the sheet must not stay "running"
        logger.exception("Badge sheet %s failed", sheet_id)
        sheets.update(
            status=BadgeSheet.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
    else:
        sheets.update(
            status=BadgeSheet.Status.DONE,
            pdf=pdf,
            pdf_size=len(pdf),
            done=len(registrations),
            finished_at=timezone.now(),
        )
    return sheets.select_related("event").defer("pdf").get()
