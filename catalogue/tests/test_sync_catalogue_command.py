"""`python manage.py sync_catalogue [--path DIR]`: what the platform engineer sees, and its exit status."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from catalogue.models import Pattern
from catalogue.tests.helpers import catalogue_state, edit_yaml
from conftest import request_change

pytestmark = pytest.mark.django_db
SHIPPED = sum((folder / "pattern.yaml").exists() for folder in Path(django_settings.PATTERNS_DIR).iterdir())


def sync(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("sync_catalogue", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_loads_the_shipped_patterns_and_says_so(settings):
    # when
    out, err = sync()

    # then
    assert "added     web-app 1.0.0" in out
    assert out.count("added ") == SHIPPED
    assert f"Catalogue in sync with {settings.PATTERNS_DIR}." in out
    assert err == ""
    assert Pattern.objects.count() == SHIPPED


def test_running_the_command_twice_reports_every_version_unchanged():
    # given
    sync()

    # when
    out, _ = sync()

    # then
    assert out.count("unchanged ") == SHIPPED
    assert "added" not in out


def test_the_path_option_loads_another_folder(patterns_root):
    # given
    edit_yaml(patterns_root / "web-app", lambda d: d.update(version="3.0.0"))

    # when
    out, _ = sync("--path", str(patterns_root))

    # then
    assert "added     web-app 3.0.0" in out
    assert Pattern.objects.get(slug="web-app").current_version.version == "3.0.0"


def test_a_broken_folder_exits_with_an_error_per_problem_and_loads_nothing(patterns_root):
    # given
    edit_yaml(patterns_root / "web-app", lambda d: d.update(category="websites"))
    edit_yaml(patterns_root / "dev-environment", lambda d: d.update(slug="../dev"))
    before = catalogue_state()
    err = StringIO()

    # when
    with pytest.raises(CommandError) as failed:
        call_command("sync_catalogue", "--path", str(patterns_root), stdout=StringIO(), stderr=err)

    # then
    assert str(failed.value) == "2 problem(s) found; nothing was loaded."
    lines = err.getvalue().splitlines()
    assert f"error: {patterns_root}/web-app/pattern.yaml: category: 'websites' must be one of" in "\n".join(lines)
    assert any(
        line.startswith(f"error: {patterns_root}/dev-environment/pattern.yaml: slug: '../dev' may only contain")
        for line in lines
    )
    assert len(lines) == 2
    assert catalogue_state() == before


def test_a_version_in_use_is_refused_by_the_command_with_its_reason(patterns_root, alice, payments):
    # given

    sync("--path", str(patterns_root))
    request_change(alice, payments, Pattern.objects.get(slug="web-app").current_version)
    edit_yaml(patterns_root / "web-app", lambda d: d.update(summary="Changed."))
    err = StringIO()

    # when
    with pytest.raises(CommandError, match="1 problem"):
        call_command("sync_catalogue", "--path", str(patterns_root), stdout=StringIO(), stderr=err)

    # then
    assert "web-app/pattern.yaml: version: 1.0.0 is used by 1 environment(s)" in err.getvalue()
    assert Pattern.objects.get(slug="web-app").summary != "Changed."


def test_a_missing_folder_is_a_command_error(tmp_path):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("sync_catalogue", "--path", str(tmp_path / "missing"), stdout=StringIO(), stderr=err)
    assert f"error: {tmp_path / 'missing'}: is not a folder of patterns" in err.getvalue()
