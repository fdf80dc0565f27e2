"""What a desk page costs to download: its HTML with every stylesheet and script it loads,
compressed as the server sends them (gzip), stays under 150 KB, a full dashboard and a
case with a long conversation included."""

import gzip
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.helpers import DESK_PAGES, busy_desk, desk_url

pytestmark = pytest.mark.django_db

LIMIT = 150 * 1024
ASSET = re.compile(r'<(?:link[^>]*\shref|script[^>]*\ssrc)="([^"]+)"')


def compressed(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def static_bytes(url: str) -> bytes:
    assert url.startswith(settings.STATIC_URL), url  # nothing from elsewhere
    path = finders.find(url.removeprefix(settings.STATIC_URL).split("?")[0])
    assert path, url
    with open(path, "rb") as file:
        return file.read()


def weight(client, url: str) -> tuple[int, int]:
    """The page's compressed HTML, and the total with what it loads."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content
    assets = {
        asset
        for asset in ASSET.findall(html.decode())
        if asset.endswith((".css", ".js")) or ".css?" in asset or ".js?" in asset
    }
    return compressed(html), compressed(html) + sum(
        compressed(static_bytes(asset)) for asset in assets
    )


@pytest.fixture
def desk(agent, teammate, customer, support):
    return busy_desk(agent=agent, teammate=teammate, customer=customer, department=support)


def test_every_desk_page_weighs_under_150_kb_compressed(agent_client, desk):
    pages = [*DESK_PAGES, desk_url(desk)]
    weights = {url: weight(agent_client, url) for url in pages}
    for url, (html, total) in weights.items():
        print(f"{url}: HTML {html / 1024:.1f} KB, with assets {total / 1024:.1f} KB (gzip)")

    heaviest = max(weights.items(), key=lambda item: item[1][1])
    assert heaviest[1][1] < LIMIT, weights
    # The shared stylesheets and scripts are most of it: a page's own HTML stays small.
    assert all(html < 40 * 1024 for html, _ in weights.values()), weights
