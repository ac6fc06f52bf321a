from django.urls import path

import common.converters  # noqa: F401  (registers the "token" path converter)
from events import feeds, views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("events/<slug:slug>/", views.event_detail, name="detail"),
    path("events/<slug:slug>/sessions/<int:pk>/", views.session_detail, name="session"),
    path("events/<slug:slug>/speakers/<slug:speaker>/", views.speaker_detail, name="speaker"),
    path("events/<slug:slug>/calendar.ics", feeds.event_calendar, name="calendar"),
    path(
        "events/<slug:slug>/tracks/<slug:track>/calendar.ics",
        feeds.track_calendar,
        name="track-calendar",
    ),
    path(
        "events/<slug:slug>/speakers/<slug:speaker>/calendar.ics",
        feeds.speaker_calendar,
        name="speaker-calendar",
    ),
    path("feeds/<token:token>/calendar.ics", feeds.partner_calendar, name="partner-feed"),
]
