"""A speaker's personal data, for the rights the organisers serve on the speaker's behalf
(issue 13: a speaker's own page comes later): what is held (`speaker_data`) and its erasure
(`erase_speaker`).

Erasing keeps the speaker's row, so that the sessions they took part in keep their shape, but
nothing of the person: the name becomes "Name withdrawn", profile, contact details and photo
(files included) go. The apps above clean what they hold about the speaker (the outbox's
emails to them) through `on_speaker_erasure` hooks registered in their `ready()`."""

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from audit import services as audit
from speakers.models import Speaker
from speakers.services import remove_speaker_photo

SpeakerErasureHook = Callable[[Speaker, list[str]], None]
_erasure_hooks: list[SpeakerErasureHook] = []

PROFILE_FIELDS = (
    "name",
    "title_fr",
    "title_en",
    "affiliation",
    "bio_fr",
    "bio_en",
    "email",
    "website",
    "linkedin",
)


def on_speaker_erasure(hook: SpeakerErasureHook) -> SpeakerErasureHook:
    """Register `hook(speaker, values)`, run when a speaker is erased with the values that
    identified them (name, email); for ready()."""
    if hook not in _erasure_hooks:
        _erasure_hooks.append(hook)
    return hook


def speaker_data(speaker: Speaker) -> dict:
    """Everything held on a speaker, as plain data (the JSON the organiser hands over)."""
    return {
        "speaker": {
            **{field: getattr(speaker, field) for field in PROFILE_FIELDS},
            "photo": bool(speaker.photo),
            "photo_consent": speaker.photo_consent,
            "organisation": str(speaker.organisation),
            "updated_at": speaker.updated_at.isoformat() if speaker.updated_at else None,
        },
        "sessions": [
            {
                "event": str(part.session.event),
                "session": part.session.title,
                "role": part.get_role_display(),
                "start": part.session.start.isoformat(),
            }
            for part in speaker.session_roles.select_related("session__event").order_by(
                "session__start", "pk"
            )
        ],
    }


def erase_speaker(*, speaker: Speaker, reason: str = "") -> Speaker:
    """Erase a speaker's personal data (see the module's docstring). Idempotent."""
    values = [value for value in (speaker.name, speaker.email) if value]
    if speaker.photo or speaker.photo_thumbnail:
        remove_speaker_photo(speaker=speaker)
    with transaction.atomic():
        speaker = Speaker.objects.select_for_update().get(pk=speaker.pk)
        for field in PROFILE_FIELDS:
            setattr(speaker, field, "")
        speaker.name = _("Name withdrawn")
        speaker.slug = f"withdrawn-{speaker.pk}"
        speaker.photo_consent = False
        speaker.save()
        for hook in _erasure_hooks:
            hook(speaker, values)
        audit.anonymise_entries(speaker, values=values, organisation=speaker.organisation_id)
        audit.record("speaker.erase", speaker, changes={"reason": ["", reason]} if reason else {})
    return speaker
