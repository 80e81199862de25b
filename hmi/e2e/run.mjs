// The HMI's end-to-end tests (ctest hmi_e2e): the built bundle served by ems-hmi, in chromium,
// against the real suite. Each test prints PASS/FAIL with its reason; the exit code is the number
// of failures (0 = all passed). EMS_HMI_SCREENSHOTS=<folder> also writes the page screenshots.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import mqtt from 'mqtt';
import { startBrowser, startSuite } from './suite.mjs';

const SITE = 'demo_site';
const RACK = 'bess_rack_1';
const rackPowerTopic = `sites/${SITE}/devices/${RACK}/measurements/active_power/watts`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, timeoutMs = 30_000, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${last.message}` : ''}`);
}
const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const suite = await startSuite();
const { info } = suite;
console.log(`suite up: hmi ${info.hmi_url}, device-api ${info.device_api_url}, historian ${info.historian_running ? info.historian_url : 'MISSING'}, analyst ${info.analyst_running ? info.analyst_url : `MISSING (${info.analyst_missing})`}`);
const browser = await startBrowser();
const page = await browser.context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
const go = async (hash) => { await page.goto(`${info.hmi_url}/#/${hash}`); await page.waitForSelector('main'); };
const storeValue = (topic) => page.evaluate((t) => window.__ems?.bus.store.get(t)?.value ?? null, topic);
const subscribed = () => page.evaluate(() => window.__ems.bus.subscribedTopics());

// A plain MQTT client beside the browser: sees what the HMI publishes.
const watcher = mqtt.connect(info.mqtt_url.replace(/^mqtt:/, 'mqtt:'), { reconnectPeriod: 500 });
const published = [];
watcher.on('message', (topic, payload) => published.push({ topic, payload: payload.toString() }));
await new Promise((r) => watcher.on('connect', r));
await new Promise((r) => watcher.subscribe(`sites/${SITE}/devices/+/commands/#`, { qos: 1 }, r));

const results = [];
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e.stack || e.message}`);
  }
}

await test('overview shows live values that change, subscribed to what it shows only', async () => {
  await go('overview');
  await page.waitForSelector('[data-kpi] .value[data-freshness="live"]', { timeout: 60_000 });
  const read = () => page.$$eval('[data-kpi] .value', (els) => els.map((e) => `${e.getAttribute('data-topic')}=${e.textContent}`).join('|'));
  const first = await read();
  await until('a KPI value to change', async () => (await read()) !== first, 60_000, 500);
  const topics = await subscribed();
  assert.ok(topics.length > 0);
  assert.ok(!topics.some((t) => t.includes('#') || t.includes('+')), `wildcard subscription: ${topics.filter((t) => /[#+]/.test(t))}`);
  assert.ok(topics.every((t) => t.startsWith(`sites/${SITE}/devices/`)), 'only device topics');
  // the header knows each service's liveness (services/+/status, retained)
  await until('the gateway and device-api ONLINE', () => page.evaluate(() => {
    const s = window.__ems.bus.services();
    return s.gateway === 'ONLINE' && s['device-api'] === 'ONLINE';
  }));
  assert.equal(await page.locator('[data-services-offline]').count(), 0);
  // a KPI without data (line loading: line-controller is not in this suite) shows the dash, never 0
  const missing = await page.$$eval('.value[data-freshness="missing"] .value-text', (els) => els.map((e) => e.textContent));
  assert.ok(missing.every((t) => t === '—'), `missing values shown as ${missing}`);
});

await test('single-line diagram has a live value on every bound device', async () => {
  await go('sld');
  await page.waitForSelector('.sld-host svg g[id^="device-"]', { timeout: 30_000 });
  const bound = await page.$$eval('.sld-host text.hmi-live', (els) => els.map((e) => e.getAttribute('data-live-device')));
  const drawn = await page.$$eval('.sld-host svg g[id^="device-"]', (els) => els.map((e) => e.id.slice(7)));
  assert.ok(bound.length >= drawn.length - 1 && bound.length > 10, `bound ${bound.length} of ${drawn.length} devices`);
  const emptyDevices = () => page.$$eval('.sld-host text.hmi-live', (els) => els.filter((e) => e.getAttribute('data-has-value') !== 'true').map((e) => e.getAttribute('data-live-device')));
  try {
    // generous: under load the gateway's first successful read of a slow endpoint can take a while
    await until('a value on every bound device', async () => (await emptyDevices()).length === 0, 120_000, 500);
  } catch {
    // Say whose fault it is: the HMI's binding, or no value on the bus at all.
    const empty = await emptyDevices();
    const detail = await page.evaluate((ids) => {
      const b = window.__ems.bus;
      return ids.map((id) => ({ id, topics: b.subscribedTopics().filter((t) => t.includes(`/${id}/`)), values: b.subscribedTopics().filter((t) => t.includes(`/${id}/`)).map((t) => `${t.split('/')[5]}=${JSON.stringify(b.store.get(t)?.value ?? null)}`) }));
    }, empty);
    const onBus = new Set();
    const probe = mqtt.connect(info.mqtt_url);
    await new Promise((r) => probe.on('connect', r));
    probe.on('message', (t, p) => { if (p.length) onBus.add(t); });
    await new Promise((r) => probe.subscribe(detail.flatMap((d) => d.topics), { qos: 0 }, r));
    await sleep(1500);
    probe.end(true);
    throw new Error(`no value on ${detail.map((d) => `${d.id} (page: ${d.values.join(' ')}; retained on the broker: ${d.topics.filter((t) => onBus.has(t)).map((t) => t.split('/')[5]).join(' ') || 'nothing'})`).join('; ')}`);
  }
  const flows = await page.$$eval('.sld-host polyline.flow', (els) => els.length);
  assert.ok(flows > 0, 'some wire animates its power flow');
  const animation = () => page.$eval('.sld-host polyline.flow', (e) => getComputedStyle(e).animationName);
  assert.equal(await animation(), 'flow');
  // prefers-reduced-motion: no animation, static arrows beside the values instead
  await page.emulateMedia({ reducedMotion: 'reduce' });
  try {
    assert.equal(await animation(), 'none');
    const arrows = await page.$$eval('.sld-host tspan.flow-arrow', (els) => els.filter((e) => getComputedStyle(e).display !== 'none' && /[▲▼]/.test(e.textContent)).length);
    assert.ok(arrows > 0, 'static arrows shown');
  } finally {
    await page.emulateMedia({ reducedMotion: null });
  }
});

await test('an out-of-bounds setpoint cannot be sent', async () => {
  await go(`device/${RACK}`);
  const form = page.locator('form[data-command="set_active_power"]');
  await form.locator('input').fill('5000000');
  await until('the bound check message', async () => (await form.locator('[data-check="error"]').textContent())?.includes('Above the maximum'));
  assert.equal(await form.locator('button[type="submit"]').isDisabled(), true, 'Review button disabled');
  await form.locator('input').press('Enter');
  await sleep(1500);
  assert.equal(await form.locator('.confirm').count(), 0, 'no confirmation step');
  assert.equal(published.filter((p) => p.topic.includes(`/${RACK}/commands/`)).length, 0, 'nothing published');
});

await test('a BESS setpoint goes from confirm to done and the rack power follows', async () => {
  await go(`device/${RACK}`);
  await until('the rack power value', () => storeValue(rackPowerTopic).then((v) => v !== null), 60_000);
  const setpoint = 250000;
  const form = page.locator('form[data-command="set_active_power"]');
  await form.locator('input').fill(String(setpoint));
  await form.locator('button[type="submit"]').click();
  const dialog = form.locator('.confirm');
  await dialog.waitFor();
  assert.match(await dialog.locator('[data-confirm="new"]').textContent(), /250 kW/);
  assert.notEqual(await dialog.locator('[data-confirm="current"]').textContent(), '');
  await dialog.getByRole('button', { name: 'Confirm and send' }).click();
  const item = page.locator('.command-log li').first();
  await until('the command to be done', async () => {
    const state = await item.getAttribute('data-state');
    if (['rejected', 'failed', 'timeout', 'error'].includes(state)) throw new Error(`ended ${state}: ${await item.textContent()}`);
    return state === 'done';
  }, 30_000);
  const states = await item.locator('.ack-states').textContent();
  assert.equal(states, 'sent → received → accepted → done');
  const id = await item.getAttribute('data-command-id');
  const sent = published.find((p) => p.topic === `sites/${SITE}/devices/${RACK}/commands/set/active_power/watts`);
  assert.ok(sent, 'the command was on the bus');
  assert.equal(JSON.parse(sent.payload).command_id, id);
  assert.equal(JSON.parse(sent.payload).value, setpoint);
  await until('the rack power to follow the setpoint', async () => {
    const v = await storeValue(rackPowerTopic);
    return typeof v === 'number' && Math.abs(v - setpoint) <= 0.02 * setpoint;
  }, 30_000);
  // the commands page lists it among this session's commands
  await go(`commands/${RACK}`);
  await page.locator('form[data-command="set_active_power"]').waitFor();
  assert.match(await page.locator(`[aria-labelledby="session-h"] li[data-command-id="${id}"]`).textContent(), /done - the device confirmed/);
});

await test('a device chart renders history', async () => {
  if (!info.historian_running) throw new Error(`the historian binary ${info.historian_missing} is missing: build ems-historian (services/historian)`);
  await go(`device/${RACK}`);
  const chart = page.locator('figure.chart[data-chart="active_power"]');
  await chart.scrollIntoViewIfNeeded();
  await until('history points in the chart', async () => {
    await chart.getByRole('button', { name: '15 min' }).click();
    await until('the chart to load', async () => (await chart.getAttribute('data-status')) !== 'loading', 15_000);
    if ((await chart.getAttribute('data-status')) === 'error') throw new Error(await chart.locator('.error').textContent());
    return Number(await chart.getAttribute('data-points')) > 0;
  }, 90_000, 3000);
  assert.equal(await chart.locator('canvas').count() > 0, true, 'uPlot drew a canvas');
});

// The chat page: ask, wait for the streamed answer to finish; returns the answer element.
async function askChat(question) {
  if (!info.analyst_running) throw new Error(`the analyst is not running: ${info.analyst_missing} (build ems-analyst, services/analyst)`);
  await go('chat');
  const before = await page.locator('.msg.assistant').count();
  await page.locator('#chat-q').fill(question);
  await page.getByRole('button', { name: 'Ask' }).click();
  const answer = page.locator('.msg.assistant').nth(before);
  await until('the answer to finish', async () => {
    const st = await answer.getAttribute('data-status');
    if (st === 'error') throw new Error(`the chat shows an error: ${await answer.textContent()}`);
    return st === 'done';
  }, 90_000);
  return answer;
}

const SOC_DEVICE = 'bess_module_1';
const socCell = () => page.locator(`.page.device[data-device="${SOC_DEVICE}"] tr[data-measurement="state_of_charge"] .value[data-freshness="live"]`);
const readSoc = async () => {
  await socCell().waitFor({ timeout: 60_000 });
  const text = await socCell().locator('.value-text').textContent();
  const n = Number(text.replace(/[^0-9.-]/g, ''));
  assert.ok(/%$/.test(text.trim()) && Number.isFinite(n), `state of charge shown as ${text}`);
  const topic = await socCell().getAttribute('data-topic');
  // the value behind the text (the page rounds to 3-4 significant digits)
  return { text, value: n, raw: await storeValue(topic), topic };
};

await test("the chat answers the battery's state of charge with the live value, and its source opens the device page", async () => {
  if (!info.analyst_running) throw new Error(`the analyst is not running: ${info.analyst_missing}`);
  await go(`device/${SOC_DEVICE}`);
  const shown = await readSoc();
  // every sample on the bus meanwhile: the largest step between two is one update interval's change
  const seen = [];
  const onMsg = (t, p) => { if (t === shown.topic && p.length) seen.push(JSON.parse(p.toString())); };
  watcher.on('message', onMsg);
  await new Promise((r) => watcher.subscribe(shown.topic, { qos: 0 }, r));
  try {
    const answer = await askChat("what is the battery's state of charge?");
    const text = await answer.locator('[data-answer]').textContent();
    assert.match(text, /^No language model is configured/, 'the no-LLM answer says so');
    assert.equal(await answer.getAttribute('data-mode'), 'no_llm');
    assert.ok(await answer.locator('[data-note="no-llm"]').isVisible(), 'the no-LLM note is shown');
    const m = /state_of_charge = (-?[0-9.]+) percent at (\S+?);/.exec(text);
    assert.ok(m, `no state of charge in the answer: ${text}`);
    const said = Number(m[1]);
    const age = Date.now() - Date.parse(m[2]);
    assert.ok(age >= -2000 && age < 30_000, `the answer's value is ${age / 1000} s old (${m[2]})`);
    // back on the device page through the answer's source link
    const link = answer.locator(`[data-link-kind="device"] a[href="#/device/${SOC_DEVICE}"]`);
    assert.equal(await link.count(), 1, `a device source link: ${await answer.locator('.sources').textContent()}`);
    await link.click();
    await page.waitForSelector(`.page.device[data-device="${SOC_DEVICE}"]`);
    assert.equal(new URL(page.url()).hash, `#/device/${SOC_DEVICE}`);
    const after = await readSoc();
    let step = 0;
    for (let i = 1; i < seen.length; i++) step = Math.max(step, Math.abs(seen[i].value - seen[i - 1].value));
    // the page rounds to 2 decimals (e.g. "55.23 %"), the answer too
    // the answer rounds to 2 decimals; the page's text is that value rounded again
    const lo = Math.min(shown.raw, after.raw) - step - 0.005, hi = Math.max(shown.raw, after.raw) + step + 0.005;
    assert.ok(said >= lo && said <= hi, `the answer says ${said} %, the device page showed ${shown.text} (${shown.raw}) before and ${after.text} (${after.raw}) after (largest step on the bus ${step})`);
    assert.ok(Math.abs(said - shown.value) <= step + Math.abs(shown.raw - shown.value) + 0.005 || Math.abs(said - after.value) <= step + Math.abs(after.raw - after.value) + 0.005, `the answer's ${said} % is not the ${shown.text} / ${after.text} shown`);
    console.log(`  answer ${said} % (age ${(age / 1000).toFixed(1)} s), device page ${shown.text} (${shown.raw}) -> ${after.text} (${after.raw}), ${seen.length} samples on the bus, largest step ${step}`);
    // the conversation is still there when the operator comes back
    await page.goBack();
    await page.waitForSelector('.page.chat .msg.assistant[data-status="done"]');
  } finally {
    watcher.removeListener('message', onMsg);
    watcher.unsubscribe(shown.topic);
  }
});

await test('the chat shows a series source as a chart, and says when the analyst is unreachable', async () => {
  const answer = await askChat('what did the pv inverter do over the last 24 hours?');
  const fig = answer.locator('figure[data-series="pv_inverter_1/active_power"]');
  await fig.waitFor({ timeout: 15_000 });
  await until('the series chart', async () => (await fig.getAttribute('data-status')) !== 'loading', 30_000);
  assert.equal(await fig.getAttribute('data-status'), 'ok', await fig.textContent());
  assert.ok(Number(await fig.getAttribute('data-points')) > 0, 'history points');
  assert.ok(await fig.locator('canvas').count() > 0, 'drawn');
  assert.equal(await answer.locator('[data-link-kind="chart"] a[href="#/device/pv_inverter_1/active_power"]').count(), 1);
  // the analyst unreachable (its requests fail in the browser): the answer says so, no page error
  await page.route(`${info.analyst_url}/**`, (r) => r.abort('connectionrefused'));
  try {
    await page.locator('#chat-q').fill('what is the battery state of charge?');
    await page.getByRole('button', { name: 'Ask' }).click();
    const failed = page.locator('.msg.assistant').last();
    await until('the unreachable state', async () => (await failed.getAttribute('data-status')) === 'error', 15_000);
    assert.equal(await failed.locator('[data-error]').getAttribute('data-error'), 'unreachable');
    assert.match(await failed.textContent(), /Analyst unreachable/);
  } finally {
    await page.unroute(`${info.analyst_url}/**`);
  }
});

await test('the overview shows the forecast the analyst serves, or says there is no model yet', async () => {
  if (!info.analyst_running) throw new Error(`the analyst is not running: ${info.analyst_missing}`);
  await go('overview');
  for (const target of ['site_pv', 'site_load']) {
    const fig = page.locator(`figure[data-forecast="${target}"]`);
    await fig.waitFor({ timeout: 30_000 });
    await until(`the ${target} forecast`, async () => (await fig.getAttribute('data-status')) !== 'loading', 30_000);
    const r = await fetch(`${info.analyst_url}/forecast?target=${target}`);
    const status = await fig.getAttribute('data-status');
    if (r.status === 404) {
      assert.equal(status, 'none', `the analyst answers 404, the page shows ${status}: ${await fig.textContent()}`);
      assert.match(await fig.locator('[data-note="no-model"]').textContent(), new RegExp(`No forecast model yet for ${target}`));
      assert.equal(await fig.locator('canvas').count(), 0, 'no line without a model');
    } else {
      assert.equal(r.status, 200);
      const body = await r.json();
      assert.equal(status, 'ok');
      assert.match(await fig.locator('[data-model]').textContent(), new RegExp(`${body.model.name} v${body.model.version}`));
      assert.ok(await fig.locator('canvas').count() > 0);
    }
    console.log(`  ${target}: analyst ${r.status}, page ${status}`);
  }
});

await test('a forecast in an answer is drawn with its model name and version', async () => {
  if (!info.analyst_running) throw new Error(`the analyst is not running: ${info.analyst_missing}`);
  // a real champion: the ERCOT system load, where gbt beats persistence (README "analyst")
  const t0 = Date.now();
  const r = await fetch(`${info.analyst_url}/models/train`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${info.api_token}` }, body: JSON.stringify({ target: 'system_load' }),
  });
  const text = await r.text();
  assert.equal(r.status, 201, `POST /models/train: ${r.status} ${text}`);
  const trained = JSON.parse(text);
  console.log(`  trained system_load in ${((Date.now() - t0) / 1000).toFixed(1)} s, promoted ${trained.promoted}`);
  const f = await fetch(`${info.analyst_url}/forecast?target=system_load`);
  const answer = await askChat('what is the ercot load forecast?');
  assert.equal(await answer.locator('[data-link-kind="forecast"]').count(), 1, await answer.locator('.sources').textContent());
  const fig = answer.locator('figure[data-forecast="system_load"]');
  await fig.waitFor({ timeout: 15_000 });
  await until('the forecast panel', async () => (await fig.getAttribute('data-status')) !== 'loading', 30_000);
  if (f.status === 404) {
    // not promoted: the page must say so and draw nothing
    assert.equal(await fig.getAttribute('data-status'), 'none');
    assert.equal(await fig.locator('canvas').count(), 0);
    return;
  }
  assert.equal(f.status, 200);
  const body = await f.json();
  assert.equal(await fig.getAttribute('data-status'), 'ok', await fig.textContent());
  const label = await fig.locator('[data-model]').textContent();
  assert.ok(label.includes(`${body.model.name} v${body.model.version} (id ${body.model.id})`), `model label ${label}`);
  assert.ok(await fig.locator('canvas').count() > 0, 'the forecast is drawn');
  assert.match(await answer.locator('[data-answer]').textContent(), new RegExp(`by model ${body.model.name} v${body.model.version}`));
});

if (process.env.EMS_HMI_SCREENSHOTS) {
  await test('screenshots', async () => {
    const dir = process.env.EMS_HMI_SCREENSHOTS;
    mkdirSync(dir, { recursive: true });
    for (const [w, h, tag] of [[1440, 900, 'desktop'], [390, 844, 'phone']]) {
      await page.setViewportSize({ width: w, height: h });
      for (const [hash, name, ready] of [
        ['overview', 'overview', '[data-kpi] .value[data-freshness="live"]'],
        ['modules', 'modules', '[data-device="bess_module_1"]'],
        [`device/${RACK}`, 'device', 'figure.chart[data-status="ok"]'],
        ['sld', 'sld', '.sld-host text.hmi-live[data-has-value="true"]'],
        [`commands/${RACK}`, 'commands', 'form[data-command="set_active_power"]'],
        ['chat', 'chat', '.msg.assistant[data-status="done"] [data-answer]'],
      ]) {
        if (name === 'chat') {
          // a fresh conversation with an answer that has a series source
          await go('chat');
          const clear = page.getByRole('button', { name: 'New conversation' });
          if (await clear.count()) await clear.click();
          await askChat('what did the pv inverter do over the last 24 hours?');
          await page.waitForSelector('.msg.assistant figure[data-series][data-status="ok"] canvas', { timeout: 30_000 }).catch(() => {});
        } else {
          await go(hash);
        }
        await page.waitForSelector(ready, { timeout: 60_000 }).catch(() => {});
        await sleep(1500);
        await page.screenshot({ path: `${dir}/${name}-${tag}.png` });
      }
    }
  });
}

await test('a faulted device is shown offline', async () => {
  const device = 'pv_inverter_1';
  const r = await fetch(`${info.fixtures_url}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ device_id: device, kind: 'silent' }) });
  assert.equal(r.status, 204, `POST /faults: ${r.status} ${await r.text()}`);
  try {
    await go(`device/${device}`);
    await page.waitForSelector('h1 [data-comm="OFFLINE"]', { timeout: 60_000 });
    await page.waitForSelector('.banner.offline');
    const fresh = await page.$$eval('table.measurements .value', (els) => els.map((e) => e.getAttribute('data-freshness')));
    assert.ok(fresh.length > 0 && fresh.every((f) => f === 'offline' || f === 'missing'), `freshness ${fresh}`);
    await go('overview');
    await page.waitForSelector(`[data-offline="${device}"]`, { timeout: 10_000 });
  } finally {
    await fetch(`${info.fixtures_url}/faults`, { method: 'DELETE' });
  }
});

await test('a device added through device-api appears without a reload, and goes when removed', async () => {
  await go('modules');
  await page.waitForSelector('[data-device="bess_module_1"]');
  await page.evaluate(() => { window.__noReload = true; });
  assert.equal(await page.locator('[data-device="bess_rack_3"]').count(), 0);
  const device = { device_id: 'bess_rack_3', template: 'bess_rack', parent: 'bess_module_1', display_name: 'BESS Rack 3',
    connection: { host: '127.0.0.1', port: await freePort(), unit_id: '1' } };
  const r = await fetch(`${info.device_api_url}/devices`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${info.api_token}` }, body: JSON.stringify(device),
  });
  assert.equal(r.status, 201, `POST /devices: ${r.status} ${await r.text()}`);
  await page.waitForSelector('[data-device="bess_rack_3"]', { timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
  const commTopic = `sites/${SITE}/devices/bess_rack_3/measurements/comm_status/none`;
  await until('the new rack comm_status subscription', async () => (await subscribed()).includes(commTopic));
  // and removed again: the row goes, and so does its subscription
  const d = await fetch(`${info.device_api_url}/devices/bess_rack_3`, { method: 'DELETE', headers: { authorization: `Bearer ${info.api_token}` } });
  assert.equal(d.status, 200, `DELETE /devices/bess_rack_3: ${d.status} ${await d.text()}`);
  await page.waitForSelector('[data-device="bess_rack_3"]', { state: 'detached', timeout: 30_000 });
  await until('the rack comm_status unsubscribed', async () => !(await subscribed()).includes(commTopic));
  assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
});

await test('no page error and no bad payload', async () => {
  assert.deepEqual(pageErrors, []);
  const rejected = await page.$eval('[data-diag="rejected"]', (e) => Number(e.textContent));
  assert.equal(rejected, 0, 'payloads ignored by the diagnostics panel');
});

await test('a bad payload is ignored and counted, the page stays up', async () => {
  await go(`device/${RACK}`);
  await page.waitForSelector('table.measurements .value[data-freshness="live"]', { timeout: 30_000 });
  const before = await storeValue(rackPowerTopic);
  await new Promise((r) => watcher.publish(rackPowerTopic, '{"ts":"yesterday","value":"lots"}', { qos: 1 }, r));
  await page.locator('.diagnostics summary').click();
  await until('the diagnostics counter', async () => Number(await page.$eval('[data-diag="rejected"]', (e) => e.textContent)) >= 1);
  assert.match(await page.locator('.diagnostics').textContent(), /ts is not an RFC 3339 UTC timestamp/);
  assert.equal(typeof (await storeValue(rackPowerTopic)), typeof before, 'the last good value is kept');
  assert.ok(await page.locator('table.measurements').isVisible());
  assert.deepEqual(pageErrors, []);
});

watcher.end(true);
await browser.stop();
await suite.stop();
const failed = results.filter((r) => !r.ok).length;
console.log(`hmi e2e: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed);
