from django.urls import path

from provisioning import views

app_name = "provisioning"

urlpatterns = [
    path("environments/", views.environment_list, name="environment_list"),
    path("environments/<int:pk>/", views.environment_detail, name="environment_detail"),
    path("environments/<int:pk>/decommission/", views.decommission_environment, name="decommission"),
    path("changes/<int:pk>/", views.change_detail, name="change_detail"),
    path("changes/<int:pk>/cancel/", views.cancel_change, name="cancel_change"),
    path("changes/<int:pk>/retry/", views.retry_change, name="retry_change"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/log/", views.run_log, name="run_log"),
]
