"""Approvals belong with the change they decide: the models move from governance, their rows stay.

The tables are adopted as they are (state only), then renamed to this app's names.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("provisioning", "0004_environment_uid_unique"),
        ("governance", "0004_audit_log_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApprovalRequirement",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("group", models.CharField(choices=[("network", "Network"), ("security", "Security"), ("platform", "Platform"), ("finance", "Finance")], max_length=20)),
                        ("reasons", models.JSONField(default=list, help_text="Why the rules ask for this group.")),
                        ("superseded", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("change_request", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="requirements", to="provisioning.changerequest")),
                        ("plan_run", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="provisioning.run")),
                    ],
                    options={"ordering": ["group"], "db_table": "governance_approvalrequirement"},
                ),
                migrations.CreateModel(
                    name="Approval",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("decision", models.CharField(choices=[("approved", "Approved"), ("rejected", "Rejected")], max_length=10)),
                        ("comment", models.TextField(blank=True, max_length=2000)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("reviewer", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="approvals", to=settings.AUTH_USER_MODEL)),
                        ("requirement", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="approval", to="provisioning.approvalrequirement")),
                    ],
                    options={"ordering": ["created_at"], "db_table": "governance_approval"},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="approvalrequirement", table=None),
        migrations.AlterModelTable(name="approval", table=None),
    ]
