from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler; domain errors of the services will be mapped here to 400/409 JSON."""
    return drf_exception_handler(exc, context)
