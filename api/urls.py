from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from api.views.base import NotFoundView
from api.views.checkin import (
    AnnulView,
    CheckInView,
    CheckpointListView,
    OfflineBundleView,
    OverrideView,
)
from api.views.events import EventViewSet
from api.views.invitations import InvitationViewSet
from api.views.invoices import InvoiceViewSet
from api.views.partner_feeds import PartnerFeedViewSet
from api.views.registrations import RegistrationViewSet
from api.views.sessions import SessionViewSet
from api.views.speakers import SpeakerViewSet
from api.views.ticket_types import TicketTypeViewSet

router = DefaultRouter()
router.register("events", EventViewSet, basename="event")
router.register("sessions", SessionViewSet, basename="session")
router.register("speakers", SpeakerViewSet, basename="speaker")
router.register("ticket-types", TicketTypeViewSet, basename="ticket-type")
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("partner-feeds", PartnerFeedViewSet, basename="partner-feed")

app_name = "api"

urlpatterns = [
    path("", include(router.urls)),
    path("checkin/", CheckInView.as_view(), name="checkin"),
    path("checkin/checkpoints/", CheckpointListView.as_view(), name="checkin-checkpoints"),
    path("checkin/bundle/", OfflineBundleView.as_view(), name="checkin-bundle"),
    # Ids of at most 18 digits: a longer one names nothing (and would overflow the database's).
    re_path(r"^checkin/(?P<pk>[0-9]{1,18})/annul/$", AnnulView.as_view(), name="checkin-annul"),
    re_path(
        r"^checkin/(?P<pk>[0-9]{1,18})/override/$", OverrideView.as_view(), name="checkin-override"
    ),
    # Any other address under the API is answered in JSON like the rest, not with the site's
    # HTML page. Only addresses ending with "/": the others get APPEND_SLASH's redirect.
    re_path(r"^[\s\S]*/$", NotFoundView.as_view(), name="not-found"),
]
