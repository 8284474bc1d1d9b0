from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("slack/link/<str:token>/", views.slack_link, name="slack_link"),
    path("slack/<int:pk>/unlink/", views.slack_unlink, name="slack_unlink"),
]
