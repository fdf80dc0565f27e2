"""Behind a reverse proxy, REMOTE_ADDR is the proxy's address. With TRUSTED_PROXY_COUNT
set to the number of proxies in front of the app, the client address is read from
X-Forwarded-For instead (the entry that many hops from the right, which the client cannot
forge), so rate limits and the audit trail see the real client."""

from django.conf import settings


class ForwardedForMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.hops = settings.TRUSTED_PROXY_COUNT

    def __call__(self, request):
        if self.hops:
            forwarded = [
                part.strip()
                for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if part.strip()
            ]
            if len(forwarded) >= self.hops:
                request.META["REMOTE_ADDR"] = forwarded[-self.hops]
        return self.get_response(request)
