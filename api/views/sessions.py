from rest_framework import viewsets


class SessionViewSet(viewsets.GenericViewSet):
    """Placeholder until the read API lands."""
