from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from registrations.webhooks import stripe_webhook

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Outside the language prefixes: Stripe posts to one fixed address.
    path("payments/stripe/webhook/", stripe_webhook, name="stripe-webhook"),
]

if settings.SERVE_MEDIA:
    # Uploaded speaker photos. A busy site lets its web server serve MEDIA_ROOT instead
    # (SERVE_MEDIA=0); serving them here keeps a single-process deployment complete.
    urlpatterns.append(
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )

urlpatterns += i18n_patterns(
    path("", include("events.urls")),
    path("", include("registrations.urls")),
    prefix_default_language=False,
)
