from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.events import absolute_url
from api.serializers.fields import BilingualField, BilingualInputField, StrictModelSerializer
from organisations.models import Organisation
from speakers.models import Speaker


class SpeakerSerializer(serializers.ModelSerializer):
    """A speaker as the public sees them.

    `title` (their role, e.g. "Directrice de Sciences Po Aix") and `bio` are bilingual:
    `{"fr": "…", "en": "…"}`, an empty string when a language has no text. `photo` and
    `thumbnail` are absolute addresses, or null when there is no photo or the speaker has not
    agreed to its publication. `sessions` lists the ids of the sessions you may see. The
    speaker's email is never published."""

    title = BilingualField("title")
    bio = BilingualField("bio")
    photo = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()
    links = serializers.ListField(child=serializers.URLField(), read_only=True)
    sessions = serializers.SerializerMethodField()

    class Meta:
        model = Speaker
        fields = [
            "id",
            "name",
            "slug",
            "title",
            "affiliation",
            "bio",
            "photo",
            "thumbnail",
            "links",
            "sessions",
        ]
        read_only_fields = fields

    @extend_schema_field({**{"type": "string", "format": "uri"}, "nullable": True})
    def get_photo(self, speaker) -> str | None:
        return self._file_url(speaker.public_photo)

    @extend_schema_field({**{"type": "string", "format": "uri"}, "nullable": True})
    def get_thumbnail(self, speaker) -> str | None:
        return self._file_url(speaker.public_thumbnail)

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_sessions(self, speaker) -> list[int]:
        # `visible_roles` is prefetched by the view with only the sessions the user may see.
        return sorted({role.session_id for role in speaker.visible_roles})

    def _file_url(self, file) -> str | None:
        return absolute_url(self.context.get("request"), file.url) if file else None


class SpeakerWriteSerializer(StrictModelSerializer):
    """What an organiser sends to create or change a speaker.

    `organisation` (an id) is needed on creation only when you edit several organisations.
    `slug` is made from the name when left out. `title` and `bio` are bilingual objects
    `{"fr": "…", "en": "…"}`. `email` is stored for the organisers and never published."""

    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False
    )
    slug = serializers.SlugField(max_length=160, required=False)
    title = BilingualInputField("title", max_length=255, required=False)
    bio = BilingualInputField("bio", required=False)

    class Meta:
        model = Speaker
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
        extra_kwargs = {"email": {"write_only": True}}
        # The slug's uniqueness per organisation is checked by speakers.services.
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["organisation"].read_only = True
