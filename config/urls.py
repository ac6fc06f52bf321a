from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView

from accounts import views as accounts
from api import docs as api_docs
from payments.webhooks import stripe_webhook

urlpatterns = [
    # Staff password reset by email; the admin's login page links to the first (by its name).
    path(
        "admin/password_reset/",
        accounts.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/", accounts.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Under the Content-Security-Policy: see api/docs.py.
    path("api/docs/", api_docs.swagger_ui, name="api-docs"),
    path("api/redoc/", api_docs.redoc, name="api-redoc"),
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
    path("", include("notices.urls")),
    prefix_default_language=False,
)
