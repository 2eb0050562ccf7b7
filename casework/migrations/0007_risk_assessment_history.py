"""Risk-instrument outcomes can be recorded at any time: each row says whether it came with the
referral, and who recorded it when. Existing rows all came with the referral: the referrer and the
moment of referral are filled in, then required (0006)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def from_the_referral(apps, schema_editor):
    RiskAssessment = apps.get_model("casework", "RiskAssessment")
    Case = apps.get_model("casework", "Case")
    case = Case.objects.filter(pk=OuterRef("case_id"))
    RiskAssessment.objects.update(
        at_referral=True,
        recorded_by_id=Subquery(case.values("referred_by_id")[:1]),
        recorded_organisation_id=Subquery(case.values("referring_organisation_id")[:1]),
        recorded_at=Subquery(case.values("created_at")[:1]),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0006_participation_revoke_reason"),
        ("mda", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="riskassessment",
            name="at_referral",
            field=models.BooleanField(default=False, verbose_name="given with the referral"),
        ),
        migrations.AddField(
            model_name="riskassessment",
            name="recorded_at",
            field=models.DateTimeField(null=True, verbose_name="recorded at"),
        ),
        migrations.AddField(
            model_name="riskassessment",
            name="recorded_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="riskassessment",
            name="recorded_organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="mda.organisation",
                verbose_name="recorded by organisation",
            ),
        ),
        migrations.AlterModelOptions(
            name="riskassessment",
            options={"ordering": ["assessed_on", "recorded_at"]},
        ),
        migrations.RunPython(from_the_referral, migrations.RunPython.noop, elidable=True),
    ]
