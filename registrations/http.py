from django.http import HttpResponse


def private_page(response: HttpResponse) -> HttpResponse:
    """Pages reached through a personal link: kept out of caches and search engines, and
    their address never sent to another site in a Referer header. `same-origin` rather than
    `no-referrer`: under `no-referrer` browsers post with `Origin: null`, which CSRF
    protection rightly refuses."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
