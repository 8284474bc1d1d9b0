import uuid

from django.db import migrations


def fill(apps, schema_editor):
    Environment = apps.get_model("provisioning", "Environment")
    for environment in Environment.objects.filter(uid__isnull=True).only("pk"):
        Environment.objects.filter(pk=environment.pk).update(uid=uuid.uuid4())


class Migration(migrations.Migration):
    """Data: one uid per existing environment."""

    dependencies = [("provisioning", "0002_environment_uid")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
