"""Where `collectstatic` finds files, less those no page links: their compressed copies took
most of its time (and of a release's disk). The API docs are Swagger UI, so ReDoc's bundle
stays out; of Bootstrap the pages link the minified CSS and the JavaScript bundle only
(base.html), not the full, right-to-left or partial builds. Finding a file by its name
(the development server) is unchanged."""

from django.contrib.staticfiles import finders

UNLINKED = [
    "redoc",
    "css/bootstrap.css*",
    "css/bootstrap.rtl*",
    "css/bootstrap-*",
    "js/bootstrap.js*",
    "js/bootstrap.esm*",
    "js/bootstrap.min.js*",
    "js/bootstrap.bundle.js*",
]


class LeavesOutUnlinked:
    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *UNLINKED])


class FileSystemFinder(LeavesOutUnlinked, finders.FileSystemFinder):
    pass


class AppDirectoriesFinder(LeavesOutUnlinked, finders.AppDirectoriesFinder):
    pass
