"""The OpenAPI schema and its two viewers, served without any CDN."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest


class AssetCollector(HTMLParser):
    """Collects the URLs a page makes the browser fetch (scripts, styles, icons, images)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"script", "img", "iframe"} and values.get("src"):
            self.urls.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.urls.append(values["href"] or "")


def assets_of(html: str) -> list[str]:
    collector = AssetCollector()
    collector.feed(html)
    return collector.urls


@pytest.mark.parametrize("page", ["/api/docs/", "/api/docs/redoc/"])
def test_the_docs_load_only_local_static_assets(client, db, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    urls = assets_of(html)
    assert urls, "the page should load its viewer"
    assert all(url.startswith("/static/drf_spectacular_sidecar/") for url in urls), urls
    # No external host anywhere in the page (scripts may also build URLs in code).
    assert not re.search(r"https?://|//cdn|jsdelivr|unpkg|cdnjs|googleapis", html), html
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        asset.close()


def test_the_docs_point_at_the_local_schema(client, db):
    html = client.get("/api/docs/").content.decode()
    assert "/api/schema/" in html


def test_the_schema_is_openapi_3(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "apiClientToken" in schema["components"]["securitySchemes"]
