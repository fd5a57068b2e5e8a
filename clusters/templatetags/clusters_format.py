"""Danish formatting and accessible form widgets for the cluster pages."""

from django import template

register = template.Library()


@register.filter
def kr(value) -> str:
    """Integer kroner, Danish style: 1234567 -> "1.234.567 kr."."""
    if value is None or value == "":
        return ""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".") + " kr."


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template (e.g. a label by value), or "" when absent."""
    return mapping.get(key, "") if mapping else ""


@register.simple_tag
def widget(field, **attrs):
    """The field's widget with aria-describedby naming its help text and its error message
    (ids <id>_helptext and <id>_error, as rendered by clusters/_field.html)."""
    widget_type = getattr(field.field.widget, "input_type", "")
    css = {"checkbox": "form-checkbox", "select": "form-select", "file": "form-file-input"}.get(
        widget_type, "form-input")
    if field.field.widget.__class__.__name__ == "Select":
        css = "form-select"
    attrs.setdefault("class", css)
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)
