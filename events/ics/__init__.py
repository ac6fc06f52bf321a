"""The .ics Colloque produces: calendars and their entries (build.py), time zones
(vtimezone.py), the feeds one subscribes to (feeds.py) and the invitations emails carry
(invitations.py)."""
