# METADATA
# title: Hook Jobs and Pods end on their own
# description: >-
#   A hook Job (helm tests included) sets spec.activeDeadlineSeconds and spec.backoffLimit;
#   a hook Pod does not use restartPolicy Always (the Pod default), with which it never
#   completes.
# custom:
#   id: hook-job-unbounded
#   severity: note
#   profiles: [prod]
#   scope: object
#   tags: [hooks, upgrades]
#   why: >-
#     Helm waits for a hook Job to complete (and a hook Pod to reach phase Succeeded) before it
#     goes on, up to --timeout (5m by default). A Job without activeDeadlineSeconds that hangs
#     (a migration waiting on a lock, a DNS name that never resolves) holds the release until
#     that timeout, and keeps running – holding its locks – after Helm has given up or rolled
#     back. Without backoffLimit a failing Job is retried 6 times with exponential back-off
#     (10s, 20s, 40s… about 10 minutes in all), so Helm reports "timed out waiting for the
#     condition" instead of the Job's failure, and a non-idempotent step runs up to 7 times. A
#     hook Pod with restartPolicy Always restarts its finished container forever and never
#     succeeds: every install or upgrade fails at the timeout.
#   fix: >-
#     Set `activeDeadlineSeconds` below Helm's --timeout (e.g. 600 with `--timeout 10m`) and a
#     small `backoffLimit` (0 for a migration, 1–2 for an idempotent task) on every hook Job;
#     set `restartPolicy: Never` on hook and test Pods.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup
#     - https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-backoff-failure-policy
#     - https://helm.sh/docs/topics/charts_hooks/#hooks-and-the-release-lifecycle
package chartguard.rules.hooks["hook-job-unbounded"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation(i, ["spec"], msg) if {
	some i in rel.hooks(0)
	r := input.resources[i]
	r.kind == "Job"
	missing := [f | some f in ["activeDeadlineSeconds", "backoffLimit"]; not _set(r.object.spec, f)]
	count(missing) > 0
	msg := sprintf("hook %s sets no %s: %s", [lib.describe(i), concat(" and no ", missing), _consequence(missing)])
}

report contains lib.violation_with_severity(i, ["spec", "restartPolicy"], msg, "error") if {
	some i in rel.hooks(0)
	r := input.resources[i]
	r.kind == "Pod"
	object.get(r.object, ["spec", "restartPolicy"], "Always") == "Always"
	msg := sprintf(
		"hook %s has restartPolicy %s: its container is restarted after it exits, so the Pod never reaches Succeeded and Helm waits for it until --timeout; set restartPolicy: Never",
		[lib.describe(i), _policy(r.object)],
	)
}

_consequence(missing) := "a hanging run holds the release until Helm's --timeout and keeps running after Helm gives up, and a failing one is retried 6 times over about 10 minutes" if {
	count(missing) == 2
} else := "a hanging run holds the release until Helm's --timeout and keeps running after Helm gives up" if {
	missing == ["activeDeadlineSeconds"]
} else := "a failing run is retried up to 6 times (within the deadline) before Helm sees the failure"

_set(spec, f) if {
	v := spec[f]
	v != null
}

_policy(obj) := "Always" if {
	obj.spec.restartPolicy == "Always"
} else := "unset (Always)"
