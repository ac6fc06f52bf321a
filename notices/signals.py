"""The footer's cached accessibility status follows the statement: any save of it (the back
office's, the demo's, a shell's) forgets the cached value."""

from django.db import transaction

from notices.selectors import forget_accessibility_status


def statement_saved(sender, **kwargs) -> None:
    # Now, and again once committed: a page that read the old status in between (and cached
    # it) does not keep it.
    forget_accessibility_status()
    transaction.on_commit(forget_accessibility_status)
