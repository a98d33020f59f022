// Drives the service's /mcp endpoint with the official MCP client and prints one JSON line with what
// it saw; McpClientE2ETest asserts on it. Usage: node client.mjs http://127.0.0.1:PORT/mcp
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = new URL(process.argv[2]);
const client = new Client({ name: "alphora-e2e", version: "1.0.0" });
const transport = new StreamableHTTPClientTransport(url);
await client.connect(transport);

const out = {
  sessionId: transport.sessionId,
  protocolVersion: transport.protocolVersion,
  server: client.getServerVersion(),
  capabilities: client.getServerCapabilities(),
};
const listed = await client.listTools();
out.tools = listed.tools.map((t) => t.name);
out.sandboxIdInSchemas = listed.tools.every((t) => t.inputSchema.properties.sandbox_id?.type === "string");
await client.ping();
out.run = await client.callTool({ name: "run_python_code", arguments: { code: "print(6 * 7)" } });
out.saved = await client.callTool({ name: "save_file", arguments: { path: "notes/a.txt", content: "hello" } });
out.read = await client.callTool({ name: "read_file", arguments: { path: "notes/a.txt" } });
out.status = await client.callTool({ name: "get_sandbox_status", arguments: {} });
out.invalid = await client.callTool({ name: "run_python_code", arguments: { codez: "1" } });
try {
  await client.callTool({ name: "no_such_tool", arguments: {} });
  out.unknownTool = "no error";
} catch (e) {
  out.unknownTool = { code: e.code, message: e.message };
}
await transport.terminateSession();
out.sessionAfterTerminate = transport.sessionId ?? null;
await client.close();
console.log(JSON.stringify(out));
