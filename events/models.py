"""Organisations and the events they run: venues, rooms, tracks and the programme.

Text the public reads (titles, descriptions, names) is translated by modeltranslation, see
`events/translation.py`: each such field has `_fr` and `_en` columns.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("« %(zone)s » n'est pas un fuseau horaire connu."), params={"zone": value})


class Organisation(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    website = models.URLField(_("site web"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations", blank=True
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("propriétaire")
        ORGANISER = "organiser", _("organisateur")
        DOOR_STAFF = "door_staff", _("accueil (contrôle des entrées)")

    # Roles that may edit the organisation's programme in the back office and the API.
    EDITOR_ROLES = (Role.OWNER, Role.ORGANISER)

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("utilisateur"),
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.ORGANISER)

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique_user"),
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


class Venue(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="venues", verbose_name=_("organisation")
    )
    name = models.CharField(_("nom"), max_length=200)
    street = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=100)
    country = models.CharField(_("pays"), max_length=2, default="FR")

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.city}"

    @property
    def address(self) -> str:
        locality = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.name, self.street, locality) if part)


class Event(models.Model):
    class Kind(models.TextChoices):
        COLLOQUIUM = "colloquium", _("colloque")
        CEREMONY = "ceremony", _("cérémonie")
        CONFERENCE = "conference", _("conférence")
        SEMINAR = "seminar", _("séminaire")

    class Access(models.TextChoices):
        PUBLIC = "public", _("inscription publique")
        INVITATION = "invitation", _("sur invitation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        PUBLISHED = "published", _("publié")
        CANCELLED = "cancelled", _("annulé")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="events", verbose_name=_("organisation")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.COLLOQUIUM)
    slug = models.SlugField(_("identifiant dans l'adresse"), max_length=100, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    subtitle = models.CharField(_("sous-titre"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
        verbose_name=_("lieu"),
    )
    time_zone = models.CharField(
        _("fuseau horaire"), max_length=64, default="Europe/Paris", validators=[validate_time_zone]
    )
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    access = models.CharField(_("accès"), max_length=20, choices=Access.choices, default=Access.PUBLIC)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    contact_email = models.EmailField(_("courriel de contact"), blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="event_end_after_start"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("La fin doit être postérieure au début.")})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_invitation_only(self) -> bool:
        return self.access == self.Access.INVITATION

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Room(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("événement"))
    name = models.CharField(_("nom"), max_length=120)
    capacity = models.PositiveIntegerField(_("capacité"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("salle")
        verbose_name_plural = _("salles")
        ordering = ["event", "position", "name"]

    def __str__(self):
        return self.name


class Track(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("événement"))
    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant"), max_length=80)
    colour = models.CharField(
        _("couleur"),
        max_length=7,
        default="#1d4f91",
        help_text=_("Code hexadécimal, par exemple #1d4f91."),
    )

    class Meta:
        verbose_name = _("parcours")
        verbose_name_plural = _("parcours")
        ordering = ["event", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slug"], name="track_unique_slug_per_event"),
            models.CheckConstraint(condition=Q(colour__regex=r"^#[0-9A-Fa-f]{6}$"), name="track_colour_hex"),
        ]

    def __str__(self):
        return self.name


class Session(models.Model):
    """A programme item. `sequence` grows on every change attendees must hear of (RFC 5545)."""

    class Type(models.TextChoices):
        PLENARY = "plenary", _("séance plénière")
        KEYNOTE = "keynote", _("conférence inaugurale")
        ROUND_TABLE = "round_table", _("table ronde")
        WORKSHOP = "workshop", _("atelier")
        TALK = "talk", _("intervention")
        SPEECH = "speech", _("discours")
        SIGNING = "signing", _("signature")
        RECEPTION = "reception", _("réception")
        WELCOME = "welcome", _("accueil")
        BREAK = "break", _("pause")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmée")
        CANCELLED = "cancelled", _("annulée")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("événement"))
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.TALK)
    title = models.CharField(_("titre"), max_length=255)
    abstract = models.TextField(_("résumé"), blank=True)
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions", verbose_name=_("salle")
    )
    track = models.ForeignKey(
        Track, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions", verbose_name=_("parcours")
    )
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    is_public = models.BooleanField(
        _("visible du public"),
        default=True,
        help_text=_("Décochez pour ne montrer la session qu'aux partenaires et aux organisateurs."),
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Laisser vide si la session n'a pas de jauge propre.")
    )
    requires_signup = models.BooleanField(_("inscription à la session"), default=False)
    sequence = models.PositiveIntegerField(_("version"), default=0, editable=False)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start", "room__position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_end_after_start"),
            # "Inside its event's dates" spans two tables: a trigger enforces it, see
            # events/migrations/0002_session_within_event.py.
        ]
        indexes = [models.Index(fields=["event", "start"], name="session_event_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:session", kwargs={"slug": self.event.slug, "pk": self.pk})

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("La fin doit être postérieure au début.")
        event = self.event if self.event_id else None
        if event and self.start and self.end and (self.start < event.start or self.end > event.end):
            errors.setdefault(
                "start", _("La session doit se tenir pendant l'événement (du %(start)s au %(end)s).")
                % {"start": _local(event.start, event), "end": _local(event.end, event)}
            )
        for field in ("room", "track"):
            related = getattr(self, field)
            if related is not None and event is not None and related.event_id != event.pk:
                errors[field] = _("Choisissez une valeur de cet événement.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


def _local(moment, event) -> str:
    return moment.astimezone(event.zone).strftime("%d/%m/%Y %H:%M")
