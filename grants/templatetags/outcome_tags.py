"""`{% report_outcome_summary report as summary %}`: the report page's outcome section
(templates/outcomes/_report_section.html) reads its figures itself, so the shared report view
needs no change. One query."""

from django import template

from grants.outcomes import selectors

register = template.Library()


@register.simple_tag
def report_outcome_summary(report):
    return selectors.report_outcome_summary(cluster_id=report.grant.cluster_id, year=report.year)
