"""What every page's footer shows of the notices: the accessibility statement's status."""

from notices.selectors import accessibility_status, status_label


def _status_label():
    return status_label(accessibility_status())


def accessibility(request) -> dict:
    # A callable: the template reads it (from the cache, the database on a miss) only when it
    # shows the footer; a page may give its own value instead (the 429 page: cached or none).
    return {"accessibility_status": _status_label}
