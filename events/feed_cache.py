"""Where the calendar feeds keep what lets them answer without the database: each feed's
validators (ETag and Last-Modified) and each built body, in Django's cache.

The cache must be shared by every worker (Redis through CACHE_URL in production): a cache of
one process would keep answering 304 from the other workers after a change. Validators are
kept with the generation they were read in, which every change of what a feed shows replaces
(events/signals.py, and the services that write without signals): a change forgets them all at
once, and a poll reads the generation and its feed's validators in one round trip. Bodies are
kept by their ETag, which names the data they show, and need no forgetting to stay true.

An erasure needs more than truth: a body kept under the ETag of before names the erased speaker
(or anyone the feed showed), and validators keep a feed's file name, made of a speaker's slug.
Such an entry is never served again (the stamp moved, so the ETag did), but it would be kept
until it expires. So every entry the feeds keep is also noted in an index of numbered slots
(`_note`: an atomic `incr` gives each its slot, with Django's cache API alone, on Redis as in
memory), and `forget_kept_entries`, called by the erasures, deletes every entry noted since
the last time, then their slots. A body built from the data of before the erasure, and noted
after the erasure's second pass (once committed) read the index, would escape it: that takes a
poll racing the erasure's commit, and the body is still never served and expires within
ENTRY_SECONDS.
"""

from uuid import uuid4

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "feeds:generation"
# Entries no poll has asked for in a day make room for others.
ENTRY_SECONDS = 24 * 60 * 60
# The index of what the feeds keep, for erasures: its last slot, and the first not yet dropped.
NOTED_COUNT_KEY = "feeds:noted:count"
NOTED_FLOOR_KEY = "feeds:noted:floor"
DROP_BATCH = 1000


def cached_validators(address: str, *, scope: str = "") -> tuple[tuple, object | None]:
    """The current generations (the feeds', and `scope`'s if given: the generation of one
    attendee's agenda) and the validators kept for `address` in them (None if none)."""
    generation_keys = [GENERATION_KEY, *([scope_key(scope)] if scope else [])]
    key = validator_key(address)
    found = cache.get_many([*generation_keys, key])
    for generation_key in generation_keys:
        if generation_key not in found:
            cache.add(generation_key, uuid4().hex, timeout=None)
    if len(found) < len(generation_keys):
        return tuple(cache.get(generation_key) for generation_key in generation_keys), None
    generations = tuple(found[generation_key] for generation_key in generation_keys)
    kept = found.get(key)
    if kept is None or kept[0] != generations:
        return generations, None
    return generations, kept[1]


def keep_validators(address: str, generations: tuple, validators) -> None:
    cache.set(validator_key(address), (generations, validators), ENTRY_SECONDS)
    _note(validator_key(address))


def keep_body(etag: str, body: bytes) -> None:
    cache.set(body_key(etag), body, ENTRY_SECONDS)
    _note(body_key(etag))


def forget_kept_entries() -> None:
    """An erasure: every body and validators the feeds keep are deleted (the next poll builds
    them again from the anonymised data), now and again once the erasure commits."""
    _drop_noted()
    transaction.on_commit(_drop_noted)


def forget_after_speaker_erasure(speaker, values) -> None:
    """The speakers' erasure hook (speakers.privacy.on_speaker_erasure, events/apps.py)."""
    forget_kept_entries()


def _note(key: str) -> None:
    cache.add(NOTED_COUNT_KEY, 0, timeout=None)
    try:
        slot = cache.incr(NOTED_COUNT_KEY)
    except ValueError:  # evicted between the two calls
        cache.add(NOTED_COUNT_KEY, 0, timeout=None)
        slot = cache.incr(NOTED_COUNT_KEY)
    # A slot outlives its entry: the entry is gone when its slot is.
    cache.set(noted_key(slot), key, ENTRY_SECONDS + 60)


def _drop_noted() -> None:
    last = cache.get(NOTED_COUNT_KEY) or 0
    first = cache.get(NOTED_FLOOR_KEY) or 1
    if last < first:  # the count was evicted and started again
        first = 1
    for start in range(first, last + 1, DROP_BATCH):
        slots = [noted_key(slot) for slot in range(start, min(start + DROP_BATCH, last + 1))]
        kept = cache.get_many(slots)
        cache.delete_many([*kept.values(), *slots])
    cache.set(NOTED_FLOOR_KEY, last + 1, timeout=None)


def forget_feed_validators() -> None:
    """Every feed's validators are read again from the database at its next poll.

    Replaced now, for the rest of this transaction, and again once it commits: a poll between
    the two could have kept the stamp from before the commit under the first replacement."""
    _new_generation(GENERATION_KEY)
    transaction.on_commit(lambda: _new_generation(GENERATION_KEY))


def forget_scope_validators(scope: str) -> None:
    """Like forget_feed_validators, for the feeds of one `scope` only (an attendee's agenda:
    `agenda:<manage token>`)."""
    _new_generation(scope_key(scope))
    transaction.on_commit(lambda: _new_generation(scope_key(scope)))


def _new_generation(key: str) -> None:
    cache.set(key, uuid4().hex, timeout=None)


def scope_key(scope: str) -> str:
    return f"feeds:generation:{scope}"


def noted_key(slot: int) -> str:
    return f"feeds:noted:{slot}"


def validator_key(address: str) -> str:
    return f"feeds:validator:{address}"


def body_key(etag: str) -> str:
    return f"feeds:body:{etag.strip(chr(34))}"
