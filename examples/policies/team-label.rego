# METADATA
# title: Workloads carry a team label
# description: Every Deployment, StatefulSet and DaemonSet has a `team` label so alerts reach an owner.
# custom:
#   id: team-label
#   severity: note
#   profiles: [dev, prod]
#   scope: object
#   tags: [ownership]
#   why: On-call routing and cost reports group workloads by the `team` label; without it a page goes nowhere.
#   fix: >-
#     Add `team: <name>` to metadata.labels (usually in the chart's common labels helper).
package chartguard.rules.custom["team-label"]

import data.chartguard.lib

_kinds := {"Deployment", "StatefulSet", "DaemonSet"}

report contains lib.violation(r.index, ["metadata", "labels"], msg) if {
	some r in input.resources
	r.kind in _kinds
	not r.object.metadata.labels.team
	msg := sprintf("%s has no `team` label", [lib.describe(r.index)])
}
