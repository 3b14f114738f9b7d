from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATORS = {
    "petitions.petition": ["view"],
    "signatories.signature": ["view", "add", "change"],
}
ORGANISERS = {
    "petitions.petition": ["view", "add", "change"],
    "signatories.signature": ["view", "add", "change", "delete", "export"],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in [("Moderators", MODERATORS), ("Organisers", ORGANISERS)]:
        group, _ = Group.objects.get_or_create(name=name)
        for label, actions in grants.items():
            app_label, model = label.split(".")
            for action in actions:
                group.permissions.add(
                    Permission.objects.get(
                        content_type__app_label=app_label, codename=f"{action}_{model}"
                    )
                )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Moderators", "Organisers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("petitions", "0001_initial"),
        ("signatories", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
