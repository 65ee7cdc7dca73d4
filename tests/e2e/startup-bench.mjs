// `make bench`: cold start to a rendered login screen, and the app's memory after login.
// Launched through WebDriver (the time includes the driver's own start of the app).
// RSS is reported for the app process at the login screen, and after login for it alone and
// with its WebKit web/network processes.
// BAOMI_E2E_APP picks the app binary (a release build for the figures of record);
// BAOMI_STARTUP_VAULT=DIR starts each run on a copy of the vault in DIR (the documents
// bench keeps its 1,000,000-carrier vault with BAOMI_BENCH_VAULT=PARENT, in PARENT/vault)
// instead of a new empty one.

import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { APP, launch, ROOT } from './harness.mjs';
import { Keys } from './webdriver.mjs';

const RUNS = Number(process.env.BAOMI_STARTUP_RUNS ?? 5);
const CLI = join(ROOT, 'target/debug/baomi');
const KEPT = process.env.BAOMI_STARTUP_VAULT;

function rssKiB(pid, field = 'VmRSS') {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+)`));
  return m ? Number(m[1]) : 0;
}

function children(pid) {
  const out = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (ppid === pid) out.push(Number(p), ...children(Number(p)));
    } catch {
      /* process went away */
    }
  }
  return out;
}

function appPid() {
  const out = execFileSync('pgrep', ['-n', '-f', APP], { encoding: 'utf8' });
  return Number(out.trim());
}

const starts = [];
const rssLogin = [];
const rssApp = [];
const anonApp = [];
const rssAll = [];
const homes = [];
for (let i = 0; i < RUNS; i++) {
  const app = await launch({
    prepare: (vault) =>
      // The copy of a kept vault is written out before the launch (`sync`), so that its
      // 2 GB of write-back does not run during the start being timed.
      KEPT ? (cpSync(KEPT, vault, { recursive: true }), execFileSync('sync')) : execFileSync(CLI, ['--vault', vault, 'init', '--unit', '基准测试单位', '--admin', 'sysadm', '--secadmin', 'secadm', '--auditor', 'audit1', '--officer', 'wangwu'], {
        env: { ...process.env, BAOMI_ADMIN_PASSWORD: 'Admin#12345', BAOMI_SECADMIN_PASSWORD: 'Secad#12345', BAOMI_AUDITOR_PASSWORD: 'Audit#12345', BAOMI_OFFICER_PASSWORD: 'Offic#12345' },
      }),
  });
  const { wd } = app;
  try {
    await wd.find('[data-testid="login-user"] input, input[data-testid="login-user"]', 30000);
    starts.push(performance.now() - app.started);
    rssLogin.push(rssKiB(appPid()) / 1024);
    await (await wd.find('[data-testid="login-user"] input, input[data-testid="login-user"]')).fill('wangwu');
    const pw = await wd.find('[data-testid="login-password"] input, input[data-testid="login-password"]');
    await pw.fill('Offic#12345');
    await pw.type(Keys.Enter);
    await wd.find('[data-testid="topbar-user"]', 20000);
    const signedIn = performance.now();
    await wd.find('[data-testid="home-chart-canvas-level"]', 60000);
    homes.push(performance.now() - signedIn);
    await new Promise((r) => setTimeout(r, 1500));
    const pid = appPid();
    const own = rssKiB(pid);
    rssApp.push(own / 1024);
    anonApp.push(rssKiB(pid, 'RssAnon') / 1024);
    rssAll.push((own + children(pid).reduce((s, p) => s + rssKiB(p), 0)) / 1024);
  } finally {
    await app.stop();
  }
}

const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const fmt = (a, unit, digits = 0) => `median ${med(a).toFixed(digits)} ${unit} (runs: ${a.map((x) => x.toFixed(digits)).join(', ')})`;
console.log(`cold start to login screen: ${fmt(starts, 'ms')}   target < 1000 ms`);
console.log(`home screen drawn after login: ${fmt(homes, 'ms')}${KEPT ? ` (vault ${KEPT})` : ''}`);
console.log(`RSS at the login screen, app process: ${fmt(rssLogin, 'MB')}`);
console.log(`RSS after login, app process: ${fmt(rssApp, 'MB')}   target < 200 MB`);
console.log(`  of which anonymous (the app's own heap and page cache, not mapped files): ${fmt(anonApp, 'MB')}`);
console.log(`RSS after login, app + WebKit processes: ${fmt(rssAll, 'MB')}`);
