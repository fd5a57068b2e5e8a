import rules

from klyngeadmin.kernel.predicates import is_director, is_own_cluster

# A director issues, lists and revokes the API keys of their own cluster (for its CRM).
rules.add_perm("klyngeadmin.add_apikey", is_director)
rules.add_rule("klyngeadmin.add_apikey", is_director)  # for {% test_rule %} in the menu
rules.add_perm("klyngeadmin.view_apikey", is_director & is_own_cluster)
rules.add_perm("klyngeadmin.delete_apikey", is_director & is_own_cluster)
