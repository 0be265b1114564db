// Opening a classroom: fresh unguessable id and credentials, the control plane object
// initialised, and a kubeconfig that real kubectl can use as it is.
import { NODE_SIZES } from "./fleet/node-sizes";
import { stringify } from "yaml";
import { hashToken, randomToken } from "../control-plane/api-server/auth";
import { errors } from "../control-plane/api-server/status";
import { KUBECLASS } from "./refusal";

export interface CreateClassroomRequest {
  name?: unknown;
  nodes?: unknown;
  speed?: unknown;
  cloud?: unknown;
  /** One machine size for every node, or "mixed" (the default: sizes rotate). */
  size?: unknown;
}

export interface CreatedClassroom {
  id: string;
  name: string;
  nodes: number;
  speed: number;
  cloud: boolean;
  size?: string;
  instructorUrl: string;
  joinUrl: string;
  instructorToken: string;
  joinToken: string;
  kubeconfig: string;
}

export const CLASSROOM_ID = /^[0-9a-f]{32}$/;
const NAME_MAX = 80;

/** 128 random bits, hex: the classroom id in every URL. */
export function newClassroomId(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function validateCreateRequest(body: CreateClassroomRequest): { name: string; nodes: number; speed: number; cloud: boolean; size?: string } {
  const causes = [];
  const name = body.name === undefined ? "classroom" : body.name;
  if (typeof name !== "string" || name.trim() === "" || name.length > NAME_MAX)
    causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(name)}: must be a non-empty string of at most ${NAME_MAX} characters`, field: "name" });
  const nodes = body.nodes === undefined ? 3 : body.nodes;
  if (!Number.isInteger(nodes) || (nodes as number) < 0 || (nodes as number) > 50)
    causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(nodes)}: must be an integer from 0 to 50`, field: "nodes" });
  const speed = body.speed === undefined ? 1 : body.speed;
  if (typeof speed !== "number" || !(speed > 0) || speed > 100)
    causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(speed)}: must be a number greater than 0 and at most 100`, field: "speed" });
  const cloud = body.cloud === undefined ? true : body.cloud;
  if (typeof cloud !== "boolean")
    causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(cloud)}: must be true (a cloud provider) or false (on premises)`, field: "cloud" });
  const size = body.size === undefined || body.size === "mixed" ? undefined : body.size;
  if (size !== undefined && !NODE_SIZES.some((s) => s.instanceType === size))
    causes.push({ reason: "FieldValueNotSupported", message: `Unsupported value: ${JSON.stringify(size)}: supported values: "mixed", ${NODE_SIZES.map((s) => `"${s.instanceType}"`).join(", ")}`, field: "size" });
  if (causes.length) throw errors.invalid(KUBECLASS("Classroom"), typeof name === "string" ? name : "", causes);
  return { name: (name as string).trim(), nodes: nodes as number, speed: speed as number, cloud: cloud as boolean, size: size as string | undefined };
}

export async function createClassroom(ns: Env["CLASSROOM"], origin: string, body: CreateClassroomRequest): Promise<CreatedClassroom> {
  const { name, nodes, speed, cloud, size } = validateCreateRequest(body);
  const id = newClassroomId();
  const instructorToken = randomToken();
  const joinToken = randomToken();
  const stub = ns.get(ns.idFromName(id));
  await stub.init({ id, name, nodes, speed, cloud, size, instructorTokenHash: await hashToken(instructorToken), joinTokenHash: await hashToken(joinToken) });
  return {
    id,
    name,
    nodes,
    speed,
    cloud,
    // Tokens ride in the fragment, which browsers never send to a server or put in logs.
    instructorUrl: `${origin}/classroom/${id}#instructor=${instructorToken}`,
    joinUrl: joinUrl(origin, id, joinToken),
    instructorToken,
    joinToken,
    kubeconfig: kubeconfig({ origin, id, classroomName: name, user: "instructor", token: instructorToken, namespace: "default" }),
  };
}

/** The join link: the token rides in the fragment, which browsers never send to a server or put in logs. */
export function joinUrl(origin: string, id: string, token: string): string {
  return `${origin}/join/${id}#join=${token}`;
}

/**
 * kubectl sends a bearer token only over HTTPS. Over plain HTTP (local `npm start`) the token
 * goes in the server URL path instead, which kubectl keeps as a prefix on every request, and the
 * cluster says `insecure-skip-tls-verify: true`: there is no TLS to verify on `http://`, and the
 * official JavaScript client (`@kubernetes/client-node`) refuses a plain-HTTP server for watches
 * and informers without it. kubectl and the Python client accept the same file unchanged.
 */
export function kubeconfig(o: { origin: string; id: string; classroomName: string; user: string; token: string; namespace: string }): string {
  const secure = o.origin.startsWith("https://");
  const server = secure ? `${o.origin}/clusters/${o.id}` : `${o.origin}/clusters/${o.id}/auth/${o.token}`;
  const cluster = `kubeclass-${o.id.slice(0, 8)}`;
  const context = `${o.user}@${cluster}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: [{ name: cluster, cluster: secure ? { server } : { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: `${o.user}@${cluster}`, user: secure ? { token: o.token } : {} }],
    contexts: [{ name: context, context: { cluster, user: `${o.user}@${cluster}`, namespace: o.namespace } }],
    "current-context": context,
  }, { lineWidth: 0 });
}
