"""Path converters for the site's secret tokens.

Every token in a link is `secrets.token_urlsafe()` output: letters, digits, "-" and "_". An
address with anything else in that place names nothing and is answered 404 by the URL
resolver itself, before a view or the database sees it (PostgreSQL refuses a NUL byte in a
query parameter with an error, which would otherwise be a 500).
"""

from django.urls import register_converter


class TokenConverter:
    regex = "[A-Za-z0-9_-]{1,128}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")
