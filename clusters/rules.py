import rules

from klyngeadmin.predicates import is_authority, is_caseworker, is_cluster_user, is_own_cluster

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
