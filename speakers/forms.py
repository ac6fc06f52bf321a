"""Forms for speakers in the back office."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from speakers.models import Speaker
from speakers.photos import PhotoRejected, process_photo


def _formfield(db_field, **kwargs):
    # Django 6 makes https the default scheme for addresses typed without one; use it now.
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class SpeakerAdminForm(forms.ModelForm):
    """A speaker's profile with a photo upload checked and processed as soon as it arrives.

    `cleaned_data["upload"]` holds the processed photo (a `ProcessedPhoto`), ready for
    `speakers.services.set_speaker_photo`."""

    upload = forms.FileField(
        label=_("new photo"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP, up to 10 MB. The photo is turned upright, stripped of its "
            "metadata (including any location) and resized."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(label=_("remove the photo"), required=False)

    class Meta:
        model = Speaker
        formfield_callback = _formfield
        # The photo fields are written only by set_speaker_photo, from `upload`.
        fields = [
            "organisation",
            "name",
            "slug",
            "title",
            "affiliation",
            "bio",
            "email",
            "website",
            "linkedin",
            "photo_consent",
        ]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        try:
            return process_photo(upload)
        except PhotoRejected as rejection:
            raise forms.ValidationError(rejection.message, code="invalid_photo") from rejection

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("remove_photo") and cleaned_data.get("upload"):
            self.add_error(
                "remove_photo",
                _("Either upload a new photo or remove the current one, not both."),
            )
        return cleaned_data
