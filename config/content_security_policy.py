"""django-csp's middleware, for the responses a browser runs as documents or workers."""

from csp.middleware import CSPMiddleware

# A policy governs what a page (HTML, SVG) or a worker script may load and run; a JSON, CSV,
# PDF or calendar answer runs nothing, so it is sent without one: building the header costs
# more than answering a door scan's routine part.
DOCUMENT_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/javascript",
    "application/javascript",
)


class DocumentCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if content_type not in DOCUMENT_TYPES:
            return response
        return super().process_response(request, response)
