// The classroom's worker machines: list, add and remove them, stop and start one, cut one off from
// the control plane and heal it; and requests sent through a node's kube-proxy to a Service.
import { Hono } from "hono";
import type { MachineState } from "../classroom/fleet/fleet";
import type { NodeSize } from "../classroom/fleet/node-sizes";
import type { ProxyInput } from "../classroom/data-plane";
import { invalidField } from "../classroom/refusal";
import { instructorOnly, type AppEnv, type ClassroomStub } from "./access";
import { body } from "./http";
import { unwrap } from "./refusal";

async function setMachine(classroom: ClassroomStub, node: string, state: MachineState) {
  const { name } = unwrap(await classroom.nodeOp({ set: node, state }));
  return { name, state };
}

export const nodes = new Hono<AppEnv>()
  .get("/nodes", instructorOnly, async (c) => c.json({ items: await c.var.classroom.nodes() }))
  /** {"name"?, "size"?}: a new machine, its kubelet registering its Node. */
  .post("/nodes", instructorOnly, body<{ name?: string; size?: NodeSize }>(), async (c) => {
    const { name, size } = c.req.valid("json");
    if (name !== undefined && typeof name !== "string") throw invalidField("name", "Invalid value: must be a string");
    if (size !== undefined && typeof size !== "string") throw invalidField("size", "Invalid value: must be a string");
    return c.json(unwrap(await c.var.classroom.nodeOp({ add: { name, size } })), 201);
  })
  /** The machine goes, and with its Node its pods (as PodGC deletes them). */
  .delete("/nodes/:node", instructorOnly, async (c) => c.json(unwrap(await c.var.classroom.nodeOp({ remove: c.req.param("node") }))))
  // stop/start a machine; partition cuts it off from the control plane, heal reconnects it.
  .post("/nodes/:node/stop", instructorOnly, async (c) => c.json(await setMachine(c.var.classroom, c.req.param("node"), "stopped")))
  .post("/nodes/:node/start", instructorOnly, async (c) => c.json(await setMachine(c.var.classroom, c.req.param("node"), "running")))
  .post("/nodes/:node/partition", instructorOnly, async (c) => c.json(await setMachine(c.var.classroom, c.req.param("node"), "partitioned")))
  .post("/nodes/:node/heal", instructorOnly, async (c) => c.json(await setMachine(c.var.classroom, c.req.param("node"), "running")))
  /** Sends a request to a Service through kube-proxy, as a pod, a node or an outside client; says which pod answered. */
  .post("/requests", instructorOnly, body<ProxyInput>(), async (c) => {
    const input = c.req.valid("json");
    if (!input.to || typeof input.to !== "object") throw invalidField("to", "Required value: a service {namespace, name, port}, a clusterIP and port, or a nodePort");
    // The rest is read as it comes: a sender or target that is not there is the classroom's refusal.
    return c.json(unwrap(await c.var.classroom.proxyRequest(input as unknown as ProxyInput)));
  });
