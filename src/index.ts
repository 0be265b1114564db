// The Worker: stateless routing in front of the per-classroom control plane objects (the routes
// are src/api/), and the two Durable Object classes the runtime instantiates.
import { app } from "./api/app";

export { ClassroomObject } from "./classroom/classroom-object";
export { NodeObject } from "./node/node-object";

export default app;
