// Our drop-in handler with node:crypto checking signatures (`signatures: "host"`) (the module decides everything else),
// bundled like the others, for the cold-start comparison.
import { createLambdaHandler } from "../../../../host-node/package/dist/index.js";

const authorize = createLambdaHandler({ signatures: "host" });

export const handler = async (event) => authorize(event);
