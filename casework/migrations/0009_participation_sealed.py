"""The weegmoment's written justification is sealed with the case's key: new ciphertext columns,
filled here from the plaintext ones (which 0008 drops), and the link by which a new weegmoment
supersedes the old one.

Each text is encrypted exactly as ``mda.crypto.seal`` does for the model (bound to table, column
and row). A case whose key was shredded has no content left to protect or read: its texts become
empty ciphertext, which never decrypts (the key is gone)."""

import django.db.models.deletion
from django.db import migrations, models

from mda import crypto

TABLE = "casework_participation"
TEXTS = (("purpose", "purpose_ct"), ("necessity", "necessity_ct"))


def seal_justifications(apps, schema_editor):
    Participation = apps.get_model("casework", "Participation")
    rows = Participation.objects.select_related("case__data_key").order_by("pk")
    for row in rows.iterator(chunk_size=500):
        key = row.case.data_key
        sealed = {}
        for plain, column in (*TEXTS, ("legal_basis_other", "legal_basis_other_ct")):
            text = (getattr(row, plain) or "").strip()
            if column == "legal_basis_other_ct" and not text:
                sealed[column] = None
            elif key.shredded_at is not None or key.wrapped_key is None:
                sealed[column] = b""
            else:
                sealed[column] = crypto.encrypt(
                    key, text, table=TABLE, column=column, row_id=str(row.pk)
                )
        Participation.objects.filter(pk=row.pk).update(**sealed)


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0008_risk_assessment_recorded_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="participation",
            name="legal_basis_other_ct",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="participation",
            name="purpose_ct",
            field=models.BinaryField(null=True),
        ),
        migrations.AddField(
            model_name="participation",
            name="necessity_ct",
            field=models.BinaryField(null=True),
        ),
        migrations.AddField(
            model_name="participation",
            name="supersedes",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="superseded_by",
                to="casework.participation",
                verbose_name="supersedes",
            ),
        ),
        migrations.RunPython(seal_justifications, migrations.RunPython.noop),
    ]
