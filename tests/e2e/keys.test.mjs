// End-to-end: the key model's paper and its other ways in, in the real window. The auditor
// signs a checkpoint, saves its A4 slip as a PDF and checks the log against that paper; the
// vault folder is put back to an older copy and the login screen refuses it until the auditor
// confirms the restore there; a 保密员 whose key went with a password reset signs in with the
// recovery code and rotates the register key.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, ROOT } from './harness.mjs';
import { input, steps, tid } from './steps.mjs';
import { Keys, sleep } from './webdriver.mjs';

const PASSWORDS = { sysadm: 'Admin#12345', secadm: 'Secad#12345', audit1: 'Audit#12345', wangwu: 'Offic#12345' };
const RESET = 'Reset#2026abc';

/** The CLI, with marks of its own (another installation), so it never moves the app's. */
function cli(vault, state, user, password, args, extra = {}) {
  return execFileSync(join(ROOT, 'target/debug/baomi'), ['--vault', vault, ...(user ? ['--user', user] : []), ...args], {
    env: { ...process.env, BAOMI_STATE: state, BAOMI_PASSWORD: password ?? '', ...extra },
    encoding: 'utf8',
  });
}

describe('checkpoint slip, restore and recovery in the desktop window', { timeout: 300000 }, () => {
  let app;
  let wd;
  const { shot, step, click } = steps(() => wd, 'keys', { timeout: 15000, settle: 0 });

  let recoveryCode = '';
  const home = mkdtempSync(join(tmpdir(), 'baomi-e2e-keys-'));
  const state = join(home, 'cli-state');
  const backup = join(home, 'backup');
  const pdf = join(home, '检查点单.pdf');
  /** Puts a long text into a field as pasting does (one input event): WebKitWebDriver drops
   *  keystrokes from long sends into these textareas. */
  async function paste(css, text) {
    await wd.find(css);
    await wd.execute(`const el = document.querySelector(arguments[0]);
      el.focus(); el.value = arguments[1]; el.dispatchEvent(new Event('input', { bubbles: true }));`, [css, text]);
  }

  async function login(user, password = PASSWORDS[user]) {
    await (await wd.find(input('login-user'), 20000)).fill(user);
    const pw = await wd.find(input('login-password'));
    await pw.fill(password);
    await pw.type(Keys.Enter);
  }
  async function lock() {
    await click('lock-button');
    await wd.find(input('login-user'), 10000);
  }
  /** Waits for a success message holding `needle`; a timeout names the messages shown. */
  async function successMessage(needle) {
    try {
      return await wd.until(
        () => wd.execute(`return [...document.querySelectorAll('.el-message--success')]
          .some((m) => m.innerText.includes(arguments[0]))`, [needle]),
        `the message “${needle}”`,
        30000,
      );
    } catch (e) {
      const shown = await wd.execute(`return [...document.querySelectorAll('.el-message, .el-message-box')]
        .map((m) => m.innerText.trim()).join(' | ')`).catch(() => '');
      throw new Error(`${e.message}; shown: ${JSON.stringify(shown)}`);
    }
  }
  /** Rotates this account's key from `button`: the confirmation box, then the core's answer. */
  async function rotate(button, needle) {
    await step('rotate button', () => click(button));
    const confirm = await step('rotate confirmation', () =>
      wd.find('.el-message-box__btns .el-button--primary', 10000));
    await sleep(400); // the box's fade-in
    await step('rotate confirmed', async () => {
      await confirm.click();
      await wd.until(async () => !(await wd.exists('.el-message-box__btns .el-button--primary'))
        || !(await confirm.displayed().catch(() => false)), 'the confirmation to close', 10000);
    });
    await step('key rotated', () => successMessage(needle));
  }

  before(async () => {
    app = await launch({
      port: 4470,
      prepare: (vault) => {
        const out = cli(vault, state, null, null, [
          '--json', 'init', '--unit', '某某市国家保密局', '--admin', 'sysadm', '--secadmin', 'secadm',
          '--auditor', 'audit1', '--auditor-display', '钱审计', '--officer', 'wangwu', '--officer-display', '王五',
          '--kdf-memory-mib', '64', '--kdf-iterations', '1',
        ], {
          BAOMI_ADMIN_PASSWORD: PASSWORDS.sysadm, BAOMI_SECADMIN_PASSWORD: PASSWORDS.secadm,
          BAOMI_AUDITOR_PASSWORD: PASSWORDS.audit1, BAOMI_OFFICER_PASSWORD: PASSWORDS.wangwu,
        });
        recoveryCode = JSON.parse(out).recovery_code;
      },
    });
    wd = app.wd;
  });

  after(async () => {
    await app?.stop();
  });

  let seq = 0;
  let head = '';

  it('the auditor signs a checkpoint and saves its slip as a PDF', { timeout: 120000 }, async () => {
    await login('audit1');
    await click('nav-audit');
    await wd.waitText(tid('audit-table'), '登录', 15000);
    await click('audit-checkpoint');
    await step('checkpoint dialog', () => wd.find(tid('checkpoint-dialog'), 20000));
    await sleep(600); // the dialog's fade-in
    seq = Number((await (await wd.find(tid('checkpoint-seq'))).text()).trim());
    const grouped = (await (await wd.find(tid('checkpoint-head'))).text()).trim();
    head = grouped.replace(/\s+/g, '');
    assert.ok(seq > 0, `seq ${seq}`);
    assert.match(head, /^[0-9a-f]{64}$/);
    assert.match(grouped, /^([0-9a-f]{4} ){7}[0-9a-f]{4}\n([0-9a-f]{4} ){7}[0-9a-f]{4}$/, 'grouped by four, eight a line');
    await shot('60-checkpoint-signed');

    // The preview: the slip as the core typeset it, one A4 page with its serial C<seq>.
    await click('checkpoint-preview');
    const serial = await step('slip preview', () =>
      wd.until(async () => (await (await wd.find(tid('print-serial'), 500)).text()).trim() || null, 'the slip serial', 30000));
    assert.equal(serial, `C${seq}`);
    await step('slip page', () =>
      wd.until(() => wd.execute(`return [...document.querySelectorAll('[data-testid="print-page"]')]
        .some((img) => img.complete && img.naturalWidth > 0)`), 'the slip page image', 30000));
    await shot('61-checkpoint-slip-preview');
    await click('print-close');
    await sleep(500);

    await wd.execute('window.__BAOMI_E2E_SAVE_PATH__ = arguments[0]', [pdf]);
    await click('checkpoint-save');
    await step('saved', () => successMessage(`已保存：${pdf}`));
    assert.ok(existsSync(pdf), 'the slip PDF was written');
    assert.equal(readFileSync(pdf).subarray(0, 5).toString('latin1'), '%PDF-');
    await click('checkpoint-close');
    await sleep(500);
    const table = await wd.waitText(tid('audit-table'), '打印检查点单', 15000);
    assert.match(table, /审计检查点/);
  });

  it('the auditor checks the log against the paper checkpoint', { timeout: 120000 }, async () => {
    await click('audit-paper-verify');
    await wd.find(tid('paper-verify-dialog'), 10000);
    await (await wd.find(input('paper-seq'))).fill(String(seq));
    // Typed as printed: in groups, upper case.
    const typed = head.toUpperCase().match(/.{4}/g).join(' ');
    await paste(`${tid('paper-head')} textarea`, typed);
    await click('paper-verify-submit');
    const ok = await step('paper verified', () => wd.waitText(tid('paper-verify-result'), '相符', 20000));
    assert.match(ok, /完好/);
    await shot('62-paper-checkpoint-verified');
    // A wrong last digit: the core says the paper does not match.
    const wrong = head.slice(0, 63) + (head.endsWith('0') ? '1' : '0');
    await paste(`${tid('paper-head')} textarea`, wrong);
    await click('paper-verify-submit');
    const bad = await step('paper mismatch', () => wd.waitText(tid('paper-verify-result'), '不符', 20000));
    assert.match(bad, /纸质检查点不符/);
    await shot('63-paper-checkpoint-mismatch');
    await click('paper-verify-close');
    await sleep(500);
    await lock();
  });

  it('a folder put back is refused until the auditor confirms the restore on the login screen', { timeout: 120000 }, async () => {
    // The backup, taken while nobody is signed in; then a write: the administrator rotates
    // the system key from 账户管理.
    cpSync(app.vault, backup, { recursive: true });
    await login('sysadm');
    await click('nav-accounts');
    await wd.waitText(tid('accounts-table'), 'wangwu', 15000);
    await rotate('rotate-keys', '已轮换系统密钥');
    await shot('64-admin-rotated-system-key');
    await lock();

    cpSync(backup, app.vault, { recursive: true, force: true });
    await login('wangwu');
    const refused = await step('rolled back', () => wd.waitText(tid('login-error'), '更旧', 20000));
    assert.match(refused, /确认恢复备份/);
    assert.match(refused, /baomi audit accept-restore/);
    await shot('65-login-rolled-back');

    await click('login-restore');
    await wd.find(tid('restore-dialog'), 10000);
    await sleep(500); // the dialog's fade-in
    // The officer cannot accept it: the core says only the auditor may.
    await (await wd.find(input('restore-user'))).fill('wangwu');
    await (await wd.find(input('restore-password'))).fill(PASSWORDS.wangwu);
    await click('restore-confirm');
    await click('restore-submit');
    await step('officer refused', () => wd.waitText(tid('restore-error'), '只有安全审计员', 20000));
    await (await wd.find(input('restore-user'))).fill('audit1');
    await (await wd.find(input('restore-password'))).fill(PASSWORDS.audit1);
    await shot('66-restore-confirm');
    await click('restore-submit');
    await step('auditor signed in', () => wd.find(tid('page-audit'), 20000));
    const table = await wd.waitText(tid('audit-table'), '确认恢复保密库', 15000);
    assert.match(table, /audit1/);
    await shot('67-restore-accepted');
    await lock();
  });

  it('a 保密员 whose key went with a reset signs in with the recovery code and rotates the register key', { timeout: 120000 }, async () => {
    cli(app.vault, state, 'sysadm', PASSWORDS.sysadm, ['user', 'reset', 'wangwu'], { BAOMI_NEW_PASSWORD: RESET });
    cli(app.vault, state, 'secadm', PASSWORDS.secadm, ['user', 'role', 'wangwu', 'officer']);
    await login('wangwu', RESET);
    await step('waiting for the key', () => wd.waitText(tid('login-error'), '使用恢复码', 20000));

    await click('login-recover');
    await wd.find(tid('recover-dialog'), 10000);
    await sleep(500); // the dialog's fade-in
    await (await wd.find(input('recover-user'))).fill('wangwu');
    await (await wd.find(input('recover-password'))).fill(RESET);
    // Typed without dashes, in lower case: the field groups it as the setup wizard showed it.
    await paste(`${tid('recover-code')} textarea`, recoveryCode.replace(/-/g, '').toLowerCase());
    const shown = await wd.execute(`return document.querySelector('[data-testid="recover-code"] textarea').value`);
    assert.equal(shown, recoveryCode);
    await shot('68-recover-dialog');
    await click('recover-submit');
    // A reset password must be changed first.
    await step('forced password change', () => wd.find(tid('change-password-dialog'), 20000));
    await (await wd.find(input('change-password-old'))).fill(RESET);
    await (await wd.find(input('change-password-new'))).fill('Newer#2026abc');
    await (await wd.find(input('change-password-new2'))).fill('Newer#2026abc');
    await click('change-password-submit');
    await step('signed in', () => wd.find(tid('topbar-user'), 20000));
    // The password dialog closes, and its success message (over the top bar) goes, first.
    await step('password changed', () => wd.until(() => wd.execute(`return [...document.querySelectorAll('.el-overlay, .el-message')]
      .every((e) => e.getClientRects().length === 0)`), 'the password dialog and its message to go', 15000));
    await rotate('rotate-keys', '已轮换登记簿密钥');
    await shot('69-officer-recovered-and-rotated');
  });
});
