from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.catalogue_list, name="list"),
    path("<slug:slug>/", views.pattern_detail, name="detail"),
]
