// bench/hmi: the HMI in Debian's chromium (playwright-core, fresh profile) against the real suite
// that tests/hmi's ems_hmi_e2e_suite starts on free ports. Prints three figures:
//   1. first render of the overview: navigation start -> the first live KPI value on screen
//      (median of 5 cold page loads)
//   2. main-thread busy on a device page (gpu_node_1, 41 measurements) while 1,000 MQTT
//      messages/s for that device's topics arrive for 20 s: Chrome's TaskDuration over wall time
//      (CDP Performance metrics), and how many of the messages the page received
//   3. module browser for a 500-device DTM (POST /topology): navigation start -> every device row
//      rendered (median of 5)
// Run: cd hmi && npm ci && npm run build, build ems_hmi_e2e_suite, then
//   EMS_HMI_E2E_SUITE=build/tests/hmi/ems_hmi_e2e_suite node bench/hmi/run.mjs
// Everything is bounded: 5 loads per figure, 20 s of messages, 127.0.0.1 only.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mqtt, startBrowser, startSuite } from '../../hmi/e2e/suite.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SITE = 'demo_site';
const RATE = 1000;
const SECONDS = 20;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const suite = await startSuite();
const { info } = suite;
const browser = await startBrowser();
const results = {};
try {
  // 1. first render of the overview
  const overview = [];
  for (let i = 0; i < 5; i++) {
    const page = await browser.context.newPage();
    await page.goto(`${info.hmi_url}/#/overview`);
    await page.waitForSelector('[data-kpi] .value[data-freshness="live"]', { timeout: 60_000 });
    overview.push(await page.evaluate(() => performance.now()));
    await page.close();
  }
  results.overview_first_render_ms = median(overview);

  // 2. main thread at 1,000 msg/s on a device page
  const device = 'gpu_node_1';
  const view = await (await fetch(`${info.device_api_url}/topology/view`)).json();
  const ms = view.templates_used[view.devices[device].template].measurements;
  const floats = Object.entries(ms).filter(([, m]) => m.type === 'float').map(([n, m]) => `sites/${SITE}/devices/${device}/measurements/${n}/${m.unit}`);
  const page = await browser.context.newPage();
  await page.goto(`${info.hmi_url}/#/device/${device}`);
  await page.waitForSelector('table.measurements .value[data-freshness="live"]', { timeout: 60_000 });
  await sleep(3000); // charts and history loaded
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const client = mqtt.connect(info.mqtt_url);
  await new Promise((r) => client.on('connect', r));
  const before = await metric();
  const msgs0 = await page.evaluate(() => window.__ems.bus.store.diagnostics().messages);
  const t0 = Date.now();
  let sent = 0;
  while (Date.now() - t0 < SECONDS * 1000) {
    const due = Math.floor(((Date.now() - t0) / 1000) * RATE);
    for (; sent < due; sent++) {
      const topic = floats[sent % floats.length];
      client.publish(topic, JSON.stringify({ ts: new Date().toISOString(), value: Math.round(Math.random() * 1e6) / 100 }), { qos: 0, retain: false });
    }
    await sleep(5);
  }
  await sleep(500);
  const wall = (Date.now() - t0) / 1000;
  const after = await metric();
  const msgs1 = await page.evaluate(() => window.__ems.bus.store.diagnostics().messages);
  client.end(true);
  results.device_page = {
    messages_sent: sent, rate_per_s: Math.round(sent / SECONDS), messages_received_by_page: msgs1 - msgs0,
    main_thread_busy_pct: Math.round((100 * (after.TaskDuration - before.TaskDuration)) / wall * 10) / 10,
    script_pct: Math.round((100 * (after.ScriptDuration - before.ScriptDuration)) / wall * 10) / 10,
    layout_count: after.LayoutCount - before.LayoutCount, topics: floats.length,
  };
  await page.close();

  // 3. module browser for a 500-device DTM
  const dtm = JSON.parse(readFileSync(join(ROOT, 'deploy/demo/dtm.json'), 'utf8'));
  const current = await (await fetch(`${info.device_api_url}/topology`)).json();
  for (const [id, d] of Object.entries(current.dtm.devices)) dtm.devices[id].connection = d.connection; // the suite's free ports
  let n = Object.keys(dtm.devices).length;
  for (let i = 5; n < 500; i++, n++) {
    const tpl = i % 2 ? 'gpu_node' : 'pdu';
    const id = `${tpl}_${i}`;
    dtm.devices[id] = { device_id: id, template: tpl, parent: 'compute_module_1', display_name: `${tpl === 'pdu' ? 'PDU' : 'GPU Node'} ${i}`,
      connection: { host: 'PROVISIONED_AT_COMMISSIONING', port: 'PROVISIONED_AT_COMMISSIONING', unit_id: null }, extra_measurements: null };
  }
  const posted = await fetch(`${info.device_api_url}/topology`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${info.api_token}` }, body: JSON.stringify(dtm),
  });
  if (posted.status !== 201) throw new Error(`POST /topology: ${posted.status} ${await posted.text()}`);
  // the tree opens its roots: rows for the roots and their children
  const depth = (id) => (dtm.devices[id].parent ? 1 + depth(dtm.devices[id].parent) : 0);
  const rows = Object.keys(dtm.devices).filter((id) => depth(id) <= 1).length;
  const modules = [];
  for (let i = 0; i < 5; i++) {
    const p = await browser.context.newPage();
    await p.goto(`${info.hmi_url}/#/modules`);
    await p.waitForFunction((count) => document.querySelectorAll('.tree [data-device]').length >= count, rows, { timeout: 60_000, polling: 'raf' });
    modules.push(await p.evaluate(() => performance.now()));
    await p.close();
  }
  results.module_browser_500_ms = median(modules);
  results.module_browser_devices = n;
  results.module_browser_rows = rows;
} finally {
  await browser.stop();
  await suite.stop();
}
console.log(JSON.stringify(results, null, 2));
console.log(`overview first render: ${results.overview_first_render_ms?.toFixed(0)} ms (median of 5)`);
if (results.device_page) console.log(`device page at ${results.device_page.rate_per_s} msg/s: main thread ${results.device_page.main_thread_busy_pct}% busy, ${results.device_page.messages_received_by_page} of ${results.device_page.messages_sent} messages received`);
if (results.module_browser_500_ms) console.log(`module browser, ${results.module_browser_devices} devices (${results.module_browser_rows} rows open): ${results.module_browser_500_ms.toFixed(0)} ms (median of 5)`);
