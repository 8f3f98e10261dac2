package chartguard.lib_test

import data.chartguard.lib

test_describe_with_and_without_namespace if {
	lib.describe(0) == "Deployment web" with input as {"resources": [{"kind": "Deployment", "name": "web", "namespace": null}]}
	lib.describe(0) == "Deployment prod/web" with input as {"resources": [{"kind": "Deployment", "name": "web", "namespace": "prod"}]}
}

test_selector_match_labels_and_expressions if {
	lib.selector_matches({"matchLabels": {"app": "web"}}, {"app": "web", "tier": "fe"})
	not lib.selector_matches({"matchLabels": {"app": "web"}}, {"app": "api"})
	lib.selector_matches({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}, {"app": "api"})
	not lib.selector_matches({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["api"]}]}, {"app": "api"})
	lib.selector_matches({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, {"app": "x"})
	lib.selector_matches({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, {"x": "y"})
	lib.selector_matches({}, {"any": "thing"})
}

test_map_selector if {
	lib.map_selector_matches({"app": "web"}, {"app": "web", "slot": "blue"})
	not lib.map_selector_matches({"app": "web", "slot": "green"}, {"app": "web", "slot": "blue"})
	not lib.map_selector_matches({}, {"app": "web"})
}

test_quantities if {
	lib.quantity("500m") == 0.5
	lib.quantity("2") == 2
	lib.quantity(2) == 2
	lib.quantity("128Mi") == 134217728
	lib.quantity("1G") == 1000000000
	lib.quantity("1.5Gi") == 1610612736
	not lib.quantity("lots")
}

test_container_label if {
	lib.container_label({"type": "init", "container": {"name": "wait"}}) == "init container \"wait\""
	lib.container_label({"type": "container", "container": {"name": "app"}}) == "container \"app\""
}
