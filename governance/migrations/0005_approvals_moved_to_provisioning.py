"""Approvals moved to provisioning (its migration 0005 adopted the tables): forget them here, drop nothing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0004_audit_log_append_only"),
        ("provisioning", "0005_approvals_move_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Approval"),
                migrations.DeleteModel(name="ApprovalRequirement"),
            ],
            database_operations=[],
        ),
    ]
