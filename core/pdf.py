"""PDFs from Django templates with WeasyPrint. Fonts and styles are the portal's own; nothing is fetched."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def _portal_only_fetcher():
    """A WeasyPrint fetcher that loads only the portal's own static files into a PDF; anything else (a URL in a
    name or an address) is refused, never fetched."""
    import weasyprint.urls

    class PortalOnly(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://") and str(settings.BASE_DIR) in url:
                return super().fetch(url, headers)
            raise ValueError(f"not fetched: {url}")

    return PortalOnly(allowed_protocols=["file"])


def render_pdf(template: str, context: dict) -> bytes:
    import weasyprint

    html = render_to_string(template, context)
    base_url = (settings.BASE_DIR / "static").as_uri() + "/"
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=_portal_only_fetcher()).write_pdf()


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """A rendered PDF shown in the browser's viewer, never cached."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
