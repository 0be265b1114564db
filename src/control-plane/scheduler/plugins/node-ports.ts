// NodePorts: a requested hostPort must be free on the node for its protocol and host IP (0.0.0.0 clashes
// with every IP, as HostPortInfo.CheckConflict does).
import { type CycleState, type Plugin, type Status, UNSCHEDULABLE, definePlugin, status } from "../framework";
import type { HostPort, NodeInfo } from "../snapshot";

export const NAME = "NodePorts";
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

export function portsConflict(used: Map<string, string[]>, wanted: HostPort[]): boolean {
  for (const hp of wanted) {
    const ips = used.get(`${hp.protocol}/${hp.port}`);
    if (!ips || ips.length === 0) continue;
    if (hp.ip === "0.0.0.0") return true;
    if (ips.includes(hp.ip) || ips.includes("0.0.0.0")) return true;
  }
  return false;
}

export function filter(c: CycleState, ni: NodeInfo): Status | null {
  if (c.pod.hostPorts.length === 0 || ni.usedPorts.size === 0) return null;
  return portsConflict(ni.usedPorts, c.pod.hostPorts) ? status(NAME, UNSCHEDULABLE, ERR_REASON) : null;
}

export const nodePortsPlugin: Plugin = definePlugin({ name: NAME, filter });
