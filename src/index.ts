import { Hono } from "hono";
export { ClassroomObject } from "./classroom/classroom-object";
export { NodeObject } from "./node/node-object";
export interface Env { CLASSROOM: DurableObjectNamespace; NODE: DurableObjectNamespace; ASSETS: Fetcher }
const app = new Hono<{ Bindings: Env }>();
app.get("/healthz", (c) => c.text("ok"));
export default app;
