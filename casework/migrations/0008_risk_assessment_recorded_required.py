"""Every risk-instrument outcome says who recorded it and when (filled in by 0005; a migration of
its own, so that PostgreSQL applies the constraint after that data migration's transaction)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0007_risk_assessment_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="riskassessment",
            name="recorded_at",
            field=models.DateTimeField(verbose_name="recorded at"),
        ),
        migrations.AlterField(
            model_name="riskassessment",
            name="recorded_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="riskassessment",
            name="recorded_organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="mda.organisation",
                verbose_name="recorded by organisation",
            ),
        ),
    ]
