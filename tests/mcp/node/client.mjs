// The official MCP TypeScript SDK against ems-mcp: connects over stdio (spawning the binary) or
// Streamable HTTP, lists the tools and resources, calls every tool and reads a resource.
// Usage: node client.mjs stdio <ems-mcp binary> | node client.mjs http <url of /mcp>
// The environment (EMS_DATABASE_URL, EMS_DEVICE_API_URL, ...) is passed on to the spawned binary.
// Exits 0 when every check passed, 1 with the failures listed otherwise.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [mode, target] = process.argv.slice(2);
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

const transport =
  mode === "stdio"
    ? new StdioClientTransport({ command: target, args: ["--stdio"], env: { ...process.env }, stderr: "inherit" })
    : new StreamableHTTPClientTransport(new URL(target));
const client = new Client({ name: "ems-mcp-sdk-test", version: "1.0.0" });

const text = (r) => (r.content && r.content[0] && r.content[0].type === "text" ? r.content[0].text : "");
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

try {
  await client.connect(transport);
  check(client.getServerVersion()?.name === "ems-mcp", "server name ems-mcp");
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  const expected = ["entity_chunks", "forecast", "graph_neighbors", "graph_path", "latest_telemetry",
    "search_knowledge", "telemetry_history", "topology", "upstream"];
  check(JSON.stringify(names) === JSON.stringify(expected), `tools/list: ${names.join(",")}`);

  const search = await client.callTool({ name: "search_knowledge", arguments: { query: "tap changes per hour", k: 3 } });
  check(!search.isError && search.structuredContent.chunks.length === 3, "search_knowledge returns 3 chunks");
  check(search.structuredContent.chunks[0].document === "docs/corpus/runbooks/pst-operation.md",
    `search_knowledge top document ${search.structuredContent.chunks[0]?.document}`);

  // The graph follows device-api's topology: wait (bounded) until the follower delivered it.
  let upstream;
  for (let i = 0; i < 60; i++) {
    upstream = await client.callTool({ name: "upstream", arguments: { device: "bess_rack_2" } });
    if (!upstream.isError) break;
    await sleep(500);
  }
  check(!upstream.isError && upstream.structuredContent.upstream[0].id === "device:bess_module_1",
    `upstream of bess_rack_2: ${text(upstream).slice(0, 120)}`);
  const neighbors = await client.callTool({ name: "graph_neighbors", arguments: { node: "pst_1", depth: 1 } });
  check(!neighbors.isError && neighbors.structuredContent.nodes.some((n) => n.id === "bus:line_bus"),
    "graph_neighbors of pst_1 includes line_bus");
  const path = await client.callTool({ name: "graph_path", arguments: { from: "bess_rack_2", to: "pst_1" } });
  check(!path.isError && path.structuredContent.found && path.structuredContent.path.at(-1).id === "device:pst_1",
    "graph_path bess_rack_2 -> pst_1");
  const entity = await client.callTool({ name: "entity_chunks", arguments: { entity: "pst_1" } });
  check(!entity.isError && entity.structuredContent.chunks.length > 0, "entity_chunks of pst_1");
  const topology = await client.callTool({ name: "topology", arguments: { device: "bess_rack_1" } });
  check(!topology.isError && JSON.stringify(topology.structuredContent).includes("bess_rack_1"),
    `topology of bess_rack_1: ${text(topology).slice(0, 120)}`);

  // Historian and analyst are not started by this test: their tools must fail as tool errors
  // naming the service, never as protocol errors or crashes.
  for (const [name, args, service] of [
    ["latest_telemetry", { device: "bess_rack_1" }, "historian"],
    ["telemetry_history", { device: "bess_rack_1", measurement: "state_of_charge", bucket: "5m", agg: "avg" }, "historian"],
    ["forecast", { target: "solar_system" }, "analyst"],
  ]) {
    const r = await client.callTool({ name, arguments: args });
    check(r.isError === true && text(r).includes(service), `${name} without ${service}: ${text(r).slice(0, 100)}`);
  }

  // Invalid arguments are a JSON-RPC error (-32602) the SDK raises.
  let code = 0;
  try {
    await client.callTool({ name: "search_knowledge", arguments: { k: 2 } });
  } catch (e) {
    code = e.code;
  }
  check(code === -32602, `missing query -> -32602 (got ${code})`);

  const { resources } = await client.listResources();
  const runbook = resources.find((r) => r.uri === "ems://documents/docs/corpus/runbooks/line-overload.md");
  check(resources.length > 10 && runbook !== undefined, `resources/list: ${resources.length} documents`);
  const read = await client.readResource({ uri: runbook.uri });
  check(read.contents[0].text.includes("Immediate actions"), "resources/read of the line overload runbook");
} catch (e) {
  check(false, `exception: ${e.stack || e}`);
} finally {
  await client.close().catch(() => {});
}
console.log(failures.length === 0 ? `all checks passed (${mode})` : `${failures.length} failed (${mode})`);
process.exit(failures.length === 0 ? 0 : 1);
