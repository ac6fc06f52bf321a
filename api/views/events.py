from rest_framework import viewsets


class EventViewSet(viewsets.GenericViewSet):
    """Placeholder until the read API lands."""
