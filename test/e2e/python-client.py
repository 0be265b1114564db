# Driven by clients.test.ts: the official Python client (Debian's python3-kubernetes) with a
# kubeclass kubeconfig as issued. Prints one JSON object per step; every wait is bounded.
#   python3 python-client.py <kubeconfig> <namespace>
import json
import sys

from kubernetes import client, config, utils, watch
from kubernetes.client.rest import ApiException

kubeconfig, ns = sys.argv[1], sys.argv[2]


def out(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


config.load_kube_config(config_file=kubeconfig)
api = client.ApiClient()
v1 = client.CoreV1Api(api)
_, active = config.list_kube_config_contexts(config_file=kubeconfig)
out("config", host=api.configuration.host, namespace=active["context"]["namespace"])

listed = v1.list_namespaced_pod(ns)
out("list", count=len(listed.items), resourceVersion=listed.metadata.resource_version)

# Create from dicts: a Pod through utils.create_from_dict, a ConfigMap through the typed API.
created = utils.create_from_dict(api, {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "py-web", "labels": {"app": "py-web"}},
    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]},
}, namespace=ns)
cm = v1.create_namespaced_config_map(ns, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "py-settings"}, "data": {"color": "blue"}})
out("created", pod=created[0].metadata.name, configmap=cm.metadata.name)

# Watch from the list's resourceVersion: ADDED (Pending), then MODIFIED until Running.
w = watch.Watch()
for event in w.stream(v1.list_namespaced_pod, ns, resource_version=listed.metadata.resource_version, timeout_seconds=60):
    obj = event["object"]
    out("event", type=event["type"], name=obj.metadata.name, phase=obj.status.phase)
    if obj.metadata.name == "py-web" and obj.status.phase == "Running":
        w.stop()

selected = v1.list_namespaced_pod(ns, label_selector="app=py-web")
none = v1.list_namespaced_pod(ns, label_selector="app=nothing")
out("selected", pods=[p.metadata.name for p in selected.items], none=[p.metadata.name for p in none.items])

deleted = v1.delete_namespaced_pod("py-web", ns)
out("deleted", pod=deleted.metadata.name)

try:
    v1.create_namespaced_config_map("default", {"metadata": {"name": "intruder"}})
    out("forbidden", status=None)
except ApiException as e:
    out("forbidden", status=e.status, reason=json.loads(e.body)["reason"])
