"""Saved views: an agent's own filters and sort over one of the desk's views, listed under
"My views" in their sidebar. Personal: only their owner ever reads or changes them.

Saving and deleting happen in `cases.services.saved_views`.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class SavedView(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=60)
    base_view = models.CharField(
        max_length=20, help_text="The slug of the desk view it narrows (mine, unowned…)."
    )
    # Normalised when saved (`selectors.view_query`): only the known filters and the sort,
    # always in the same order, so the same choices always read the same.
    query = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            # Case-insensitively: "Urgent" and "urgent" side by side in a sidebar say
            # nothing about which is which.
            models.UniqueConstraint(
                Lower("name"), "owner", name="saved_view_name_unique_per_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        query = f"{self.query}&saved={self.pk}" if self.query else f"saved={self.pk}"
        return f"{reverse('desk:view', args=[self.base_view])}?{query}"

    @property
    def nav(self) -> str:
        """Its key in the sidebar: the link marked as the current page."""
        return f"saved-{self.pk}"
