from django.db import migrations, models


class Migration(migrations.Migration):
    """Schema: a nullable uid first, so existing rows can each get their own value (0003)."""

    dependencies = [("provisioning", "0001_initial")]

    operations = [migrations.AddField(model_name="environment", name="uid", field=models.UUIDField(null=True))]
