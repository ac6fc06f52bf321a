from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("confidentialite/<slug:slug>/", views.privacy_notice, name="privacy"),
    path("mentions-legales/", views.legal, name="legal"),
    path("accessibilite/", views.accessibility, name="accessibility"),
]
