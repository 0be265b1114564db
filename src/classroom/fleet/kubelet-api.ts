// The API server as the kubelets reach it: a node's batch of calls, each answered as kube-apiserver
// answers any client with that node's credential (the Node authorizer decides), except that a
// partitioned machine reaches nothing.
import type { ApiServer } from "../../control-plane/api-server/server";
import type { ApiCall, ApiReply, ApiTextReply } from "../../node/api-client";
import type { Credentials } from "../credentials";
import type { NodeFleet } from "./fleet";

const KUBELET_AGENT = "kubelet/v1.32.2";

export async function kubeletCalls(d: { creds: Credentials; fleet: NodeFleet; api: ApiServer }, token: string, calls: ApiCall[]): Promise<(ApiReply | ApiTextReply)[]> {
  const who = await d.creds.lookup(token);
  const node = who?.kind === "node" ? who.user.username.slice("system:node:".length) : undefined;
  if (node && d.fleet.get(node)?.state === "partitioned") return calls.map(() => ({ status: 503, body: { message: `dial tcp 10.0.0.1:6443: connect: no route to host` } }));
  // Replies go back as text: the node parses them on its own thread, not this one.
  const replies: ApiTextReply[] = [];
  for (const call of calls) {
    const init: RequestInit = { method: call.method, headers: { "content-type": call.contentType ?? "application/json", accept: "application/json", "user-agent": KUBELET_AGENT } };
    if (call.body !== undefined) init.body = JSON.stringify(call.body);
    const res = await d.api.handle(new Request(`https://classroom${call.path}`, init), who?.kind === "node" ? who.user : undefined);
    replies.push({ status: res.status, text: await res.text() });
  }
  return replies;
}
