from django.urls import path

from registrations import invitation_views, views

app_name = "registrations"

urlpatterns = [
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("events/<slug:slug>/register/done/<str:token>/", views.registered, name="registered"),
    path("r/<str:token>/", views.manage, name="manage"),
    path("r/<str:token>/payment/", views.payment_return, name="payment-return"),
    path("r/<str:token>/invoice.pdf", views.manage_invoice, name="manage-invoice"),
    path("r/<str:token>/calendar.ics", views.manage_calendar, name="manage-calendar"),
    path("invitations/<str:token>/", invitation_views.invitation, name="invitation"),
]
