"""Where the calendar feeds keep what lets them answer without the database: each feed's
validators (ETag and Last-Modified) and each built body, in Django's cache.

The cache must be shared by every worker (Redis through CACHE_URL in production): a cache of
one process would keep answering 304 from the other workers after a change. Validators are
kept with the generation they were read in, which every change of what a feed shows replaces
(events/signals.py, and the services that write without signals): a change forgets them all at
once, and a poll reads the generation and its feed's validators in one round trip. Bodies are
kept by their ETag, which names the data they show, and need no forgetting.
"""

from uuid import uuid4

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "feeds:generation"
# Entries no poll has asked for in a day make room for others.
ENTRY_SECONDS = 24 * 60 * 60


def cached_validators(address: str) -> tuple[str, object | None]:
    """The current generation and the validators kept for `address` in it (None if none)."""
    key = validator_key(address)
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid4().hex, timeout=None)
        return cache.get(GENERATION_KEY), None
    kept = found.get(key)
    if kept is None or kept[0] != generation:
        return generation, None
    return generation, kept[1]


def keep_validators(address: str, generation: str, validators) -> None:
    cache.set(validator_key(address), (generation, validators), ENTRY_SECONDS)


def forget_feed_validators() -> None:
    """Every feed's validators are read again from the database at its next poll.

    Replaced now, for the rest of this transaction, and again once it commits: a poll between
    the two could have kept the stamp from before the commit under the first replacement."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid4().hex, timeout=None)


def validator_key(address: str) -> str:
    return f"feeds:validator:{address}"


def body_key(etag: str) -> str:
    return f"feeds:body:{etag.strip(chr(34))}"
