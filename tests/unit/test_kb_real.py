"""The real knowledge base in kb/: valid, complete, and the chains the site relies on exist."""

from __future__ import annotations

import atlasgraph
import pytest
from atlas import ROOT
from atlas.kb.export import build_catalog
from atlas.kb.validate import check_kb, errors_of
from atlas.kb.vocabulary import CATEGORIES

#: Canonical ids every writer uses (the series' components, then today's ecosystem).
REQUIRED = """
oci oci-runtime-spec oci-image-spec oci-distribution-spec kubernetes-cri cni
lxc runc rkt crun youki gvisor kata-containers firecracker containerd cri-o
lxd incus docker-engine docker-cli rkt-cli podman docker-compose
docker-image dockerfile aci buildah buildkit kaniko
docker-registry docker-hub quay-io harbor
coreos-container-linux project-atomic ubuntu-core flatcar fedora-coreos bottlerocket talos-linux
container image image-layers base-image container-vs-vm namespaces cgroups docker-architecture
port-mapping volumes
docker-swarm kubernetes mesos marathon nomad
rancher containership openshift portainer
deis flynn dokku cloud-foundry
docker-networking flannel weave-net calico cilium
etcd consul zookeeper
docker-ps-top-stats docker-stats-api sysdig cadvisor heapster weave-scope prometheus
flocker docker-logs logspout fluentd openscap trivy clair falco sigstore
""".split()


@pytest.fixture(scope="module")
def real():
    kb, problems = check_kb(ROOT / "kb")
    errors = errors_of(problems)
    assert errors == [], "\n".join(map(str, errors))
    return atlasgraph.load(build_catalog(kb))


def test_real_kb_covers_the_series_and_today(real):
    assert real.number_of_nodes() >= 100
    assert [i for i in REQUIRED if i not in real] == []
    assert [c for c in CATEGORIES if not any(d["category"] == c for _, d in real.nodes(data=True))] == []


def test_real_kb_chains(real):
    assert atlasgraph.format_path(atlasgraph.path(real, "docker-cli", "runc")) == (
        "docker-cli —uses→ docker-engine —uses→ containerd —uses→ runc"
    )
    kubectl = atlasgraph.path(real, "kubectl", "runc")
    assert {s["target"] for s in kubectl} >= {"kubernetes", "runc"} and len(kubectl) <= 4
    assert set(atlasgraph.implementers(real, "oci-runtime-spec")) >= {
        "runc", "crun", "youki", "gvisor", "kata-containers",
    }  # fmt: skip
    assert set(atlasgraph.implementers(real, "kubernetes-cri")) >= {"containerd", "cri-o"}
    assert set(atlasgraph.successors_of(real, "coreos-container-linux")) >= {"flatcar", "fedora-coreos"}
    assert atlasgraph.successors_of(real, "heapster") == ["metrics-server"]


def test_archived_entries_say_when(real):
    retired = {
        n: d["facts"] for n, d in real.nodes(data=True) if d["facts"]["status"] in ("archived", "historical")
    }
    assert {"rkt", "flocker", "heapster", "deis", "coreos-container-linux"} <= set(retired)
    assert [n for n, f in retired.items() if not f["status_since"]] == []
