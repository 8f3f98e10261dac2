# Values of the release that look like credentials, for plaintext-secret (policies/secrets/) and
# user policies. What makes a value or a name a credential is judged once in Rust, for the whole
# release (src/credentials.rs, the one home of those patterns; redaction uses them too), and
# arrives as input.index.credentials: one entry per value, with a reason that names the kind of
# credential and never the value itself. Tested in secrets_lib_test.rego.
package chartguard.lib.secrets_lib

# The credentials found in `place`, one of:
#   "secret"     a Secret's data / stringData entry (`key`: the entry's key; path [field, key])
#   "configmap"  a ConfigMap data entry (`key`)
#   "env"        a container env entry's literal value (`key`: the variable's name;
#                `container`: index into input.containers)
#   "arg"        an item of a container's command or args (`key`: "command" or "args";
#                `index`: its position; `container`: as above)
#   "annotation" an annotation's value (`key`: the annotation)
# Each entry: {"resource", "path", "place", "key", "reason", …}.
found(place) := [c | some c in _index.credentials; c.place == place]

# Every credential of the release, for a rule that judges them all in one pass (the argument
# is unused: a function, so reading it costs no evaluation of this package's other rules).
credentials(_) := _index.credentials

# relations_lib.index, repeated: referring to relations_lib would make the webhook's
# object-scope rules evaluate that package on every review (measured: 5–10% fewer reviews/s).
_index := input.index if is_object(input.index)
else := chartguard.index(input)
