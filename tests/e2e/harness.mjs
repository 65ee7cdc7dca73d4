// Starts tauri-driver (which starts WebKitWebDriver, which starts the app) on a throwaway
// vault, and stops it with SIGTERM so WebKitWebDriver is never orphaned on its port.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebDriver, sleep } from './webdriver.mjs';

export const ROOT = resolve(import.meta.dirname, '../..');
export const APP = process.env.BAOMI_E2E_APP ?? join(ROOT, 'target/debug/baomi-desktop');
export const SHOTS = join(ROOT, 'target/e2e-screenshots');

/** `prepare(vaultDir)` may create the vault before the app starts (else: first-run wizard). */
/** Creates a vault with the CLI (cheapest allowed key derivation) and the usual accounts. */
export function cliVault(vault) {
  execFileSync(join(ROOT, 'target/debug/baomi'), [
    '--vault', vault, 'init', '--unit', '某某市国家保密局', '--admin', 'sysadm', '--secadmin', 'secadm',
    '--auditor', 'audit1', '--officer', 'wangwu', '--officer-display', '王五',
    '--kdf-memory-mib', '64', '--kdf-iterations', '1',
  ], {
    env: { ...process.env, BAOMI_ADMIN_PASSWORD: 'Admin#12345', BAOMI_SECADMIN_PASSWORD: 'Secad#12345', BAOMI_AUDITOR_PASSWORD: 'Audit#12345', BAOMI_OFFICER_PASSWORD: 'Offic#12345' },
  });
}

export async function launch({ port = 4444, prepare } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const home = mkdtempSync(join(tmpdir(), 'baomi-e2e-'));
  const vault = join(home, 'vault');
  if (prepare) await prepare(vault);
  // The test build reads its clock from this file when it exists (tests write to it).
  const clockFile = join(home, 'now');
  const env = { ...process.env, BAOMI_VAULT: vault, BAOMI_TEST_CLOCK_FILE: clockFile, XDG_DATA_HOME: join(home, 'data'), HOME: home };
  const driver = spawn('tauri-driver', ['--port', String(port), '--native-port', String(port + 1)], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      const r = await fetch(`${base}/status`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('tauri-driver did not start');
    await sleep(100);
  }
  const started = performance.now();
  const wd = await WebDriver.start(base, APP);
  return {
    wd,
    started,
    vault,
    /** Sets the app's clock (RFC 3339, e.g. 2026-11-25T02:00:00Z). */
    setClock: (iso) => writeFileSync(clockFile, iso),
    driverPid: driver.pid,
    async stop() {
      await wd.quit();
      driver.kill('SIGTERM');
      await new Promise((r) => (driver.exitCode !== null ? r() : driver.once('exit', r)));
    },
  };
}
