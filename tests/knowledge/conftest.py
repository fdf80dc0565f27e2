"""A knowledge base: Laptops and Accounts, a writer (Morgan, a manager), and articles
published for everyone, for Acme only, and for agents only."""

import pytest

from helpdesk.knowledge import services
from helpdesk.knowledge.models import Article, Category


def published(writer, category, title, body, **audience) -> Article:
    article = services.create_article(
        acting_user=writer, category=category, title=title, body=body, **audience
    )
    return services.publish(version=article.versions.get(), acting_user=writer)


@pytest.fixture
def laptops(db):
    return Category.objects.create(name="Laptops", slug="laptops")


@pytest.fixture
def kb(manager, laptops, organization):
    """Three published articles, one for each audience, and a draft."""
    return {
        "charging": published(
            manager, laptops, "Laptop will not charge",
            "Check the **power supply**: the LED on the brick should be green.",
        ),
        "acme": published(
            manager, laptops, "Acme docking stations",
            "Acme's docks need firmware 2.1 before they charge a laptop.",
            visibility=Article.Visibility.ORGANIZATIONS, organizations=[organization],
        ),
        "internal": published(
            manager, laptops, "Replacing a power supply (agents)",
            "Order part PSU-65W from Parts; customers never open the brick.",
            visibility=Article.Visibility.INTERNAL,
        ),
        "draft": services.create_article(
            acting_user=manager, category=laptops, title="Battery swelling", body="Stop using it."
        ),
    }  # fmt: skip
