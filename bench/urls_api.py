"""The bench's URLconf for the API list (bench/bench_api_ingest.py): the site's own URLs plus a
bare JsonResponse served behind the same middleware, authenticated by the same API key
(ApiKeyAuthentication, the key's throttle), so the ratio measures the list and nothing else."""

from django.http import JsonResponse
from django.urls import path
from rest_framework.views import APIView

import klyngeadmin.urls
from klyngeadmin.accounts.api.base import ApiViewMixin


class BareJsonView(ApiViewMixin, APIView):
    """The limit: key authentication, throttle, then the smallest JSON answer."""

    def get(self, request):
        return JsonResponse({"ok": True})


urlpatterns = [path("bench/api-bare/", BareJsonView.as_view()), *klyngeadmin.urls.urlpatterns]
