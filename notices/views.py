"""The public pages: an organisation's privacy notice, the legal notice, the accessibility
statement."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from notices.render import render_notice
from notices.selectors import accessibility_statement, current_privacy_notice, legal_notice
from organisations.models import Organisation


@require_safe
def privacy_notice(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    notice = current_privacy_notice(organisation)
    return render(
        request,
        "notices/privacy.html",
        {"organisation": organisation, "notice": notice, "body": render_notice(notice.text)},
    )


@require_safe
def legal(request):
    notice = legal_notice()
    return render(
        request, "notices/legal.html", {"notice": notice, "body": render_notice(notice.text)}
    )


@require_safe
def accessibility(request):
    statement = accessibility_statement()
    return render(
        request,
        "notices/accessibility.html",
        {"statement": statement, "body": render_notice(statement.text)},
    )
