"""The notices' light markup turned into HTML, every character of the text escaped: "## " starts
a heading, "- " a list item, a blank line ends a paragraph; web addresses become links."""

from django.utils.html import format_html, format_html_join, urlize
from django.utils.safestring import SafeString, mark_safe


def _inline(text: str) -> SafeString:
    return mark_safe(urlize(text, autoescape=True))  # noqa: S308 - urlize escapes the text


def render_notice(text: str, *, heading_level: int = 2) -> SafeString:
    """The notice's HTML: headings at `heading_level`, paragraphs and lists."""
    blocks: list[SafeString] = []
    paragraph: list[str] = []
    items: list[str] = []

    def close() -> None:
        if paragraph:
            blocks.append(format_html("<p>{}</p>", _inline(" ".join(paragraph))))
            paragraph.clear()
        if items:
            blocks.append(
                format_html(
                    "<ul>{}</ul>",
                    format_html_join("", "<li>{}</li>", ((_inline(item),) for item in items)),
                )
            )
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("## "):
            close()
            blocks.append(
                format_html("<h{0}>{1}</h{0}>", heading_level, line.removeprefix("## ").strip())
            )
        elif line.startswith("- "):
            if paragraph:
                close()
            items.append(line.removeprefix("- ").strip())
        else:
            if items:
                close()
            paragraph.append(line)
    close()
    return mark_safe("\n".join(blocks))  # noqa: S308 - each block is built by format_html
