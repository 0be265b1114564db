import { describe, expect, it } from "vitest";
import { nodeObject, usage } from "../../../../src/node/kubelet";
import { cfg, pod, Sim, T0 } from "./kubelet-helpers";

describe("kubelet: the Node object", () => {
  it("labels, capacity, allocatable, conditions, addresses, nodeInfo", () => {
    const s = new Sim();
    s.sync(T0);
    const n = nodeObject(cfg, s.state, T0 + 5000);
    expect(n.metadata.labels).toMatchObject({
      "kubernetes.io/hostname": "node-1",
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
      "beta.kubernetes.io/os": "linux",
      "beta.kubernetes.io/arch": "amd64",
      "topology.kubernetes.io/zone": "europe-west1-b",
      "topology.kubernetes.io/region": "europe-west1",
      "node.kubernetes.io/instance-type": "e2-medium",
    });
    expect(n.spec).toEqual({ podCIDR: "10.244.1.0/24", podCIDRs: ["10.244.1.0/24"] });
    const st = n.status as Record<string, any>;
    expect(st.capacity).toEqual({ cpu: "2", "ephemeral-storage": "104857600Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: "4194304Ki", pods: "110" });
    expect(st.allocatable.cpu).toBe("1930m");
    expect(st.allocatable.memory).toBe(`${4194304 - 1024 * 1024 - 100 * 1024}Ki`);
    expect(st.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`)).toEqual(["MemoryPressure=False", "DiskPressure=False", "PIDPressure=False", "Ready=True"]);
    expect(st.conditions[3]).toMatchObject({ reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: "2025-01-15T10:00:05Z", lastTransitionTime: "2025-01-15T10:00:00Z" });
    expect(st.conditions[0].message).toBe("kubelet has sufficient memory available");
    expect(st.addresses).toEqual([{ address: "10.0.0.11", type: "InternalIP" }, { address: "node-1", type: "Hostname" }]);
    expect(st.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(st.nodeInfo).toMatchObject({ kubeletVersion: "v1.32.2", containerRuntimeVersion: "containerd://1.7.24", operatingSystem: "linux", architecture: "amd64", osImage: cfg.osImage, kernelVersion: cfg.kernelVersion });
    expect(st.nodeInfo.machineID).toMatch(/^[0-9a-f]{32}$/);
    expect(st.nodeInfo.systemUUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    // Preloaded images: the sandbox image and kube-proxy.
    expect(st.images.flatMap((i: { names: string[] }) => i.names)).toContain("registry.k8s.io/pause:3.10");
  });

  it("status.images follows the image cache, biggest first, with digest names", () => {
    const s = new Sim();
    s.add(pod("a", { containers: [{ name: "c", image: "nginx" }, { name: "d", image: "busybox:1.36", command: ["sleep", "1000"] }] }));
    s.advance(20);
    const images = (nodeObject(cfg, s.state, s.now).status as unknown as { images: { names: string[]; sizeBytes: number }[] }).images;
    expect(images[0].names).toEqual([expect.stringMatching(/^docker\.io\/library\/nginx@sha256:/), "docker.io/library/nginx:latest"]);
    expect(images[0].sizeBytes).toBe(72099501);
    const sizes = images.map((i) => i.sizeBytes);
    expect([...sizes].sort((x, y) => y - x)).toEqual(sizes);
  });
});

describe("kubelet: usage for kubectl top", () => {
  it("idle nginx is tiny, a stress container is big, finished pods are absent", () => {
    const s = new Sim();
    s.add(
      pod("web", { containers: [{ name: "nginx", image: "nginx" }] }),
      pod("hog", { containers: [{ name: "s", image: "polinux/stress", command: ["stress"], args: ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"] }] }),
      pod("job", { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36", command: ["true"] }] }),
    );
    s.advance(120);
    const u = usage(cfg, s.state, s.now);
    const web = u.pods.find((p) => p.name === "web")!.containers[0];
    expect(web.cpuMillis).toBeLessThanOrEqual(2);
    expect(web.memoryBytes).toBeGreaterThan(4 * 1024 * 1024);
    expect(web.memoryBytes).toBeLessThan(20 * 1024 * 1024);
    const hog = u.pods.find((p) => p.name === "hog")!.containers[0];
    expect(hog.memoryBytes).toBeGreaterThan(145 * 1024 * 1024);
    expect(u.pods.find((p) => p.name === "job")).toBeUndefined();
    expect(u.node.memoryBytes).toBeGreaterThan(hog.memoryBytes + web.memoryBytes);
    expect(u.node.cpuMillis).toBeLessThanOrEqual(cfg.cpuMillis);
  });
});
