"""Writes to speakers (the part they take in sessions: `events.services.set_session_speakers`).

Services validate with the models' rules and raise `django.core.exceptions.ValidationError`
keyed by field name when the data is wrong; callers have checked the user's rights."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit import services as audit
from organisations.models import Organisation
from speakers.models import Speaker
from speakers.photos import ProcessedPhoto, process_photo

SPEAKER_FIELDS = (
    "name",
    "slug",
    "title_fr",
    "title_en",
    "affiliation",
    "bio_fr",
    "bio_en",
    "email",
    "website",
    "linkedin",
    "photo_consent",
)


def create_speaker(
    *, organisation: Organisation, data: dict, speaker: Speaker | None = None
) -> Speaker:
    """Add a speaker to `organisation`. Without a `slug`, one is made from the name.
    `speaker`: a new one a form has already filled in (the back office's), saved as it is with
    `data` applied."""
    speaker = speaker if speaker is not None else Speaker()
    speaker.organisation = organisation
    _apply(speaker, data)
    if not speaker.slug:
        speaker.slug = _free_slug(organisation, speaker.name)
    return _save(speaker)


def update_speaker(*, speaker: Speaker, data: dict) -> Speaker:
    """Change a speaker's profile; only the keys present in `data` change."""
    _apply(speaker, data)
    return _save(speaker)


def delete_speaker(*, speaker: Speaker) -> None:
    """Remove a speaker and the part they took in sessions."""
    with transaction.atomic():
        audit.record("speaker.delete", speaker)
        speaker.delete()


def _apply(speaker: Speaker, data: dict) -> None:
    for field in SPEAKER_FIELDS:
        if field in data:
            setattr(speaker, field, data[field])


def _save(speaker: Speaker) -> Speaker:
    # The organisation is set by the caller; its slug uniqueness is checked here with a
    # clearer message than the database's.
    speaker.full_clean(exclude=["organisation", "photo", "photo_thumbnail"])
    if _slug_taken(speaker):
        raise ValidationError({"slug": [_slug_taken_message()]})
    stored = Speaker.objects.filter(pk=speaker.pk).first() if speaker.pk else None
    try:
        with transaction.atomic():
            speaker.save()
            audit.record(
                "speaker.change" if stored else "speaker.create",
                speaker,
                changes=audit.field_changes(stored, speaker, SPEAKER_FIELDS),
            )
    except IntegrityError as error:
        # A concurrent write took the slug between the check and the save.
        raise ValidationError({"slug": [_slug_taken_message()]}) from error
    return speaker


def _slug_taken(speaker: Speaker) -> bool:
    return (
        Speaker.objects.filter(organisation_id=speaker.organisation_id, slug=speaker.slug)
        .exclude(pk=speaker.pk)
        .exists()
    )


def _slug_taken_message() -> str:
    return _("Another speaker of this organisation already has this identifier.")


def _free_slug(organisation: Organisation, name: str) -> str:
    base = slugify(name)[:150] or "speaker"
    taken = set(
        Speaker.objects.filter(organisation=organisation, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def set_speaker_photo(*, speaker: Speaker, upload) -> Speaker:
    """Give `speaker` a new photo from `upload`: a file object, or the `ProcessedPhoto` a
    form already made from it. Stores a large version and a square thumbnail under random
    names, without metadata; the old files are deleted once the transaction commits.

    Raises `speakers.photos.PhotoRejected` (with a message for the uploader) for a file that
    is not an acceptable image; nothing changes then."""
    processed = upload if isinstance(upload, ProcessedPhoto) else process_photo(upload)
    old_files = _photo_files(speaker)
    with transaction.atomic():
        # upload_to replaces the name with a random one; only the suffix is kept.
        speaker.photo.save("photo.jpg", ContentFile(processed.large), save=False)
        speaker.photo_thumbnail.save("thumbnail.jpg", ContentFile(processed.thumbnail), save=False)
        speaker.save(update_fields=["photo", "photo_thumbnail", "updated_at"])
        audit.record("speaker.photo", speaker, changes={"photo": [bool(old_files), True]})
        transaction.on_commit(lambda: _delete_files(old_files))
    return speaker


def remove_speaker_photo(*, speaker: Speaker) -> Speaker:
    """Remove `speaker`'s photo and thumbnail; the files go once the transaction commits."""
    old_files = _photo_files(speaker)
    with transaction.atomic():
        speaker.photo = ""
        speaker.photo_thumbnail = ""
        speaker.save(update_fields=["photo", "photo_thumbnail", "updated_at"])
        audit.record("speaker.photo", speaker, changes={"photo": [bool(old_files), False]})
        transaction.on_commit(lambda: _delete_files(old_files))
    return speaker


def _photo_files(speaker: Speaker) -> list[tuple]:
    return [
        (field.storage, field.name) for field in (speaker.photo, speaker.photo_thumbnail) if field
    ]


def _delete_files(files: list[tuple]) -> None:
    for storage, name in files:
        storage.delete(name)
