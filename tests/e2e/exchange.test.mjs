// End-to-end: data exchange (数据交换) between two units, one of them the real window. Before
// the app starts, the CLI makes a second vault (another unit, 乙县保密局), registers a carrier
// there and exports it as a passphrase bundle. In the window the officer reads the bundle (the
// core asks for the passphrase), sees the preview — one record to add, and the unknown sender
// to check — accepts the sender, imports, and gets the receipt's path; the carrier is in the
// register. The officer then exports it back to a typed path and sees the file's SHA-256, and
// the unit's key fingerprint. The other unit's CLI imports the receipt (its bundle is signed
// for) and reads the window's bundle (nothing new for it).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliVault, launch, ROOT } from './harness.mjs';
import { input, steps, tid } from './steps.mjs';
import { sleep } from './webdriver.mjs';

const PASSPHRASE = '交换口令-2026-甲乙';
const BACK = '回送口令-2026-乙甲';
const OTHER = '乙县保密局';
const TITLE = '关于做好年度保密自查工作的通知';

describe('数据交换 in the desktop window', { timeout: 300000 }, () => {
  let app;
  let wd;
  const { shot, step, click, typeInto, signIn, text } = steps(() => wd, 'exchange', { timeout: 15000 });

  const home = mkdtempSync(join(tmpdir(), 'baomi-e2e-exchange-'));
  const other = join(home, 'other-vault');
  const state = join(home, 'cli-state');
  const bundle = join(home, '数据包-乙县.bdl');
  const receipt = join(home, '数据包-乙县.receipt.bdl');
  const back = join(home, '回送.bdl');
  let serial = '';

  /** The CLI on the other unit's vault, with marks of its own (another installation). */
  function cli(user, password, args, { stdin, env = {} } = {}) {
    return execFileSync(join(ROOT, 'target/debug/baomi'), ['--vault', other, '--user', user, ...args], {
      env: { ...process.env, BAOMI_STATE: state, BAOMI_PASSWORD: password, ...env },
      input: stdin,
      encoding: 'utf8',
    });
  }

  const disabled = (id) => wd.execute(`return document.querySelector('[data-testid="${id}"]').disabled`);
  const openTab = (name) => step(`tab ${name}`, async () => {
    await (await wd.find(`#tab-${name}`)).click();
    await sleep(300);
  });

  before(async () => {
    app = await launch({
      port: 4480,
      prepare: (vault) => {
        cliVault(vault);
        // The other unit: a vault of its own, renamed by its 系统管理员, with one carrier
        // exported to a passphrase.
        execFileSync(join(ROOT, 'target/debug/baomi'), [
          '--vault', other, 'init', '--unit', '某某市国家保密局', '--admin', 'sysadm', '--secadmin', 'secadm',
          '--auditor', 'audit1', '--officer', 'zhaoliu', '--officer-display', '赵六',
          '--kdf-memory-mib', '64', '--kdf-iterations', '1',
        ], {
          env: {
            ...process.env, BAOMI_STATE: state, BAOMI_ADMIN_PASSWORD: 'Admin#12345', BAOMI_SECADMIN_PASSWORD: 'Secad#12345',
            BAOMI_AUDITOR_PASSWORD: 'Audit#12345', BAOMI_OFFICER_PASSWORD: 'Offic#12345',
          },
        });
        cli('sysadm', 'Admin#12345', ['unit', OTHER]);
        const added = JSON.parse(cli('zhaoliu', 'Offic#12345', ['--json', 'doc', 'add'], {
          stdin: JSON.stringify({
            title: TITLE, doc_no: '乙保发〔2026〕3号', origin_unit: OTHER, level: '机密', scope: ['办公室'],
            carrier_type: '纸质文件', custodian: '赵六', location: '2号保密柜', received_on: '2026-11-01',
          }),
        }));
        serial = added.serial;
        cli('zhaoliu', 'Offic#12345', ['export', '--register', 'doc', '--out', bundle], {
          env: { BAOMI_BUNDLE_PASSPHRASE: PASSPHRASE },
        });
      },
    });
    wd = app.wd;
    await signIn('wangwu', 'Offic#12345');
  });

  after(async () => {
    await app?.stop();
  });

  it('reads the bundle with its passphrase and previews one record from an unknown sender', async () => {
    assert.ok(existsSync(bundle), 'the other unit exported its bundle');
    await click('nav-exchange');
    await wd.find(tid('page-exchange'));
    await openTab('import');
    await typeInto('import-file', bundle);
    await click('import-read');
    // The bundle is sealed to a passphrase: the core asks for it under its field.
    await step('passphrase asked', () =>
      wd.waitText(`${tid('import-passphrase')} .el-form-item__error`, '口令', 15000));
    await typeInto('import-passphrase', PASSPHRASE);
    await click('import-read');
    await step('preview', () => wd.find(tid('bundle-preview'), 30000));
    assert.equal(await text('preview-added'), '1');
    assert.equal(await text('preview-conflicts'), '0');
    assert.equal(await text('preview-sender'), OTHER);
    assert.equal(await text('preview-sender-status'), '未导入密钥卡');
    assert.match(await text('preview-fingerprint'), /^[0-9a-f]{4}(-[0-9a-f]{4}){7}$/);
    const table = await text('preview-added-table');
    assert.match(table, new RegExp(TITLE));
    assert.match(table, new RegExp(serial));
    await wd.waitText(tid('preview-sender-warning'), '我已与对方核对指纹，接受该发件单位');
    assert.equal(await disabled('import-apply'), true, 'nothing is imported before the sender is accepted');
    await shot('90-exchange-preview');
  });

  it('imports once the sender is accepted, and writes the receipt', async () => {
    await click('preview-accept-sender');
    await wd.until(async () => !(await disabled('import-apply')), 'the import button to be enabled');
    await click('import-apply');
    const written = await step('receipt', () => wd.waitText(tid('import-receipt'), '.receipt.bdl', 30000));
    assert.equal(written, receipt);
    assert.ok(existsSync(receipt), 'the receipt is on the medium');
    await wd.waitText(tid('import-done'), '回执已写出，请带回发件单位导入');
    await shot('91-exchange-imported');

    await click('nav-documents');
    const list = await wd.waitText(tid('documents-table'), serial, 15000);
    assert.match(list, new RegExp(TITLE));
  });

  it('exports the carrier back to a typed path and shows its SHA-256', async () => {
    await click('nav-exchange');
    await wd.find(tid('bundle-export'));
    await typeInto('export-ids', serial);
    await typeInto('export-passphrase', BACK);
    await typeInto('export-passphrase2', BACK);
    await typeInto('export-out', back);
    await click('export-submit');
    const shown = await step('export result', () => wd.find(tid('export-hash'), 30000).then((e) => e.text()));
    const hash = createHash('sha256').update(readFileSync(back)).digest('hex');
    assert.equal(shown.replace(/\s+/g, ''), hash);
    assert.match(shown.trim(), /^([0-9a-f]{4} ){7}[0-9a-f]{4}\n([0-9a-f]{4} ){7}[0-9a-f]{4}$/, 'grouped by four, eight a line');
    assert.match(await text('export-counts'), /^1 条记录/);
    await shot('92-exchange-exported');

    await openTab('sent');
    await wd.waitText(tid('bundles-sent-table'), '未签收', 15000);
    await openTab('keys');
    await step('fingerprint', () =>
      wd.until(async () => /^[0-9a-f]{4}(-[0-9a-f]{4}){7}$/.test(await text('unit-fingerprint')), 'the unit fingerprint', 15000));
    await shot('93-exchange-keys');
  });

  it('closes the transfer at the other unit, which reads the bundle sent back', () => {
    const signed = cli('zhaoliu', 'Offic#12345', ['import', receipt]);
    assert.match(signed, /已登记签收/);
    assert.match(cli('zhaoliu', 'Offic#12345', ['bundles']), /已于 .* 签收/);
    const seen = JSON.parse(cli('zhaoliu', 'Offic#12345', ['--json', 'import', back, '--dry-run'], {
      env: { BAOMI_BUNDLE_PASSPHRASE: BACK },
    }));
    assert.equal(seen.sender.unit, '某某市国家保密局');
    assert.equal(seen.unchanged, 1, 'the carrier comes back with nothing new for its origin');
  });
});
