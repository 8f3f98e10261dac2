# METADATA
# title: A release with workloads ships a helm test
# description: >-
#   A chart that runs Deployments, StatefulSets or DaemonSets has at least one helm test: a
#   Pod or Job annotated `helm.sh/hook: test`. Judged on Helm's output (a chart, or manifests
#   with "# Source:" comments); hand-written manifests are skipped.
# custom:
#   id: helm-test-missing
#   severity: note
#   profiles: [prod]
#   scope: release
#   tags: [testing, upgrades]
#   why: >-
#     `helm test` is the only post-deploy check Helm itself can run: a smoke test (curl the
#     Service's readiness endpoint, open a database connection) turns "pods are Ready" into
#     "the release works", and pipelines that run `helm upgrade --atomic && helm test` can
#     roll back on it. Without a test, `helm test` succeeds with nothing to run.
#   fix: >-
#     Add templates/tests/test-connection.yaml: a Pod with `helm.sh/hook: test`,
#     `helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded`, `restartPolicy: Never`
#     and a pinned curl image that requests the Service's health endpoint.
#   references:
#     - https://helm.sh/docs/topics/chart_tests/
package chartguard.rules.hooks["helm-test-missing"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation(first, ["metadata", "name"], msg) if {
	_helm_output
	count(_tests) == 0
	workloads := sort([i | some kind in _kinds; some i in rel.of_kind(kind); input.resources[i].hook == null])
	count(workloads) > 0
	first := workloads[0]
	msg := sprintf(
		"the release runs %s but ships no helm test (a Pod or Job with helm.sh/hook: test): `helm test` has nothing to check",
		[_workloads_text(workloads)],
	)
}

_kinds := {"Deployment", "StatefulSet", "DaemonSet"}

_tests contains i if {
	some i in rel.hooks(0)
	r := input.resources[i]
	r.hook.test == true
	r.kind in {"Pod", "Job"}
}

# A chart chartguard rendered, or `helm template` output (it keeps helm tests unless
# --skip-tests). Hand-written manifests are not a chart. origin.template is a string or null:
# regorus stops at the first object that has one, but on hand-written manifests it tests them
# all, and a comparison per object costs 30% less than binding r and calling is_string.
_helm_output if input.release != null

_helm_output if input.resources[_].origin.template != null

_workloads_text(ws) := lib.describe(ws[0]) if {
	count(ws) == 1
} else := sprintf("%s and %v other workloads", [lib.describe(ws[0]), count(ws) - 1])
