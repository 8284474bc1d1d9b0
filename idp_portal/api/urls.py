"""/api/v1/: every app's endpoints, the OpenAPI schema and its Swagger UI (served from our static files)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from catalogue.api.urls import router as catalogue
from governance.api.urls import router as governance
from provisioning.api.urls import request_files
from provisioning.api.urls import router as provisioning

endpoints = [*catalogue.urls, *provisioning.urls, *request_files, *governance.urls]

urlpatterns = [
    path("", include((endpoints, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
