"""The audit trail: who did what, when, through what, to which object (issue 13).

`audit.services.record(action, obj, changes=..., organisation=..., event=...)` (callers
import `from audit import services as audit` and write `audit.record(...)`) writes one `AuditEntry`
in the caller's transaction; who and through what come from `audit.context` (a contextvar set
by `AuditContextMiddleware` for requests, by DRF's device authentication for scanner devices,
by `acting(channel=COMMAND)` in management commands and by the Stripe webhook view).

Why our own model rather than django-auditlog, django-simple-history or django-pghistory:
- the issue decides that the services write the trail, where the action happens: signal-based
  libraries (auditlog, simple-history) miss `QuerySet.update()`, bulk operations and the
  check-in insert, and they record row changes, not actions ("invoice marked paid", "badge
  reissued") whose meaning lies in the service;
- actors that are not users (a scanner device, the attendee through their link, Stripe's
  webhook, a scheduled command) are first-class here; those libraries have a user FK and at
  best a free-text remote address or "additional data";
- django-pghistory records actions with a context too, but through PostgreSQL triggers: the
  project also runs on SQLite (development, tests), where it would record nothing;
- the trail must be anonymisable in place on an erasure request (`services.anonymise_entries`)
  and scoped per organisation and event for owners: two indexed FKs on one small table, a
  read-only admin and a CSV export are less code than adapting a library's storage to it.
The cost: no generic "history" of every field of every model; the services say what matters.
"""
