// End-to-end: the real desktop binary, driven through WebKitWebDriver under Xvfb.
// One app launch walks a secrecy office's first day: setup, each role's view, lockout,
// idle lock, and the auditor checking it all. Every screen is saved as a screenshot.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch } from './harness.mjs';
import { input, steps, tid } from './steps.mjs';
import { ELEMENT, Keys, sleep } from './webdriver.mjs';

const ACCOUNTS = {
  admin: ['sysadm', '李系统', 'Admin#12345'],
  secadmin: ['secadm', '赵安全', 'Secad#12345'],
  auditor: ['audit1', '钱审计', 'Audit#12345'],
  officer: ['wangwu', '王五', 'Offic#12345'],
};


describe('保密台账 desktop window', { timeout: 240000 }, () => {
  let app;
  let wd;
  const { shot } = steps(() => wd, 'app', { settle: 0 });

  before(async () => {
    app = await launch();
    wd = app.wd;
  });

  after(async () => {
    await app?.stop();
  });

  async function login(role, password = ACCOUNTS[role][2]) {
    const user = await wd.find(input('login-user'), 20000);
    await user.fill(ACCOUNTS[role][0]);
    const pw = await wd.find(input('login-password'));
    await pw.fill(password);
    await pw.type(Keys.Enter);
  }

  async function navKeys() {
    await wd.find(tid('topbar-user'), 15000);
    const items = await wd.findAll('[data-testid^="nav-"]');
    const keys = [];
    for (const it of items) {
      keys.push(await wd.execute('return arguments[0].getAttribute("data-testid")', [{ [ELEMENT]: it.id }]));
    }
    return keys.map((k) => k.replace(/^nav-/, ''));
  }

  async function lock() {
    await (await wd.find(tid('lock-button'))).click();
    await wd.find(input('login-user'), 10000);
  }

  it('first run walks through creating the vault', async () => {
    await (await wd.find(input('setup-unit'), 30000)).fill('某某市国家保密局');
    await shot('01-setup-unit');
    await (await wd.find(tid('setup-next'))).click();
    for (const role of ['admin', 'secadmin', 'auditor']) {
      const [name, display, pw] = ACCOUNTS[role];
      await (await wd.find(input(`setup-${role}-name`))).fill(name);
      await (await wd.find(input(`setup-${role}-display`))).fill(display);
      await (await wd.find(input(`setup-${role}-password`))).fill(pw);
      await (await wd.find(input(`setup-${role}-password2`))).fill(pw);
    }
    await shot('02-setup-administrators');
    await (await wd.find(tid('setup-next'))).click();
    const [name, display, pw] = ACCOUNTS.officer;
    await (await wd.find(input('setup-officer-name'))).fill(name);
    await (await wd.find(input('setup-officer-display'))).fill(display);
    await (await wd.find(input('setup-officer-password'))).fill(pw);
    await (await wd.find(input('setup-officer-password2'))).fill(pw);
    await shot('03-setup-officer');
    await (await wd.find(tid('setup-next'))).click();
    await shot('04-setup-confirm');
    await (await wd.find(tid('setup-submit'))).click();
    // The recovery code is shown once: 14 groups of 4, to be written down and sealed.
    const code = await (await wd.find(tid('setup-recovery-code'), 30000)).text();
    assert.match(code.trim(), /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){13}$/);
    await shot('04b-setup-recovery-code');
    await (await wd.find(tid('setup-recovery-done'))).click();
    await wd.find(input('login-user'), 30000);
    await shot('05-login');
  });

  it('each role sees only its own navigation', async () => {
    await login('officer');
    assert.deepEqual(await navKeys(), ['home', 'documents', 'devices', 'personnel', 'checkout', 'maintenance', 'stats', 'exchange']);
    const banner = await (await wd.find(tid('banner'))).text();
    assert.match(banner, /涉密计算机/);
    const user = await (await wd.find(tid('topbar-user'))).text();
    assert.match(user, /王五/);
    assert.match(user, /保密员/);
    await shot('06-officer-home');
    await lock();

    await login('admin');
    assert.deepEqual(await navKeys(), ['accounts', 'settings']);
    await (await wd.find(tid('nav-accounts'))).click();
    await sleep(1500);
    await shot('07-admin-accounts');
    const table = await wd.waitText(tid('accounts-table'), 'wangwu');
    assert.match(table, /secadm/);
    await shot('07-admin-accounts');
    await (await wd.find(tid('nav-settings'))).click();
    await wd.find(tid('policy-form'));
    await shot('08-admin-settings');
    // A backup file, checked whole, then restored into a new folder (the open vault untouched).
    const backupFile = join(app.vault, '..', 'backup.bdl');
    await (await wd.find(input('backup-path'))).fill(backupFile);
    await (await wd.find(input('backup-passphrase'))).fill('备份口令-e2e-2026');
    await (await wd.find(input('backup-passphrase-again'))).fill('备份口令-e2e-2026');
    await (await wd.find(tid('backup-button'))).click();
    const made = await wd.waitText(tid('backup-result'), '备份完成', 30000);
    assert.match(made, /vault\.keys/);
    await (await wd.find(input('restore-file'))).fill(backupFile);
    await (await wd.find(input('restore-passphrase'))).fill('备份口令-e2e-2026');
    await (await wd.find(tid('verify-backup'))).click();
    await wd.waitText(tid('restore-result'), '备份完好', 30000);
    await (await wd.find(input('restore-dest'))).fill(join(app.vault, '..', 'restored'));
    await (await wd.find(tid('restore-backup'))).click();
    await wd.waitText(tid('restore-result'), '已恢复到', 30000);
    await shot('08-admin-backup-restored');
    await lock();

    await login('auditor');
    assert.deepEqual(await navKeys(), ['audit']);
    await lock();
  });

  it('the security administrator shortens the idle timeout, and an idle session locks itself', async () => {
    await login('secadmin');
    assert.deepEqual(await navKeys(), ['accounts', 'settings']);
    await (await wd.find(tid('nav-settings'))).click();
    await (await wd.find(input('policy-idle'))).fill('5');
    await shot('09-secadmin-policy');
    await (await wd.find(tid('policy-save'))).click();
    await sleep(1000);
    await lock();

    await login('officer');
    await wd.find(tid('topbar-user'), 15000);
    // No input for longer than the timeout: the login screen comes back by itself.
    await sleep(7000);
    await wd.find(input('login-user'), 10000);
    const page = await wd.execute('return document.body.innerText');
    assert.match(page, /闲置/);
    await shot('10-idle-locked');
  });

  it('five wrong passwords lock the account with the time remaining', async () => {
    for (let i = 1; i <= 5; i++) {
      await login('officer', 'Wrong#00000');
      if (i < 5) {
        await wd.waitText(tid('login-error'), `还可尝试 ${5 - i} 次`);
      }
    }
    const msg = await wd.waitText(tid('login-error'), '已锁定');
    assert.match(msg, /15 分钟/);
    await login('officer');
    const again = await wd.waitText(tid('login-error'), '后再试');
    assert.match(again, /\d+ 分 \d+ 秒/);
    await shot('11-locked-out');
  });

  it('the auditor sees the failed logins and verifies the chain', async () => {
    await login('auditor');
    await (await wd.find(tid('nav-audit'))).click();
    const table = await wd.waitText(tid('audit-table'), '登录失败');
    assert.match(table, /账户锁定/);
    assert.match(table, /闲置自动锁定/);
    assert.match(table, /wangwu/);
    await (await wd.find(tid('audit-verify'))).click();
    const result = await wd.waitText(tid('audit-verify-result'), '完好');
    assert.match(result, /哈希链/);
    await shot('12-auditor-verified');
  });
});
