"""Writing the knowledge base on the desk: managers and agents given the right write,
publish, keep a history and go back to an earlier version; readers only ever see the
published one."""

import pytest
from django.contrib.auth.models import Permission

from helpdesk.accounts.models import User
from helpdesk.knowledge.models import Article
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db


def test_a_manager_writes_publishes_and_revises_an_article(manager, laptops, customer):
    desk = signed_in(manager)
    form = {"title": "Reset a password", "category": laptops.pk, "body": "Use *Forgot password*.",
            "visibility": "public"}  # fmt: skip

    made = desk.post("/desk/knowledge/new/", form)
    article = Article.objects.get()
    assert made.status_code == 302 and article.published_at is None
    reader = signed_in(customer)
    assert reader.get(f"/help/{article.slug}/").status_code == 404  # a draft
    desk.post(f"/desk/knowledge/{article.pk}/", {**form, "publish": ""})
    assert "Use <em>Forgot password</em>." in reader.get(f"/help/{article.slug}/").text
    desk.post(f"/desk/knowledge/{article.pk}/", {**form, "body": "Ask your admin.", "draft": ""})
    assert "Forgot password" in reader.get(f"/help/{article.slug}/").text  # still v1
    assert "Draft pending" in desk.get("/desk/knowledge/").text  # only the body changed
    page = desk.get(f"/desk/knowledge/{article.pk}/").text
    assert "v2" in page and "v1" in page
    desk.post(f"/desk/knowledge/{article.pk}/versions/2/publish/")
    assert "Ask your admin." in reader.get(f"/help/{article.slug}/").text
    desk.post(f"/desk/knowledge/{article.pk}/versions/1/publish/")  # back to the first
    assert "Forgot password" in reader.get(f"/help/{article.slug}/").text


def test_an_organisation_only_article_names_its_organisations(manager, laptops):
    page = signed_in(manager).post(
        "/desk/knowledge/new/",
        {"title": "Acme VPN", "category": laptops.pk, "body": "x", "visibility": "organizations"},
    )

    assert page.status_code == 422
    assert "Choose the organisations that may read it." in page.text
    assert 'value="Acme VPN"' in page.text and not Article.objects.exists()


def test_only_those_given_the_right_write(agent, laptops):
    desk = signed_in(agent)
    assert desk.get("/desk/knowledge/new/").status_code == 403
    assert desk.get("/desk/knowledge/").status_code == 200  # every agent reads the list

    agent.user_permissions.add(Permission.objects.get(codename="change_article"))
    assert signed_in(User.objects.get(pk=agent.pk)).get("/desk/knowledge/new/").status_code == 200
