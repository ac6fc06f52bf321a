from rest_framework import viewsets


class SpeakerViewSet(viewsets.GenericViewSet):
    """Placeholder until the read API lands."""
