# METADATA
# title: Images come from the registries the platform allows
# description: >-
#   When the parameter `registries` lists registries (or repository prefixes such as
#   `ghcr.io/acme`), every container image (init and ephemeral containers, hooks and helm
#   tests included) is pulled from one of them. References are resolved as the container
#   runtime resolves them: `nginx` is `docker.io/library/nginx`. With the default, an empty
#   list, the rule reports nothing: which registries are trusted is the platform's decision,
#   not a default chartguard can make.
# custom:
#   id: image-registry-allowed
#   severity: error
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, supply-chain, images]
#   security-severity: 6.0
#   why: >-
#     A platform that mirrors, scans and signs images in its own registries only gets that
#     protection for images pulled from them. An image from anywhere else skips the scan and
#     the admission checks built on the mirror, may disappear or change upstream (Docker Hub
#     rate limits and deleted tags have broken installs), and is an easy way for a
#     compromised chart to run code nobody reviewed.
#   fix: >-
#     Point the image at the allowed registry (most charts have `image.registry` or
#     `global.imageRegistry` values; set them in the environment's values file) after
#     mirroring the image there. If the registry should be trusted, add it to
#     `rules.params.image-registry-allowed.registries` in `.chartguard.yaml`.
#   params:
#     registries:
#       description: >-
#         Allowed registries or repository prefixes (`registry.example.com`,
#         `ghcr.io/acme`, `docker.io/library`), matched on whole path components; Docker Hub
#         is `docker.io`. Empty: the rule is off.
#       default: []
#       schema: {type: array, items: {type: string, minLength: 1, pattern: "^[^\\s@]+$"}, uniqueItems: true}
#   references:
#     - https://kubernetes.io/docs/concepts/containers/images/#image-names
#     - https://open-policy-agent.github.io/gatekeeper-library/website/validation/allowedrepos/
package chartguard.rules.platform["image-registry-allowed"]

import data.chartguard.lib
import data.chartguard.lib.workloads_lib as wl

_allowed := data.params["image-registry-allowed"].registries

report contains lib.violation(c.resource, array.concat(c.path, ["image"]), msg) if {
	count(_allowed) > 0
	some c in input.containers
	image := c.container.image
	is_string(image)
	image != ""
	repo := wl.image_repository(image)
	not _permitted(repo)
	msg := sprintf(
		"%s of %s pulls %q (%s), which is not in an allowed registry (%s)",
		[lib.container_label(c), lib.describe(c.resource), image, repo, concat(", ", _allowed)],
	)
}

_permitted(repo) if {
	some prefix in _allowed
	wl.repository_within(repo, prefix)
}
