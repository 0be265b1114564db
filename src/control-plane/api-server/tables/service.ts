// Service, Endpoints and EndpointSlice tables: printService, printEndpoints, printEndpointSlice.

import type { EndpointSubset, Endpoints, Service, ServicePort } from "../objects/core";
import type { EndpointSlice } from "../objects/others";
import { D } from "./descriptions";
import { age, arr, byteCompare, col, formatLabels, int, joinHostPort, nameOf, NONE, str } from "./format";
import type { Printer } from "./types";

export const servicePrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Type", "string", D.serviceType),
    col("Cluster-IP", "string", D.clusterIP),
    col("External-IP", "string", D.externalIPs),
    col("Port(s)", "string", D.servicePorts),
    col("Age", "string", D.creationTimestamp),
    col("Selector", "string", D.serviceSelector, 1),
  ],
  cells(svc: Service, now: number): unknown[] {
    const spec = svc.spec ?? {};
    // Defaulting always sets a type; the v1→internal conversion folds clusterIP into clusterIPs.
    const type: string = spec.type || "ClusterIP";
    const clusterIP: string = arr(spec.clusterIPs)[0] || spec.clusterIP || NONE;
    const ports = servicePorts(arr(spec.ports));
    return [nameOf(svc), type, clusterIP, externalIP(svc, type), ports || NONE, age(svc, now), formatLabels(spec.selector)];
  },
};

/** makePortString: "80/TCP", or "80:30080/TCP" with a node port. */
function servicePorts(ports: ServicePort[]): string {
  return ports
    .map((p) => {
      const protocol = str(p?.protocol) || "TCP"; // defaulted by the real API server
      return int(p?.nodePort) > 0 ? `${int(p?.port)}:${int(p?.nodePort)}/${protocol}` : `${int(p?.port)}/${protocol}`;
    })
    .join(",");
}

/**
 * getServiceExternalIP with wide set (the server never clips): external IPs, load-balancer ingress
 * (IP, else hostname; sorted and unique), "<pending>" while a LoadBalancer has none.
 */
function externalIP(svc: Service, type: string): string {
  const externalIPs: string[] = arr(svc.spec?.externalIPs);
  switch (type) {
    case "ClusterIP":
    case "NodePort":
      return externalIPs.length > 0 ? externalIPs.join(",") : NONE;
    case "LoadBalancer": {
      const lb = new Set<string>();
      for (const ing of arr(svc.status?.loadBalancer?.ingress)) {
        if (ing?.ip) lb.add(ing.ip);
        else if (ing?.hostname) lb.add(ing.hostname);
      }
      const lbIPs = [...lb].sort(byteCompare);
      if (externalIPs.length > 0) return [...lbIPs, ...externalIPs].join(",");
      return lbIPs.length > 0 ? lbIPs.join(",") : "<pending>";
    }
    case "ExternalName":
      return str(svc.spec?.externalName);
  }
  return "<unknown>";
}

export const endpointsPrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("Endpoints", "string", D.endpointsSubsets),
    col("Age", "string", D.creationTimestamp),
  ],
  cells(ep: Endpoints, now: number): unknown[] {
    return [nameOf(ep), formatEndpoints(arr(ep.subsets)), age(ep, now)];
  },
};

/** formatEndpoints: up to three ready "ip:port" entries, then "+ N more...". */
export function formatEndpoints(subsets: EndpointSubset[]): string {
  if (subsets.length === 0) return NONE;
  const max = 3;
  const list: string[] = [];
  let more = false;
  let total = 0;
  for (const ss of subsets) {
    const addresses = arr(ss?.addresses);
    const ports = arr(ss?.ports);
    if (ports.length === 0) {
      // Headless services may have no ports: list bare IPs.
      total += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(a?.ip));
      }
      continue;
    }
    for (const port of ports) {
      total += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(str(a?.ip), int(port?.port)));
      }
    }
  }
  const joined = list.join(",");
  return more ? `${joined} + ${total - max} more...` : joined;
}

export const endpointSlicePrinter: Printer = {
  columns: [
    col("Name", "string", D.name, 0, "name"),
    col("AddressType", "string", D.sliceAddressType),
    col("Ports", "string", D.slicePorts),
    col("Endpoints", "string", D.sliceEndpoints),
    col("Age", "string", D.creationTimestamp),
  ],
  cells(slice: EndpointSlice, now: number): unknown[] {
    const ports = arr(slice.ports).map((p) => (typeof p?.port === "number" ? String(p.port) : p?.name != null ? str(p.name) : "*"));
    const addresses = arr(slice.endpoints).flatMap((e) => arr(e?.addresses).map(str));
    return [nameOf(slice), str(slice.addressType), listWithMore(ports, 3), listWithMore(addresses, 3), age(slice, now)];
  },
};

/** listWithMoreString: the first max items, "+ N more...", or "<unset>" for none. */
function listWithMore(items: string[], max: number): string {
  const joined = items.slice(0, max).join(",");
  if (items.length > max) return `${joined} + ${items.length - max} more...`;
  return joined === "" ? "<unset>" : joined;
}
