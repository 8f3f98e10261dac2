# METADATA
# title: Flagger Canaries target objects of the release
# description: >-
#   A Flagger Canary (flagger.app) names in spec.targetRef, and in spec.autoscalerRef when
#   set, a kind and name that exist in the release, in its namespace.
# custom:
#   id: canary-target-missing
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [traffic, canary, progressive-delivery]
#   why: >-
#     Flagger cannot initialise a Canary whose target does not exist: it never creates the
#     primary, the canary Service or the routes, and every later release of the workload goes
#     out without analysis (or not at all). A missing autoscalerRef leaves the primary
#     unscaled. It is usually a fullname or kind that changed in one template only.
#   fix: >-
#     Build targetRef.name (and autoscalerRef.name) from the same fullname helper as the
#     Deployment / HPA, with the same kind (`Deployment`, `DaemonSet`, `HorizontalPodAutoscaler`).
#   references:
#     - https://docs.flagger.app/usage/how-it-works#canary-resource
package chartguard.rules.traffic["canary-target-missing"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation(i, ["spec", field, "name"], msg) if {
	some i in rel.of_kind("Canary")
	r := input.resources[i]
	startswith(r.api_version, "flagger.app/")
	some field in ["targetRef", "autoscalerRef"]
	ref := r.object.spec[field]
	is_object(ref)
	kind := object.get(ref, "kind", "")
	name := object.get(ref, "name", "")
	count(rel.named(kind, name, i)) == 0
	msg := sprintf(
		"%s: spec.%s names %v %q, which is not in the release: Flagger cannot initialise the canary",
		[lib.describe(i), field, kind, name],
	)
}
