from django.urls import include, path
from rest_framework.routers import DefaultRouter

from api.views.events import EventViewSet
from api.views.sessions import SessionViewSet
from api.views.speakers import SpeakerViewSet

router = DefaultRouter()
router.register("events", EventViewSet, basename="event")
router.register("sessions", SessionViewSet, basename="session")
router.register("speakers", SpeakerViewSet, basename="speaker")

app_name = "api"

urlpatterns = [path("", include(router.urls))]
