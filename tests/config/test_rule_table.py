"""The README's table of where each rule lives names functions that exist: a newcomer who
follows it lands on the rule, and a rule moved without the table fails here."""

import importlib
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def rule_table() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("**Where each rule lives.**", 1)[1].split("\n\n", 2)[1]
    return re.findall(r"^\| ([^|]+?) \| `([\w.]+)` \|$", section, flags=re.MULTILINE)


def test_the_readme_names_the_rules_a_newcomer_looks_for():
    rules = dict(rule_table())

    for rule in [
        "is registration open",
        "a freed seat offered to the waiting list",
        "the badge token",
        "the check-in verdict",
        "the refund rule",
        "invoice numbering",
        "a feed's calendar",
        "programme changes batched into one email per person",
    ]:
        assert rule in rules


@pytest.mark.parametrize(("rule", "path"), rule_table())
def test_each_rule_in_the_readme_names_a_function_that_exists(rule, path):
    module_path, name = path.rsplit(".", 1)

    function = getattr(importlib.import_module(module_path), name)

    assert callable(function), rule
    assert function.__module__ == module_path, f"{rule}: {path} is imported from elsewhere"
