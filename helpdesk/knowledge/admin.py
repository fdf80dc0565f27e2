"""Categories are kept in the admin; articles are written on the desk (their history and
publication go through the services there)."""

from django.contrib import admin

from helpdesk.knowledge.models import Article, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "visibility", "published_at", "views", "helpful")
    list_filter = ("visibility", "category")
    search_fields = ("title", "slug")
    readonly_fields = ("title", "body", "body_html", "published_at", "views", "helpful",
                       "not_helpful", "created_by", "created", "updated")  # fmt: skip
