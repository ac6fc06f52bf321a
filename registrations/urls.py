from django.urls import path

import common.converters  # noqa: F401  (registers the "token" path converter)
from checkin.views import attendance as attendance_views
from checkin.views import scanner as checkin_views
from registrations.views import invitations as invitation_views
from registrations.views import privacy as privacy_views
from registrations.views import registration as views

app_name = "registrations"

urlpatterns = [
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("events/<slug:slug>/register/done/<token:token>/", views.registered, name="registered"),
    path("r/<token:token>/", views.manage, name="manage"),
    path("r/<token:token>/payment/", views.payment_return, name="payment-return"),
    path(
        "r/<token:token>/documents/<str:number>.pdf",
        views.manage_invoice,
        name="manage-invoice",
    ),
    path("r/<token:token>/calendar.ics", views.manage_calendar, name="manage-calendar"),
    path("r/<token:token>/badge.png", views.manage_badge, name="manage-badge"),
    path("r/<token:token>/agenda.ics", views.manage_agenda, name="manage-agenda"),
    path("invitations/<token:token>/", invitation_views.invitation, name="invitation"),
    # The attendee's rights over their data (registrations/privacy.py).
    path("r/<token:token>/my-data/", privacy_views.privacy_page, name="privacy"),
    path("r/<token:token>/my-data.json", privacy_views.privacy_data, name="privacy-data"),
    path(
        "r/<token:token>/my-data/email/<str:signature>/",
        privacy_views.email_change,
        name="privacy-email",
    ),
    path(
        "invitations/<token:token>/my-data/",
        privacy_views.invitation_privacy,
        name="invitation-privacy",
    ),
    path(
        "invitations/<token:token>/my-data.json",
        privacy_views.invitation_privacy_data,
        name="invitation-privacy-data",
    ),
    path("my-data/erased/", privacy_views.erased, name="erased"),
    path("my-links/", privacy_views.lost_link, name="lost-link"),
    path("checkin/", checkin_views.scanner, name="scanner"),
    path(
        "checkin/sw.js",
        checkin_views.scanner_service_worker,
        name="scanner-service-worker",
    ),
    path(
        "r/<token:token>/certificate.pdf",
        attendance_views.attendee_certificate,
        name="certificate",
    ),
    path(
        "checkin/events/<slug:slug>/attendance/",
        attendance_views.attendance_page,
        name="attendance",
    ),
    path(
        "checkin/events/<slug:slug>/attendance.csv",
        attendance_views.attendance_sheet_csv,
        name="attendance-sheet",
    ),
    path(
        "checkin/events/<slug:slug>/certificates.pdf",
        attendance_views.certificates_pdf,
        name="certificates",
    ),
]
