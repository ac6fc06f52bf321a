"""Writing the trail (`record`), anonymising it on erasure (`anonymise_entries`), and what is
past its retention period (`expired_entries`, `expired_admin_log`)."""

import json

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from audit.actions import ACCOUNTING_PREFIXES, ACTIONS
from audit.context import current_actor
from audit.models import AuditEntry

ANONYMISED = "anonymised"
EVENT = "events.Event"
ORGANISATION = "organisations.Organisation"
REPR_LENGTH = AuditEntry._meta.get_field("object_repr").max_length


def record(action: str, obj=None, *, changes=None, organisation=None, event=None) -> AuditEntry:
    """Write one entry for `action` on `obj` (a model instance, or None for a site-wide
    action), by whoever `audit.context` says is acting, in the caller's transaction (rolled
    back with it).

    `changes` is {field: [before, after]}; values are stored as JSON (dates and decimals as
    text). The organisation and event are found on `obj` (its `organisation`, its `event`, its
    event's organisation) unless given."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}")
    if event is None:
        event = _related(obj, "event", EVENT)
    if organisation is None:
        organisation = _related(obj, "organisation", ORGANISATION) or _related(
            event, "organisation", ORGANISATION
        )
    actor = current_actor()
    return AuditEntry.objects.create(
        actor_kind=actor.kind,
        actor_user=actor.user,
        actor_label=actor.label[:200],
        channel=actor.channel,
        organisation=organisation,
        event=event,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:REPR_LENGTH] if obj is not None else "",
        action=action,
        changes=_as_json(changes or {}),
    )


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def field_changes(before, after, fields, *, masked=None) -> dict:
    """{field: [before, after]} of the `fields` whose value differs between two instances
    (`before` None: a new object, every field set). Related objects are shown by their text;
    `masked` maps a field to a function that shows its value (an IBAN masked)."""
    masked = masked or {}
    changes = {}
    for name in fields:
        old = getattr(before, name, None) if before is not None else None
        new = getattr(after, name, None)
        if old == new:
            continue
        show = masked.get(name, shown)
        changes[name] = [show(old) if before is not None else None, show(new)]
    return changes


def shown(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "_meta") or (hasattr(value, "name") and hasattr(value, "url")):
        return str(value)
    return value


def entries_for(obj):
    """The entries of one object, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )


def anonymise_entries(obj=None, *, content_type=None, ids=(), values=(), organisation=None) -> int:
    """Erasure: the entries of `obj` (or of `content_type` and `ids`) keep their action, actor,
    channel and time, but their object repr becomes "anonymised", and so does every value of
    their changes (before and after), whatever the field. In the other entries (an object that
    named the erased person, e.g. an invoice's entries keep theirs by law, but not a free
    text), each string of `values` is replaced by "anonymised" wherever it appears in the
    repr or the changes. Returns the number of entries rewritten.

    An erasure is always within one organisation (the person's data there; another
    organisation's is its own): `values` are searched for in `organisation`'s entries (an
    Organisation or its pk) and the site-wide ones only (the organisation defaults to `obj`'s;
    without one, every entry). The database picks the candidates (`_candidates`); Python
    rewrites only those, in one bulk update."""
    if obj is not None:
        content_type = ContentType.objects.get_for_model(obj)
        ids = [obj.pk]
        if organisation is None:
            organisation = _related(obj, "organisation", ORGANISATION) or _related(
                _related(obj, "event", EVENT), "organisation", ORGANISATION
            )
    ids = [str(pk) for pk in ids]
    rewritten = []
    if content_type is not None and ids:
        for entry in AuditEntry.objects.filter(content_type=content_type, object_id__in=ids):
            entry.object_repr = ANONYMISED
            entry.changes = {name: [ANONYMISED, ANONYMISED] for name in entry.changes}
            rewritten.append(entry)
    values = [str(value) for value in values if str(value or "").strip()]
    if values:
        rewritten += _scrub(values, organisation=organisation, exclude=(content_type, ids))
    AuditEntry.objects.bulk_update(rewritten, ["object_repr", "changes"], batch_size=500)
    return len(rewritten)


def forget_fields(model, fields: list[str], *, ids=(), event=None) -> int:
    """Free text written about a person in some fields of the entries of `model`'s objects
    (`ids`, or every object of `event`): each non-empty before/after value of those `fields`
    becomes "anonymised"; the rest of each entry (action, actor, time, other fields) stays.
    Returns the number of entries rewritten."""
    entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
    if event is not None:
        entries = entries.filter(event=event)
    else:
        entries = entries.filter(object_id__in=[str(pk) for pk in ids])
    has_one = Q()
    for name in fields:
        has_one |= Q(changes__has_key=name)
    rewritten = []
    for entry in entries.filter(has_one):
        for name in fields:
            if name in entry.changes:
                pair = entry.changes[name]
                entry.changes[name] = [ANONYMISED if value else value for value in pair]
        rewritten.append(entry)
    AuditEntry.objects.bulk_update(rewritten, ["changes"], batch_size=500)
    return len(rewritten)


def _scrub(values: list[str], *, organisation, exclude) -> list[AuditEntry]:
    content_type, ids = exclude
    queryset = _candidates(values)
    if organisation is not None:
        queryset = queryset.filter(Q(organisation=organisation) | Q(organisation=None))
    if content_type is not None and ids:
        queryset = queryset.exclude(content_type=content_type, object_id__in=ids)
    rewritten = []
    for entry in queryset.iterator():
        # The database's match is wider (a value inside a JSON key, an escape): Python decides.
        text = entry.object_repr + json.dumps(entry.changes, ensure_ascii=False)
        lowered = text.casefold()
        if not any(value.casefold() in lowered for value in values):
            continue
        entry.object_repr = _replace(entry.object_repr, values)
        entry.changes = {
            name: [_replace_value(value, values) for value in pair]
            for name, pair in entry.changes.items()
        }
        rewritten.append(entry)
    return rewritten


def _candidates(values: list[str]):
    """The entries whose repr or changes may hold one of `values`, filtered in SQL
    (`icontains` on the repr and on the changes cast to text, on SQLite as on PostgreSQL).

    The changes' text is JSON: SQLite keeps it as Django wrote it (non-ASCII letters escaped,
    "\u00e9"), PostgreSQL's jsonb gives them as they are; quotes and backslashes are escaped in
    both. Each value is looked for in those three spellings. `icontains` ignores case on
    PostgreSQL for every letter, on SQLite for ASCII letters only: there, a value is also
    looked for in lower and upper case, which finds a name stored in capitals
    ("LEFÈVRE" for "Lefèvre") but not one whose accented letters alone differ in case."""
    spellings = set()
    for value in values:
        for variant in (value, value.lower(), value.upper()):
            spellings.add(variant)
            spellings.add(json.dumps(variant)[1:-1])
            spellings.add(json.dumps(variant, ensure_ascii=False)[1:-1])
    match = Q()
    for spelling in sorted(spellings):
        match |= Q(object_repr__icontains=spelling) | Q(changes_text__icontains=spelling)
    return (
        AuditEntry.objects.annotate(changes_text=Cast("changes", TextField()))
        .filter(match)
        .order_by("pk")
    )


def _replace(text: str, values: list[str]) -> str:
    lowered = text.casefold()
    if any(value.casefold() in lowered for value in values):
        return ANONYMISED
    return text


def _replace_value(value, values):
    if isinstance(value, str):
        return _replace(value, values)
    if isinstance(value, list):
        return [_replace_value(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _replace_value(item, values) for key, item in value.items()}
    return value


def expired_entries(*, organisation, before, accounting_before):
    """The entries of `organisation` (None: the site-wide ones, and those whose organisation
    was deleted) written before `before`, or, for payments and invoices (ACCOUNTING_PREFIXES),
    before `accounting_before`. The retention command deletes them (registrations/retention.py);
    the organisation's index (organisation, -at) serves the query."""
    accounting = accounting_actions()
    return AuditEntry.objects.filter(organisation=organisation).filter(
        (~accounting & Q(at__lt=before)) | (accounting & Q(at__lt=accounting_before))
    )


def accounting_actions() -> Q:
    """The entries about payments and invoices (kept for the accounting period)."""
    accounting = Q()
    for prefix in ACCOUNTING_PREFIXES:
        accounting |= Q(action__startswith=prefix)
    return accounting


def expired_admin_log(*, before):
    """Django's admin history (`django_admin_log`) written before `before`."""
    return LogEntry.objects.filter(action_time__lt=before)


def _related(obj, name, label):
    """`obj` itself when it is a `label` model, else its `name` attribute when that is one (a
    registration's `organisation` is the attendee's text, not the organiser)."""
    if obj is None:
        return None
    if obj._meta.label == label:
        return obj
    try:
        value = getattr(obj, name, None)
    except ObjectDoesNotExist:
        return None
    if value is not None and getattr(value, "_meta", None) and value._meta.label == label:
        return value
    return None


def _as_json(changes: dict) -> dict:
    return json.loads(json.dumps(changes, cls=DjangoJSONEncoder))
