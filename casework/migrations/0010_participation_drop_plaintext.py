"""The weegmoment's plaintext columns go, now that 0007 sealed their content; the ciphertext of
purpose and necessity is required from here on. Not reversible: the plaintext is not kept."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0009_participation_sealed"),
    ]

    operations = [
        migrations.RemoveField(model_name="participation", name="purpose"),
        migrations.RemoveField(model_name="participation", name="necessity"),
        migrations.RemoveField(model_name="participation", name="legal_basis_other"),
        migrations.AlterField(
            model_name="participation",
            name="purpose_ct",
            field=models.BinaryField(),
        ),
        migrations.AlterField(
            model_name="participation",
            name="necessity_ct",
            field=models.BinaryField(),
        ),
    ]
