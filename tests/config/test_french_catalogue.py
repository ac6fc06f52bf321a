"""The French catalogue keeps French typography, for the strings there today and those added
later: a no-break space (U+00A0) before « : » and inside guillemets, a narrow no-break space
(U+202F) before « ; », « ? » and « ! », and the typographic apostrophe (’) inside words.
A « ? » that starts a query string (« ?alarm=15 ») and the format placeholders are not prose.

The .po is read by a small reader of its own (no dependency): msgstr lines and the quoted
lines that continue them, with the C escapes of gettext decoded."""

import re
from pathlib import Path

import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"

NBSP = "\u00a0"
NNBSP = "\u202f"
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
PLACEHOLDER = re.compile(r"%\([^)]*\)[a-z]|%[sd]|\{[^{}]*\}")
QUERY_STRING = re.compile(r"\?\w+=")


def _unquote(quoted: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), quoted)


def french_strings(text: str) -> list[tuple[int, str]]:
    """(line number, msgstr) for every msgstr and plural form, the header left out."""
    entries = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = re.match(r'msgstr(?:\[\d+\])? "(.*)"$', lines[index])
        if not match:
            index += 1
            continue
        start = index + 1
        parts = [match.group(1)]
        index += 1
        while index < len(lines) and lines[index].startswith('"'):
            parts.append(lines[index][1:-1])
            index += 1
        entries.append((start, _unquote("".join(parts))))
    # The first msgstr is the header (Content-Type: …), not French prose.
    return entries[1:]


def typography_errors(french: str) -> list[str]:
    """What breaks French typography in one msgstr, in words."""
    prose = PLACEHOLDER.sub("0", french)
    errors = []
    # A mark quoted on its own (« ; ») takes the guillemet’s space.
    for match in re.finditer(r"(?<!«)(\s)([:;?!])", prose):
        space, mark = match.groups()
        if mark == "?" and QUERY_STRING.match(prose, match.start(2)):
            continue
        wanted = NBSP if mark == ":" else NNBSP
        if space != wanted:
            errors.append(f"U+{ord(space):04X} before {mark!r}, want U+{ord(wanted):04X}")
    for match in re.finditer(r"«(.)", prose):
        if match.group(1) != NBSP:
            errors.append(f"{match.group(1)!r} after «, want U+00A0")
    for match in re.finditer(r"(.)»", prose):
        if match.group(1) != NBSP:
            errors.append(f"{match.group(1)!r} before », want U+00A0")
    for match in re.finditer(r"[^\W\d_]'[^\W\d_]", prose):
        errors.append(f"straight apostrophe in {match.group(0)!r}, want ’")
    return errors


def test_the_reader_finds_the_whole_catalogue():
    strings = french_strings(PO.read_text(encoding="utf-8"))

    assert len(strings) > 1000
    assert "Langue inconnue\u00a0: utilisez «\u00a0fr\u00a0» ou «\u00a0en\u00a0»." in {
        text for _, text in strings
    }


def test_every_french_string_follows_french_typography():
    errors = [
        f"line {line}: {error} in {text!r}"
        for line, text in french_strings(PO.read_text(encoding="utf-8"))
        for error in typography_errors(text)
    ]

    assert errors == []


@pytest.mark.parametrize(
    "french",
    [
        "Annulé\u00a0: %(title)s",
        "Une question\u202f? Écrivez-nous.",
        "Reprenez-le\u202f; personne n’est invité deux fois.",
        "Merci\u202f!",
        "S’inscrire à «\u00a0%(title)s\u00a0»",
        "Aujourd’hui, jusqu’au %(deadline)s.",
        "Par exemple ?alarm=15, ou redis://127.0.0.1:6379/1 à 09:30.",
        "Par exemple\u00a0: prénom;nom;email.",
        '<a href="mailto:%(email)s">%(email)s</a>',
        "{count} scans en attente d’envoi.",
        "séparé par «\u00a0;\u00a0» ou «\u00a0,\u00a0».",
    ],
)
def test_french_typography_is_accepted(french):
    assert typography_errors(french) == []


@pytest.mark.parametrize(
    ("french", "error"),
    [
        ("Annulé : %(title)s", "U+0020 before ':', want U+00A0"),
        ("Annulé\u202f: %(title)s", "U+202F before ':', want U+00A0"),
        ("Une question ? Écrivez-nous.", "U+0020 before '?', want U+202F"),
        ("Reprenez-le\u00a0; personne", "U+00A0 before ';', want U+202F"),
        ("Merci !", "U+0020 before '!', want U+202F"),
        ("S’inscrire à « %(title)s\u00a0»", "' ' after «, want U+00A0"),
        ("S’inscrire à «\u00a0%(title)s »", "' ' before », want U+00A0"),
        ("Jusqu'au %(deadline)s", 'straight apostrophe in "u\'a", want ’'),
    ],
)
def test_each_departure_from_french_typography_is_named(french, error):
    assert typography_errors(french) == [error]
