"""The one rule for characters in text that people type, paste or import.

Refused everywhere text comes in (forms, the admin, the API, CSV imports), and cleaned out of
what was stored before the rule existed (a data migration), so that badges, CSV exports, emails
and .ics files never carry them:
- control characters: C0 (NUL, ESC…), DEL and C1 (NEL, CSI…). NEL is a line break to some
  readers (it reached calendar invitations); CSI starts terminal escape sequences;
- in a single-line field, line and paragraph breaks and tabs too (they break email headers,
  CSV rows and calendar lines); multi-line fields (bios, descriptions) keep \\t, \\n and \\r;
- the bidirectional embeddings, overrides and isolates U+202A to U+202E and U+2066 to U+2069, which
  reverse how the text around them is shown (a name in the admin, a CSV export, a badge).
The left-to-right and right-to-left marks U+200E and U+200F are kept: Arabic and Hebrew names
may need them, and they reorder nothing beyond themselves.

`validate_single_line` and `validate_multi_line` are model field validators, so ModelForms
(the admin), DRF's model serializers and `full_clean()` in the services apply them; the
registration services call `check_text` for attendee details from every channel.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_DIRECTION = "\u202a-\u202e\u2066-\u2069"
_SINGLE_LINE_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_DIRECTION}]")
_MULTI_LINE_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029{_DIRECTION}]")
_DIRECTION_CHARACTER = re.compile(f"[{_DIRECTION}]")
# What the data migration turns into a space in a single-line field: breaks and tabs.
_SINGLE_LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")

LINE_BREAK_OR_CONTROL = _("Line breaks and control characters are not allowed here.")
CONTROL = _("Control characters are not allowed here (%(character)s).")
DIRECTION = _("Characters that reverse the direction of text are not allowed here (%(character)s).")


def check_text(value: str, *, multi_line: bool = False) -> None:
    """Raise ValidationError (code "control" or "direction") if `value` holds a character
    refused by the rule above."""
    pattern = _MULTI_LINE_FORBIDDEN if multi_line else _SINGLE_LINE_FORBIDDEN
    found = pattern.search(value or "")
    if found is None:
        return
    character = found.group()
    params = {"character": f"U+{ord(character):04X}"}
    if _DIRECTION_CHARACTER.fullmatch(character):
        raise ValidationError(DIRECTION, code="direction", params=params)
    if multi_line:
        raise ValidationError(CONTROL, code="control", params=params)
    raise ValidationError(LINE_BREAK_OR_CONTROL, code="control")


def validate_single_line(value: str) -> None:
    check_text(value, multi_line=False)


def validate_multi_line(value: str) -> None:
    check_text(value, multi_line=True)


def clean_stored_text(value: str, *, multi_line: bool = False) -> str:
    """`value` without the refused characters: for text stored before the rule. In a
    single-line field, a run of breaks and tabs becomes one space; the other characters go."""
    if not value:
        return value
    if not multi_line:
        value = _SINGLE_LINE_BREAKS.sub(" ", value)
    pattern = _MULTI_LINE_FORBIDDEN if multi_line else _SINGLE_LINE_FORBIDDEN
    return pattern.sub("", value)


def clean_stored_rows(model) -> int:
    """For data migrations: clean every text field of `model` (a historical model) that
    carries `validate_single_line` or `validate_multi_line`, row by row in Python (PostgreSQL
    cannot even be sent a NUL to search for). Returns how many rows changed."""
    fields = {
        field.attname: validate_multi_line in field.validators
        for field in model._meta.get_fields()
        if getattr(field, "validators", None)
        and (validate_single_line in field.validators or validate_multi_line in field.validators)
    }
    if not fields:
        return 0
    changed = []
    for row in model._default_manager.only("pk", *fields).iterator(chunk_size=2000):
        dirty = False
        for name, multi_line in fields.items():
            value = getattr(row, name)
            cleaned = clean_stored_text(value, multi_line=multi_line)
            if cleaned != value:
                setattr(row, name, cleaned)
                dirty = True
        if dirty:
            changed.append(row)
    model._default_manager.bulk_update(changed, list(fields), batch_size=500)
    return len(changed)
