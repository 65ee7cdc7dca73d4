import { cpSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { launch } from './harness.mjs';
import { Keys } from './webdriver.mjs';
const app = await launch({ prepare: (v) => cpSync('/work/benchvault/vault', v, { recursive: true }) });
const { wd } = app;
try {
  const u = await wd.find('[data-testid="login-user"] input, input[data-testid="login-user"]', 30000);
  await u.fill('wangwu');
  const pw = await wd.find('[data-testid="login-password"] input, input[data-testid="login-password"]');
  await pw.fill('Offic#12345');
  const t = performance.now();
  await pw.type(Keys.Enter);
  await wd.find('[data-testid="topbar-user"]', 30000);
  console.log('signed in', performance.now() - t);
  for (const s of [2, 10, 30]) {
    await new Promise((r) => setTimeout(r, s * 1000));
    execFileSync('import', ['-window', 'root', `/tmp/dbg/shot-${s}.png`]);
    console.log('shot', s);
  }
} finally {
  await app.stop();
}
