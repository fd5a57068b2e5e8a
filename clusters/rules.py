import rules

from klyngeadmin.predicates import is_authority, is_cluster_user, is_own_cluster

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
