// Starts tauri-driver (which starts WebKitWebDriver, which starts the app) on a throwaway
// vault, and stops it with SIGTERM so WebKitWebDriver is never orphaned on its port. Any
// process of that launch still alive after (an app the driver did not close) is stopped too:
// it would hold the test runner's output pipe open, and the suite would never end.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** The processes started with `BAOMI_VAULT=vault` in their environment (one launch's). */
function launched(vault) {
  const mark = `BAOMI_VAULT=${vault}`;
  const out = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(mark)) out.push(Number(p));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

/** Stops what is left of one launch: SIGTERM, then SIGKILL after 5 s. */
async function reap(vault) {
  for (const signal of ['SIGTERM', 'SIGKILL']) {
    const left = launched(vault);
    if (left.length === 0) return;
    for (const pid of left) {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
    const deadline = Date.now() + 5000;
    while (launched(vault).length > 0 && Date.now() < deadline) await sleep(100);
  }
}

/** Whether a WebDriver server answers at `base`. */
async function answers(base) {
  try {
    return (await fetch(`${base}/status`)).ok;
  } catch {
    return false;
  }
}

export async function launch({ port = 4444, prepare } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const base = `http://127.0.0.1:${port}`;
  // A driver left on the port by a run that crashed would take this run's session and start
  // the app on that run's display (long gone): say so instead of failing obscurely.
  if (await answers(base)) {
    throw new Error(`port ${port} is held by another WebDriver server (an earlier run's tauri-driver?): stop it first`);
  }
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
  const stopDriver = async () => {
    if (driver.exitCode === null && driver.signalCode === null) {
      driver.kill('SIGTERM');
      await new Promise((r) => driver.once('exit', r));
    }
    await reap(vault);
    // The run's vault, clock and data directory go with it (a copied 1,000,000-carrier vault
    // is 2 GB).
    rmSync(home, { recursive: true, force: true });
  };
  let wd;
  let started;
  try {
    const deadline = Date.now() + 20000;
    while (!(await answers(base))) {
      if (driver.exitCode !== null) throw new Error(`tauri-driver exited (${driver.exitCode})`);
      if (Date.now() > deadline) throw new Error('tauri-driver did not start');
      await sleep(100);
    }
    started = performance.now();
    wd = await WebDriver.start(base, APP);
  } catch (e) {
    await stopDriver();
    throw e;
  }
  return {
    wd,
    started,
    vault,
    /** Sets the app's clock (RFC 3339, e.g. 2026-11-25T02:00:00Z). */
    setClock: (iso) => writeFileSync(clockFile, iso),
    driverPid: driver.pid,
    async stop() {
      try {
        await wd.quit();
      } finally {
        await stopDriver();
      }
    },
  };
}
