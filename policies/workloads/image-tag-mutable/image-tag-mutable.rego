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

# The release's images, each judged once, not once per container (containers share images).
_images := {image |
	some c in input.containers
	image := c.container.image
	is_string(image)
	trim_space(image) != ""
}

# The images either report may judge: most carry a version tag or a digest, settled with one
# image_tag call instead of the three the reports make (speed at 10,000 objects).
_suspect := {image | some image in _images; not _pinned(image)}

# Containers (indexes into input.containers) by suspect image: a second pass over the
# containers made only when some image is suspect, as few releases have one.
_by_image[image] contains n if {
	some n, c in input.containers
	image := c.container.image
	image in _suspect
}

# One definition with else branches, the version tag (most images) first: regorus evaluates
# every definition of a function otherwise.
_pinned(image) if {
	tag := wl.image_tag(image)
	tag != ""
	lower(tag) != "latest"
} else := true if {
	contains(image, "@")
}

report contains {"resource": c.resource, "path": array.concat(c.path, ["image"]), "message": msg} if {
	some image in _suspect
	reason := wl.image_mutable_reason(image)
	some n in _by_image[image]
	c := input.containers[n]
	msg := sprintf(
		"%s of %s uses image %q with %s: the code that runs can change without the chart changing; pin a version tag or a digest",
		[lib.container_label(c), lib.describe(c.resource), image, reason],
	)
}

report contains {"resource": c.resource, "path": array.concat(c.path, ["image"]), "message": msg, "severity": "error"} if {
	some image in _suspect
	wl.image_tag_empty(image)
	some n in _by_image[image]
	c := input.containers[n]
	msg := sprintf(
		"%s of %s uses image %q with an empty tag (usually an unset image tag value): not a valid image reference, the pod fails with InvalidImageName",
		[lib.container_label(c), lib.describe(c.resource), image],
	)
}
