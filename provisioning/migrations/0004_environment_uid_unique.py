import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0003_fill_environment_uid")]

    operations = [
        migrations.AlterField(
            model_name="environment",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
