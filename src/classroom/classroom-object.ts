import { DurableObject } from "cloudflare:workers";
export class ClassroomObject extends DurableObject {
  async ping() { return "pong"; }
}
