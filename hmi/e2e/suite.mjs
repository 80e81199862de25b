// Starts the suite (ems_hmi_e2e_suite from the build: real PostgreSQL, mosquitto with WebSockets,
// device-api, fixtures, gateway, historian, analyst, ems-hmi on free ports) and the browser (playwright-core
// driving Debian's chromium with a fresh profile; no browser is ever downloaded). Shared by the
// e2e tests and the benchmark.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.EMS_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

export async function startSuite(timeoutMs = 240_000) {
  const bin = process.env.EMS_HMI_E2E_SUITE;
  if (!bin) throw new Error('EMS_HMI_E2E_SUITE is not set (ctest sets it to build/tests/hmi/ems_hmi_e2e_suite)');
  if (!existsSync(bin)) throw new Error(`suite binary ${bin} does not exist: build ems_hmi_e2e_suite`);
  const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-8000); });
  const info = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`suite not ready within ${timeoutMs / 1000} s:\n${stderr}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) { clearTimeout(timer); try { resolve(JSON.parse(out.slice(0, nl))); } catch (e) { reject(e); } }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`suite exited with ${code} before it was ready:\n${stderr}`)); });
  });
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.on('exit', r));
  return {
    info,
    stderr: () => stderr,
    async stop() { child.stdin.end(); const t = setTimeout(() => child.kill('SIGKILL'), 15_000); await exited; clearTimeout(t); },
  };
}

export async function startBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (scripts/packages.txt)`);
  const profile = mkdtempSync(join(tmpdir(), 'ems-hmi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 900 },
  });
  return {
    context,
    async stop() { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

// For scripts outside hmi/ (bench/hmi), which resolve packages from here.
export { default as mqtt } from 'mqtt';
