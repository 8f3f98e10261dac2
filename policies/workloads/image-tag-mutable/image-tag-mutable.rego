# METADATA
# title: Container images are pinned to a version tag or a digest
# description: >-
#   Every container (init and ephemeral containers, hooks and helm tests included) names its
#   image with a tag other than `latest`, or with a digest (`@sha256:…`). An image with no tag
#   (`nginx`, `registry:5000/app`) or the tag `latest` is a warning; an empty tag (`repo:`,
#   typically an unset `.Values.image.tag`) is an error, since the kubelet cannot pull it.
# custom:
#   id: image-tag-mutable
#   severity: warning
#   profiles: [prod]
#   scope: object
#   tags: [reliability, supply-chain, images]
#   why: >-
#     A missing tag means `latest`, and `latest` moves: two nodes pulling the "same" image a
#     week apart run different code, a rollback to the previous release re-deploys whatever
#     `latest` is today, and nobody can tell from the chart which version is running. An
#     empty tag (`repo:`) is not a valid reference at all: the API accepts the pod and the
#     kubelet fails it with InvalidImageName. Development environments often follow
#     `latest` on purpose, so the rule runs in the prod profile only.
#   fix: >-
#     Pin a version: `image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default
#     .Chart.AppVersion }}"`, with an explicit tag (or a digest, `repo@sha256:…`) in
#     values-prod.yaml.
#   references:
#     - https://kubernetes.io/docs/concepts/containers/images/#image-names
#     - https://kubernetes.io/docs/concepts/configuration/overview/#container-images
package chartguard.rules.workloads["image-tag-mutable"]

import data.chartguard.lib
import data.chartguard.lib.workloads_lib as wl

# Containers (indexes into input.containers) by image: a release's containers share images,
# and each image is judged once, not once per container (speed at 10,000 objects).
_by_image[image] contains n if {
	some n, c in input.containers
	image := c.container.image
	is_string(image)
	trim_space(image) != ""
}

# The images either report may judge: most carry a version tag or a digest, settled with one
# image_tag call instead of the three the reports make (speed at 10,000 objects).
_suspect[image] := containers if {
	some image, containers in _by_image
	not _pinned(image)
}

_pinned(image) if contains(image, "@")

_pinned(image) if {
	tag := wl.image_tag(image)
	tag != ""
	lower(tag) != "latest"
}

report contains lib.violation(c.resource, array.concat(c.path, ["image"]), msg) if {
	some image, containers in _suspect
	reason := wl.image_mutable_reason(image)
	some n in containers
	c := input.containers[n]
	msg := sprintf(
		"%s of %s uses image %q with %s: the code that runs can change without the chart changing; pin a version tag or a digest",
		[lib.container_label(c), lib.describe(c.resource), image, reason],
	)
}

report contains lib.violation_with_severity(c.resource, array.concat(c.path, ["image"]), msg, "error") if {
	some image, containers in _suspect
	wl.image_tag_empty(image)
	some n in containers
	c := input.containers[n]
	msg := sprintf(
		"%s of %s uses image %q with an empty tag (usually an unset image tag value): not a valid image reference, the pod fails with InvalidImageName",
		[lib.container_label(c), lib.describe(c.resource), image],
	)
}
