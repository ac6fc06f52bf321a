"""The API's documentation pages (drf-spectacular with its sidecar's files), under the
site's Content-Security-Policy.

Swagger UI (`/api/docs/`): drf-spectacular's split view serves the set-up script as a file of
its own, and templates/api/swagger_ui.html has no inline style; the site's policy holds as it is.

Redoc (`/api/redoc/`) needs three things more, on its page only:
- it adds style elements as its bundle loads, before it could read a nonce: the policy allows
  exactly those by the hashes of their content (an empty element that styled-components fills
  through the CSSOM, and one fixed sheet). A new version of the bundle may write others: the
  browser test (tests/browser/test_content_security_policy.py) then names the hash to add;
- its search runs in a worker made from a blob (`worker-src blob:`);
- it shows Redocly's logo from cdn.redoc.ly: that one stays refused (no request leaves the
  site), and Redoc hides the missing image.
"""

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

REDOC_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]

swagger_ui = SpectacularSwaggerSplitView.as_view(
    url_name="schema", template_name="api/swagger_ui.html"
)
redoc = csp_update({"style-src": REDOC_STYLE_HASHES, "worker-src": ["blob:"]})(
    SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html")
)
