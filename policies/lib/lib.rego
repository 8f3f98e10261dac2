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

# A violation more severe (or less) than the rule's default: "error", "warning" or "note".
# For rules whose worst case differs in kind, e.g. runAsUser: 0 against a missing runAsNonRoot.
violation_with_severity(resource, path, message, severity) := {
	"resource": resource,
	"path": path,
	"message": message,
	"severity": severity,
}

# "Deployment web" or "Deployment prod/web", for messages: the resource's title, which the
# Rust side writes; built here for inputs written by hand (tests).
describe(i) := t if {
	t := input.resources[i].title
} else := sprintf("%s %s/%s", [r.kind, r.namespace, r.name]) if {
	r := input.resources[i]
	is_string(r.namespace)
} else := sprintf("%s %s", [r.kind, r.name]) if {
	r := input.resources[i]
}

# Resources that are Helm hooks (tests included).
is_hook(i) if input.resources[i].hook != null

# Resources that are helm tests.
is_test(i) if input.resources[i].hook.test == true

# The pod template's container name, for messages: `container "app"` / `init container "wait"`:
# the container's title, which the Rust side writes; built here for a name it leaves to
# sprintf's quoting and for inputs written by hand (tests).
container_label(c) := c.title if {
	is_string(c.title)
} else := sprintf("init container %q", [_container_name(c)]) if {
	c.type == "init"
} else := sprintf("ephemeral container %q", [_container_name(c)]) if {
	c.type == "ephemeral"
} else := sprintf("container %q", [_container_name(c)])

# A container whose name is missing or of the wrong type (already a schema-invalid finding,
# and dropped from what rules see) is still labelled, so the rule judging it does not fail.
_container_name(c) := c.container.name if is_string(c.container.name)

else := "(unnamed)"

# True when every matchLabels entry of `selector` is in `labels` and every matchExpressions
# requirement holds. An empty selector matches everything (as the API does for PDBs).
selector_matches(selector, labels) if {
	every k, v in _object_or_empty(object.get(selector, "matchLabels", {})) {
		labels[k] == v
	}
	every expr in _array_or_empty(object.get(selector, "matchExpressions", [])) {
		_expression_holds(expr, labels)
	}
}

_object_or_empty(x) := x if is_object(x)
else := {}

_array_or_empty(x) := x if is_array(x)
else := []

# In and NotIn whose values is no array (the API rejects them) hold for no pod carrying the
# key, exactly as the index's matcher (src/evaluate/index.rs) reads them.
_expression_holds(expr, labels) if {
	expr.operator == "In"
	is_array(expr.values)
	labels[expr.key] in expr.values
}

_expression_holds(expr, labels) if {
	expr.operator == "NotIn"
	not _has_key(labels, expr.key)
}

_expression_holds(expr, labels) if {
	expr.operator == "NotIn"
	is_array(expr.values)
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

# True when s is a string of one or more ASCII digits: regex.match(`^[0-9]+$`, s) without the
# regex (regorus compiles the pattern at every call).
all_digits(s) if {
	is_string(s)
	s != ""
	trim_left(s, "0123456789") == ""
}

# spec.replicas of input.resources[i] as a number: an integer, or a string of digits (a chart
# that quoted it, `"3"`). Undefined when absent, null or anything else.
replicas(i) := replica_count(input.resources[i].object.spec.replicas)

# A spec.replicas value as replicas(i) reads it, for a rule that already holds the value (a
# rule asking it of every workload would otherwise read the object again). Undefined for
# anything else (null, "three", "").
replica_count(v) := v if is_number(v)
else := decimal(v) if all_digits(v)

# A string of decimal digits, with or without a fraction, as a number: "007" is 7, as the API
# reads it. regorus's to_number fails on a leading zero ("007", "08.5"), and a rule calling
# it on such a value failed to evaluate on the object.
decimal(s) := to_number(t) if {
	t := trim_left(s, "0")
	t != ""
	not startswith(t, ".")
} else := to_number(concat("", ["0", trim_left(s, "0")]))

# ---- Helm hooks -------------------------------------------------------------------------------

# The role of hook input.resources[i] in a release's upgrade: "backup" or "migration".
# The annotation `chartguard.io/hook-role` decides when present (any other value: no role);
# otherwise the object's name, then its containers' names, images, commands and args, are
# searched for well-known words. A hook whose text names both roles has none (annotate it).
hook_role(i) := _annotated_role(role) if {
	# One lookup of the annotation, which most hooks lack (two cost 2.6 µs a hook).
	role := input.resources[i].object.metadata.annotations["chartguard.io/hook-role"]
} else := role if {
	roles := _roles_in(lower(input.resources[i].name))
	count(roles) == 1
	some role in roles
} else := role if {
	roles := _roles_in(_container_text(i))
	count(roles) == 1
	some role in roles
}

_annotated_role(role) := role if {
	role in {"backup", "migration"}
} else := "none"

_role_words := {
	"backup": ["pg_dump", "mysqldump", "mongodump", "velero backup", "backup"],
	"migration": ["migrate", "migration", "flyway", "liquibase", "alembic"],
}

# Each role's words as one pattern ("pg_dump|mysqldump|…": the words hold no regex
# metacharacter, so a match is a `contains` of one of them). One regex.match per role costs
# half of a `contains` per word (10 µs a hook at 1,666 hooks, hook-weight-order).
_role_patterns := {role: concat("|", words) | some role, words in _role_words}

_roles_in(text) := {role | some role, pattern in _role_patterns; regex.match(pattern, text)}

# Names, images, commands and args of the init and regular containers of hook i, lower-cased.
_container_text(i) := lower(concat("\n", [s | some s in _hook_container_strings[i]]))

# The strings above for every hook, from the Rust side's input.containers view, indexed once
# per evaluation: looking each hook's containers up in input.containers would cost hooks ×
# containers on a 10,000-object release. The hook test first: it settles most containers.
_hook_container_strings[i] contains s if {
	some c in input.containers
	i := c.resource
	input.resources[i].hook != null
	c.type != "ephemeral"
	some s in _container_strings(c.container)
}

_container_strings(ctr) := array.concat(
	[s | some f in ["name", "image"]; s := ctr[f]; is_string(s)],
	[s | some f in ["command", "args"]; list := ctr[f]; is_array(list); some s in list; is_string(s)],
)

# Events two hooks both run on (pre-install, pre-upgrade, …), as a set.
shared_hook_events(i, j) := {e | some e in input.resources[i].hook.events; e in input.resources[j].hook.events}

# True when Helm runs hook i before hook j on an event they share: Helm sorts a phase's
# hooks by weight, then by name (ascending) – hook.weight is what Helm uses (0 if invalid).
hook_runs_before(i, j) if input.resources[i].hook.weight < input.resources[j].hook.weight

hook_runs_before(i, j) if {
	input.resources[i].hook.weight == input.resources[j].hook.weight
	input.resources[i].name < input.resources[j].name
}
