"""Who is acting, and through what, for the trail: a contextvar, so that no service's signature
changes.

`acting(channel=..., actor=...)` opens a context (a request, a command, the Stripe webhook);
`identify(...)` names the actor of the context already open (DRF's device authentication, which
runs inside the request's context). Outside any context, entries are written by the system.

For a request, the user is read when an entry is written, not when the request starts: DRF
authenticates API tokens after the middleware ran, and sets the user on Django's request then.
"""

import contextlib
import contextvars
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    USER = "user", _("User")
    DEVICE = "device", _("Scanner device")
    ATTENDEE = "attendee", _("Attendee (personal link)")
    WEBHOOK = "webhook", _("Payment webhook")
    SYSTEM = "system", _("System or command")


class Channel(models.TextChoices):
    BACK_OFFICE = "back_office", _("Back office")
    API = "api", _("API")
    ATTENDEE_PAGE = "attendee_page", _("Attendee page")
    PUBLIC_SITE = "public_site", _("Public site")
    COMMAND = "command", _("Command")
    WEBHOOK = "webhook", _("Webhook")
    SYSTEM = "system", _("System")


@dataclass
class AuditContext:
    channel: str = Channel.SYSTEM
    kind: str | None = None
    user: object = None
    label: str = ""
    request: object = field(default=None, repr=False)


@dataclass(frozen=True)
class Actor:
    kind: str
    user: object
    label: str
    channel: str


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "audit_context", default=None
)


@contextlib.contextmanager
def acting(*, channel, actor=None, kind=None, label="", request=None):
    """Open a context: entries written inside it are by `actor` (a user) or by an actor of
    `kind` named `label`, through `channel`. Contexts nest; the outer one returns after."""
    if actor is not None and kind is None:
        kind = ActorKind.USER
    context = AuditContext(channel=channel, kind=kind, user=actor, label=label, request=request)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def identify(*, kind, label="", user=None) -> None:
    """Name the actor of the context already open (no context: nothing to name)."""
    context = _current.get()
    if context is not None:
        context.kind = kind
        context.label = label
        context.user = user


def current_actor() -> Actor:
    """Who is acting now, and through what."""
    context = _current.get()
    if context is None:
        return Actor(kind=ActorKind.SYSTEM, user=None, label="", channel=Channel.SYSTEM)
    if context.kind is not None:
        user = context.user if context.kind == ActorKind.USER else None
        label = context.label or (str(user) if user is not None else "")
        return Actor(kind=context.kind, user=user, label=label, channel=context.channel)
    user = getattr(context.request, "user", None)
    if user is not None and user.is_authenticated:
        return Actor(kind=ActorKind.USER, user=user, label=str(user), channel=context.channel)
    return Actor(kind=ActorKind.SYSTEM, user=None, label="", channel=context.channel)


def as_command(name: str):
    """The context of a management command that changes data: the system, through a command
    named `name`."""
    return acting(channel=Channel.COMMAND, kind=ActorKind.SYSTEM, label=name)
