package chartguard.rules.hooks["hook-depends-on-release-resource_test"]

import data.chartguard.lib.testing as t
import data.chartguard.rules.hooks["hook-depends-on-release-resource"] as rule

# The input for these resources, with input.pods for their Jobs as the Rust side builds it.
_input(resources) := {"resources": resources, "pods": [pod |
	some i, r in resources
	r.kind == "Job"
	pod := {"resource": i, "path": t.template_pod_path, "spec": r.object.spec.template.spec}
]}

_hook(events, weight) := {"helm.sh/hook": events, "helm.sh/hook-weight": sprintf("%v", [weight])}

_obj(kind, name, ann, weight, extra) := {
	"kind": kind, "name": name, "namespace": null, "api_version": _api(kind),
	"object": object.union({"metadata": {"name": name, "annotations": ann}}, extra),
	"hook": _hookinfo(ann, weight),
}

_api("ExternalSecret") := "external-secrets.io/v1"

_api(kind) := "v1" if kind != "ExternalSecret"

_hookinfo(ann, weight) := {"events": split(ann["helm.sh/hook"], ","), "weight": weight, "test": false} if ann["helm.sh/hook"]
else := null

_job(events, weight, podspec) := _obj("Job", "app-migration", _hook(events, weight), weight, {"spec": {"template": {"spec": podspec}}})

_env_secret := {"containers": [{"name": "m", "env": [{"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "app-secrets", "key": "url"}}}]}]}

test_normal_secret_fires_at_reference if {
	v := t.only(rule.report) with input as _input([_obj("Secret", "app-secrets", {}, 0, {}), _job("pre-install,pre-upgrade", -5, _env_secret)])
	v.resource == 1
	v.path == ["spec", "template", "spec", "containers", 0, "env", 0, "valueFrom", "secretKeyRef", "name"]
	contains(v.message, "pre-install hook Job app-migration needs Secret app-secrets (env DATABASE_URL (secretKeyRef)), but Secret app-secrets is a normal resource")
	contains(v.message, "hangs until --timeout")
	v.related[0].resource == 0
}

test_normal_external_secret_fires if {
	es := _obj("ExternalSecret", "app", {}, 0, {"spec": {"target": {"name": "app-secrets"}}})
	some v in rule.report with input as _input([es, _job("pre-install", -5, _env_secret)])
	contains(v.message, "ExternalSecret app, which creates it, is a normal resource")
}

test_lower_weight_hook_passes if {
	es := _obj("ExternalSecret", "app", _hook("pre-install,pre-upgrade", -15), -15, {"spec": {"target": {"name": "app-secrets"}}})
	count(rule.report) == 0 with input as _input([es, _job("pre-install,pre-upgrade", -5, _env_secret)])
}

test_higher_or_equal_weight_hook_fires if {
	s := _obj("Secret", "app-secrets", _hook("pre-install", 5), 5, {})
	some v in rule.report with input as _input([s, _job("pre-install", -5, _env_secret)])
	contains(v.message, "is a pre-install hook that Helm creates after it (weight 5, this hook -5)")
	# equal weight: "app-secrets" < "app-migration"? no: "app-m" < "app-s", the Job runs first.
	s0 := _obj("Secret", "app-secrets", _hook("pre-install", 0), 0, {})
	some w in rule.report with input as _input([s0, _job("pre-install", 0, _env_secret)])
	contains(w.message, "equal weights")
}

test_hook_on_other_event_fires if {
	s := _obj("Secret", "app-secrets", _hook("post-install", -50), -50, {})
	some v in rule.report with input as _input([s, _job("pre-install", -5, _env_secret)])
	contains(v.message, "does not run on pre-install (post-install)")
}

test_service_account_same_name_kind_order_passes if {
	sa := _obj("ServiceAccount", "app-migration", _hook("pre-install", 0), 0, {})
	count(rule.report) == 0 with input as _input([sa, _job("pre-install", 0, {"serviceAccountName": "app-migration", "containers": []})])
}

test_pre_upgrade_only_external_and_optional_pass if {
	# pre-upgrade only: the Secret exists from the previous release.
	count(rule.report) == 0 with input as _input([_obj("Secret", "app-secrets", {}, 0, {}), _job("pre-upgrade", -5, _env_secret)])
	# not created by the release: pre-existing, not our business.
	count(rule.report) == 0 with input as _input([_job("pre-install", -5, _env_secret)])
	# optional references and the default ServiceAccount.
	opt := {"serviceAccountName": "default", "containers": [{"name": "m", "envFrom": [{"secretRef": {"name": "app-secrets", "optional": true}}]}]}
	count(rule.report) == 0 with input as _input([_obj("Secret", "app-secrets", {}, 0, {}), _job("pre-install", -5, opt)])
}

test_pvc_service_account_and_pull_secret_fire if {
	spec := {"serviceAccountName": "app", "imagePullSecrets": [{"name": "regcred"}], "containers": [], "volumes": [{"name": "b", "persistentVolumeClaim": {"claimName": "backups"}}]}
	report := rule.report with input as _input([
		_obj("ServiceAccount", "app", {}, 0, {}), _obj("Secret", "regcred", {}, 0, {}),
		_obj("PersistentVolumeClaim", "backups", {}, 0, {}), _job("pre-install", -5, spec),
	])
	{v.path | some v in report} == {
		["spec", "template", "spec", "serviceAccountName"],
		["spec", "template", "spec", "imagePullSecrets", 0, "name"],
		["spec", "template", "spec", "volumes", 0, "persistentVolumeClaim", "claimName"],
	}
}

test_other_namespace_passes if {
	s := object.union(_obj("Secret", "app-secrets", {}, 0, {}), {"namespace": "other"})
	job := object.union(_job("pre-install", -5, _env_secret), {"namespace": "prod"})
	count(rule.report) == 0 with input as _input([s, job])
}
