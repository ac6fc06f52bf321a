from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("events/<slug:slug>/", views.event_detail, name="detail"),
    path("events/<slug:slug>/sessions/<int:pk>/", views.session_detail, name="session"),
    path("events/<slug:slug>/speakers/<slug:speaker>/", views.speaker_detail, name="speaker"),
]
