from django.contrib import admin
from django.urls import include, path

from provisioning.views.dashboards import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("idp_portal.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/", include("governance.urls")),
    path("catalogue/", include("catalogue.urls")),
    path("", include("provisioning.urls")),
]
