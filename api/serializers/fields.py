"""Fields shared by the API's serializers: bilingual texts and times in the event's zone.

Every translated text (titles, abstracts, descriptions, biographies, room and track names) has
one shape, in responses and in requests: an object with a text per language,
`{"fr": "…", "en": "…"}`. An empty string means there is no text in that language (the public
site then shows the French one).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

LANGUAGES = ("fr", "en")


class StrictBooleanField(serializers.BooleanField):
    """A JSON boolean, as the schema says: `true` or `false`, not `1`, `"yes"` or `"on"` (which
    DRF's BooleanField takes from HTML forms; this API reads JSON only)."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class StrictModelSerializer(serializers.ModelSerializer):
    """A model serializer for writes whose model booleans are `StrictBooleanField`s."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: StrictBooleanField,
    }


class BilingualTextSerializer(serializers.Serializer):
    """A text in French and in English. An empty string: no text in that language."""

    fr = serializers.CharField(allow_blank=True, help_text="French text.")
    en = serializers.CharField(allow_blank=True, help_text="English text (may be empty).")


class BilingualTextInputSerializer(serializers.Serializer):
    """A text in French and in English; give one or both languages.

    When the text is required, the French one is: it is the text every visitor sees when
    there is no English one."""

    fr = serializers.CharField(required=False, allow_blank=True, help_text="French text.")
    en = serializers.CharField(required=False, allow_blank=True, help_text="English text.")


@extend_schema_field(BilingualTextSerializer)
class BilingualField(serializers.Field):
    """Reads the `<name>_fr` and `<name>_en` columns modeltranslation adds to a model."""

    def __init__(self, translated: str, *, source_object: str = "", **kwargs):
        self.translated = translated
        self.source_object = source_object
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance):
        if self.source_object:
            instance = getattr(instance, self.source_object)
        return {lang: getattr(instance, f"{self.translated}_{lang}") or "" for lang in LANGUAGES}


@extend_schema_field(BilingualTextInputSerializer)
class BilingualInputField(serializers.Field):
    """Takes `{"fr": …, "en": …}` and gives `{"<name>_fr": …, "<name>_en": …}` to validated data.

    `required_languages` must be non-blank when the object is created (and stay non-blank)."""

    default_error_messages = {
        "invalid": _(
            'Give an object with one text per language, for example {"fr": "…", "en": "…"}.'
        ),
        "unknown_language": _("Unknown language: use “fr” or “en”."),
    }

    def __init__(self, translated: str, *, max_length=None, required_languages=(), **kwargs):
        self.translated = translated
        self.max_length = max_length
        self.required_languages = tuple(required_languages)
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, instance):
        return {lang: getattr(instance, f"{self.translated}_{lang}") or "" for lang in LANGUAGES}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            # Not `self.fail`: it would read the braces of the example as placeholders.
            raise serializers.ValidationError(self.error_messages["invalid"], code="invalid")
        errors = {
            key: [self.error_messages["unknown_language"]] for key in data if key not in LANGUAGES
        }
        partial = getattr(self.root, "partial", False)
        values = {}
        for lang in LANGUAGES:
            is_required = lang in self.required_languages
            child = serializers.CharField(
                allow_blank=not is_required, max_length=self.max_length, required=is_required
            )
            if lang not in data:
                if is_required and not partial:
                    errors[lang] = [child.error_messages["required"]]
                continue
            try:
                values[f"{self.translated}_{lang}"] = child.run_validation(data[lang])
            except serializers.ValidationError as error:
                errors[lang] = error.detail
        if errors:
            raise serializers.ValidationError(errors)
        return values


@extend_schema_field(OpenApiTypes.DATETIME)
class EventTimeField(serializers.Field):
    """An ISO 8601 time with its offset, in the time zone of the object's event
    (e.g. "2027-05-20T09:00:00+02:00")."""

    def __init__(self, attribute: str, event_path: str = "event", **kwargs):
        self.attribute = attribute
        self.event_path = event_path
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance):
        event = instance
        for part in self.event_path.split(".") if self.event_path else ():
            event = getattr(event, part)
        return getattr(instance, self.attribute).astimezone(event.zone).isoformat()
