from django.db import migrations

REVIEWER_GROUPS = ["network", "security", "platform", "finance"]


def create_reviewer_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in REVIEWER_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_link_to_provisioning")]

    operations = [migrations.RunPython(create_reviewer_groups, migrations.RunPython.noop)]
