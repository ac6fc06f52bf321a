from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def _swap_language_prefix(path: str, current: str, code: str) -> str:
    """The same path under another language's prefix (French, the default, has none)."""
    prefix = f"/{current}/"
    if current != settings.LANGUAGE_CODE and path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    return path if code == settings.LANGUAGE_CODE else f"/{code}{path}"


def language_links(request):
    """The current page in every interface language, for the language switch."""
    path = request.get_full_path()
    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code)
        if url == path and code != current:
            # No URL pattern matched (a 404 page): move the language prefix by hand.
            url = _swap_language_prefix(path, current, code)
        links.append({"code": code, "name": name, "url": url, "is_current": code == current})
    return {"language_links": links}
