# Shared helpers for chartguard rules: building violations, describing objects, hooks,
# label selectors and Kubernetes quantities. Every helper has a test in lib_test.rego.
package chartguard.lib

# A violation on the object input.resources[resource], at field `path`.
violation(resource, path, message) := {"resource": resource, "path": path, "message": message}

# A violation that also points at other objects (`related`: [{"resource", "path", "message"}]).
violation_related(resource, path, message, related) := {
	"resource": resource,
	"path": path,
	"message": message,
	"related": related,
}

# "Deployment web" or "Deployment prod/web", for messages.
describe(i) := sprintf("%s %s/%s", [r.kind, r.namespace, r.name]) if {
	r := input.resources[i]
	is_string(r.namespace)
} else := sprintf("%s %s", [r.kind, r.name]) if {
	r := input.resources[i]
}

# Resources that are Helm hooks (tests included).
is_hook(i) if input.resources[i].hook != null

# Resources that are helm tests.
is_test(i) if input.resources[i].hook.test == true

# The pod template's container name, for messages: `container "app"` / `init container "wait"`.
container_label(c) := sprintf("init container %q", [c.container.name]) if {
	c.type == "init"
} else := sprintf("ephemeral container %q", [c.container.name]) if {
	c.type == "ephemeral"
} else := sprintf("container %q", [c.container.name])

# True when every matchLabels entry of `selector` is in `labels` and every matchExpressions
# requirement holds. An empty selector matches everything (as the API does for PDBs).
selector_matches(selector, labels) if {
	every k, v in object.get(selector, "matchLabels", {}) {
		labels[k] == v
	}
	every expr in object.get(selector, "matchExpressions", []) {
		_expression_holds(expr, labels)
	}
}

_expression_holds(expr, labels) if {
	expr.operator == "In"
	labels[expr.key] in expr.values
}

_expression_holds(expr, labels) if {
	expr.operator == "NotIn"
	not labels[expr.key] in expr.values
}

_expression_holds(expr, labels) if {
	expr.operator == "Exists"
	_ = labels[expr.key]
}

_expression_holds(expr, labels) if {
	expr.operator == "DoesNotExist"
	not _has_key(labels, expr.key)
}

_has_key(obj, key) if _ = obj[key]

# A Service-style selector (plain map): every pair present in labels. Empty selects nothing.
map_selector_matches(selector, labels) if {
	count(selector) > 0
	every k, v in selector {
		labels[k] == v
	}
}

# Kubernetes quantity → number (bytes for memory, cores for CPU). Undefined when malformed.
quantity(q) := q if is_number(q)

quantity(q) := to_number(trim_suffix(q, "m")) / 1000 if {
	is_string(q)
	endswith(q, "m")
	regex.match(`^[0-9.]+m$`, q)
}

quantity(q) := to_number(substring(q, 0, count(q) - 2)) * _binary[suffix] if {
	is_string(q)
	count(q) > 2
	suffix := substring(q, count(q) - 2, 2)
	_binary[suffix]
	regex.match(`^[0-9.]+[KMGTPE]i$`, q)
}

quantity(q) := to_number(substring(q, 0, count(q) - 1)) * _decimal[suffix] if {
	is_string(q)
	count(q) > 1
	suffix := substring(q, count(q) - 1, 1)
	_decimal[suffix]
	regex.match(`^[0-9.]+[kMGTPE]$`, q)
}

quantity(q) := to_number(q) if {
	is_string(q)
	regex.match(`^[0-9]+(\.[0-9]+)?$`, q)
}

_binary := {"Ki": 1024, "Mi": 1048576, "Gi": 1073741824, "Ti": 1099511627776, "Pi": 1125899906842624, "Ei": 1152921504606846976}

_decimal := {"k": 1000, "M": 1000000, "G": 1000000000, "T": 1000000000000, "P": 1000000000000000, "E": 1000000000000000000}
