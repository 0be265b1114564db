import { DurableObject } from "cloudflare:workers";
export class NodeObject extends DurableObject {}
