from django.urls import path

from registrations import attendance_views, checkin_views, invitation_views, views

app_name = "registrations"

urlpatterns = [
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("events/<slug:slug>/register/done/<str:token>/", views.registered, name="registered"),
    path("r/<str:token>/", views.manage, name="manage"),
    path("r/<str:token>/payment/", views.payment_return, name="payment-return"),
    path("r/<str:token>/invoice.pdf", views.manage_invoice, name="manage-invoice"),
    path("r/<str:token>/calendar.ics", views.manage_calendar, name="manage-calendar"),
    path("r/<str:token>/badge.png", views.manage_badge, name="manage-badge"),
    path("r/<str:token>/agenda.ics", views.manage_agenda, name="manage-agenda"),
    path("invitations/<str:token>/", invitation_views.invitation, name="invitation"),
    path("checkin/", checkin_views.scanner, name="scanner"),
    path(
        "checkin/sw.js",
        checkin_views.scanner_service_worker,
        name="scanner-service-worker",
    ),
    path(
        "r/<str:token>/certificate.pdf",
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
