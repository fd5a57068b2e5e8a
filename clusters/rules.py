import rules

from klyngeadmin.kernel.predicates import (
    is_applicant,
    is_authority,
    is_caseworker,
    is_cluster_user,
    is_own_cluster,
)

can_view_cluster_data = is_authority | (is_cluster_user & is_own_cluster)
can_change_cluster_data = is_cluster_user & is_own_cluster

rules.add_perm("clusters.view_clusterorganisation", can_view_cluster_data)
rules.add_perm("clusters.view_activity", can_view_cluster_data)
rules.add_perm("clusters.add_activity", is_cluster_user)
rules.add_perm("clusters.change_activity", can_change_cluster_data)
rules.add_perm("clusters.delete_activity", can_change_cluster_data)
rules.add_perm("clusters.view_facilitatedproject", can_view_cluster_data)
rules.add_perm("clusters.add_facilitatedproject", is_cluster_user)
rules.add_perm("clusters.change_facilitatedproject", can_change_cluster_data)

# Statistics: the public page needs no permission; caseworkers (and the rest of the authority)
# see the national page with filters; cluster people see their own cluster's page; the
# participant export by CVR is for caseworkers only.
rules.add_perm("clusters.view_national_statistics", is_authority)
rules.add_perm("clusters.view_cluster_statistics", is_cluster_user)
rules.add_perm("clusters.export_statistics_participants", is_caseworker)

# The director's pages for registering activities and facilitated projects (/aktiviteter/,
# /projekter/) are for cluster people only; authority users read the data through the report
# and statistics pages, and get 403 here.
# A rule as well as a permission: Django grants every permission to superusers, but these pages
# need a cluster, so views test the rule.
rules.add_rule("clusters.use_cluster_pages", is_cluster_user)
rules.add_perm("clusters.use_cluster_pages", is_cluster_user)
rules.add_perm("clusters.delete_facilitatedproject", can_change_cluster_data)

# Company records (clusters/company_selectors.py decides which company a user may see): the
# company page and its "Opdatér fra CVR" are for the authority; the CVR lookup behind the
# forms (the register's public data for a typed CVR) for anyone who registers participants:
# cluster people, the authority, and open-call applicants (their consortium).
rules.add_perm("clusters.view_company_page", is_authority)
rules.add_perm("clusters.refresh_company", is_authority)
rules.add_perm("clusters.lookup_cvr", is_cluster_user | is_authority | is_applicant)

# Fees and state aid (clusters/stateaid/): the cluster records them on its own activities and
# sees "statsstøtte pr. virksomhed"; caseworkers export for the state-aid register.
rules.add_perm("clusters.export_state_aid", is_caseworker)
