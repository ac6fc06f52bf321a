"""Public registration pages (being built)."""

from django.http import Http404


def register(request, slug):
    raise Http404


def registered(request, slug, token):
    raise Http404


def manage(request, token):
    raise Http404


def manage_calendar(request, token):
    raise Http404


def invitation(request, token):
    raise Http404
