from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("approvals/", views.approval_queue, name="approval_queue"),
    path("approvals/<int:pk>/decide/", views.decide, name="decide"),
]
