"""Dead code removed and one of each helper (issue 13, findings 6 and 7). Each test failed on
the code before."""

import inspect

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse

from grants.calls.models import Application
from grants.constants import ApplicationStatus
from grants.notifications import reminders
from grants.notifications import services as notifications


def _own_models():
    for model in apps.get_models():
        if model._meta.app_label in ("grants", "clusters", "evaluations", "klyngeadmin"):
            yield model


def test_no_model_property_reads_a_field_the_model_does_not_have():
    """A property like `ReportAttachment.is_read` (reading a `read_at` that does not exist)
    raises AttributeError on any instance."""
    broken = []
    for model in _own_models():
        instance = model()
        for name, _member in inspect.getmembers(model, lambda m: isinstance(m, property)):
            if name in ("pk",) or name.startswith("_"):
                continue
            try:
                getattr(instance, name)
            except AttributeError as exc:
                missing = getattr(exc, "name", None)
                if missing and missing not in {f.name for f in model._meta.get_fields()}:
                    try:
                        model._meta.get_field(missing)
                    except FieldDoesNotExist:
                        broken.append(f"{model.__name__}.{name} reads {missing}")
            except Exception:  # noqa: BLE001, S112 - an unsaved instance may fail otherwise
                continue
    assert broken == []


def test_every_notification_link_url_name_exists():
    for what, names in notifications.LINK_URL_NAMES.items():
        for name, arg in names:
            try:
                reverse(name, kwargs={arg: 1})
            except NoReverseMatch:
                raise AssertionError(f"{what}: URL name {name!r} does not exist") from None


def test_the_notifications_module_has_no_unused_alias():
    assert not hasattr(notifications, "_kick_relay")


def test_there_is_no_python_copy_of_the_reminder_sql():
    """The tests test the tick's SQL (tests/grants/test_reminder_policy.py), not a copy."""
    assert not hasattr(reminders, "reminder_kind")


def test_application_states_are_the_textchoices_with_a_check_constraint():
    from evaluations.midway.workflows import APPLICATION_WORKFLOW

    assert set(APPLICATION_WORKFLOW.states) == set(ApplicationStatus.values)
    for state in APPLICATION_WORKFLOW.states:
        assert isinstance(state, ApplicationStatus), state
    for source, target in APPLICATION_WORKFLOW.transitions:
        assert isinstance(source, ApplicationStatus) and isinstance(target, ApplicationStatus)
    names = {c.name for c in Application._meta.constraints}
    assert "application_status_valid" in names


# -- one of each helper (issue 13, finding 6) ----------------------------------------------------


def test_the_reminder_policy_is_defined_once():
    """settings.REMINDER_POLICY holds overrides only; the policy itself lives in grants.reminders."""
    from django.conf import settings

    from grants.notifications.reminders import DEFAULT_REMINDER_POLICY

    copied = {k for k, v in settings.REMINDER_POLICY.items() if DEFAULT_REMINDER_POLICY.get(k) == v}
    assert copied == set()


def test_one_copenhagen_time_zone_constant():
    from pathlib import Path

    from django.conf import settings

    from klyngeadmin.kernel.localtime import COPENHAGEN, COPENHAGEN_NAME

    assert settings.TIME_ZONE == COPENHAGEN_NAME == str(COPENHAGEN)
    root = Path(__file__).resolve().parent.parent
    offenders = [
        str(path.relative_to(root))
        for folder in ("klyngeadmin", "grants", "clusters", "evaluations")
        for path in (root / folder).rglob("*.py")
        if 'ZoneInfo("Europe/Copenhagen")' in path.read_text(encoding="utf-8")
        or "'Europe/Copenhagen'" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def _sources(*folders):
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for folder in folders:
        for path in (root / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")


def test_one_pdf_renderer():
    users = [name for name, text in _sources("klyngeadmin", "grants", "clusters", "evaluations")
             if "from weasyprint" in text]
    assert users == ["klyngeadmin/kernel/pdf.py"]


def test_one_kr_filter_renders_empty_values_alike():
    from django.template import engines

    django_engine = engines["django"]
    rendered = {
        library: django_engine.from_string(
            "{% load " + library + " %}[{{ none|kr }}|{{ blank|kr }}|{{ n|kr }}]"
        ).render({"none": None, "blank": "", "n": -1234567})
        for library in ("klynge_format", "grants_format", "case_tags", "clusters_format",
                        "evaluation_tags")
    }
    assert set(rendered.values()) == {"[–|–|-1.234.567 kr.]"}, rendered


def test_no_copied_kr_formatting_left():
    copies = [name for name, text in _sources("klyngeadmin", "grants", "clusters", "evaluations")
              if '.replace(",", ".")' in text]
    assert copies == []


def test_one_accessible_form_mixin_and_one_field_partial():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    partials = sorted(p.relative_to(root).as_posix() for p in (root / "templates").rglob("_field.html"))
    assert partials == ["templates/_field.html"]
    # the error references are Django's own (rendered per field): no form sets them by hand
    setting_aria = [name for name, text in _sources("klyngeadmin", "grants", "clusters", "evaluations")
                    if '"aria-invalid"' in text or '"aria-describedby"' in text]
    assert setting_aria == []
