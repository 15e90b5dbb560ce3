// Our drop-in handler with the module's own code checking signatures (`signatures: "wasm"`),
// bundled like the others, for the cold-start comparison (the default row uses node:crypto).
import { createLambdaHandler } from "../../../../host-node/package/dist/index.js";

const authorize = createLambdaHandler({ signatures: "wasm" });

export const handler = async (event) => authorize(event);
