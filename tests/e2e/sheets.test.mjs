// End-to-end: the officer's own Excel ledger in and out of the carrier register, in the real
// window. The sheet is messy as real ones are: a title line, the unit and date line, a blank
// row, a subtotal, headers in the office's own words, dates and levels written four ways,
// full-width digits, copy numbers as a range and a list — and one row that cannot come in.
// The officer checks it (试导入): the report lists that row with its number and reason and the
// import stays refused; the officer fixes the sheet, checks again and imports; the carriers
// are in the register under the sheet's own 编号, and their history says where they came from.
// Then the list, filtered by search text, goes out to an .xlsx, which another vault's CLI reads
// back; and the year-end statistics show, preview as the A4 report and go out as a workbook.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliVault, launch, ROOT } from './harness.mjs';
import { steps, tid } from './steps.mjs';


const HEAD = [
  '涉密载体登记台账（2026年度）',
  '填报单位：办公室,,,,,,,填报日期：2026年11月',
  '',
  '序号,登记编号,文件名称,密级和保密期限,份数,份号,保管人,收文日期,知悉范围,载体形式',
  '1,机-2026-0100,关于甲事项的通知,机密★10年,,1-3,王五,2026.11.1,办公室,纸质文件',
  '',
  '2,,关于乙事项的函,秘密★,２,"1、2",王五,2026年11月2日,办公室,纸质文件',
  '小计,,,,３,,,,,',
];
const BAD = '3,,丙的报告,很机密,,,王五,2026/11/03,机要室,纸质文件';
const GOOD = '3,,丙的报告,秘密,,,王五,2026/11/03,机要室,纸质文件';

describe('Excel ledgers in the desktop window', { timeout: 300000 }, () => {
  let app;
  let wd;
  const { shot, step, click, typeInto, signIn } = steps(() => wd, 'sheets', { timeout: 15000 });

  const home = mkdtempSync(join(tmpdir(), 'baomi-e2e-sheets-'));
  const sheet = join(home, '载体台账.csv');
  const out = join(home, '导出-甲事项.xlsx');
  const other = join(home, 'other-vault');

  const disabled = (id) => wd.execute(`return document.querySelector('[data-testid="${id}"]').disabled`);

  before(async () => {
    writeFileSync(sheet, '\ufeff' + [...HEAD, BAD, ''].join('\r\n'));
    app = await launch({ port: 4490, prepare: cliVault });
    wd = app.wd;
    await signIn('wangwu', 'Offic#12345');
  });

  after(async () => {
    await app?.stop();
  });

  it('checks a messy sheet and lists the row that cannot come in, importing nothing', async () => {
    await click('nav-documents');
    await click('doc-sheet-import');
    await wd.find(tid('sheet-import'));
    await typeInto('sheet-file', sheet);
    await click('sheet-check');
    const summary = await step('summary', () => wd.waitText(tid('sheet-summary'), '可导入 2 条', 30000));
    assert.match(summary, /表头在第 4 行/);
    assert.match(summary, /跳过 1 行/);
    assert.match(summary, /1 行有错误/);
    const rows = await (await wd.find(tid('sheet-rows'))).text();
    assert.match(rows, /9\s+D\s+错误\s+密级：“很机密”不是密级/);
    assert.match(rows, /8\s+跳过\s+合计行，不是记录/);
    const columns = await (await wd.find(tid('sheet-columns'))).text();
    for (const header of ['登记编号', '文件名称', '密级和保密期限', '保管人', '收文日期', '载体形式']) {
      assert.match(columns, new RegExp(header));
    }
    assert.equal(await disabled('sheet-apply'), true, 'no import while a row is wrong');
    await shot('95-sheet-dry-run');
  });

  it('imports the corrected sheet in one go, keeping its serials and noting the source', async () => {
    writeFileSync(sheet, '\ufeff' + [...HEAD, GOOD, ''].join('\r\n'));
    await click('sheet-check');
    await step('clean report', () => wd.waitText(tid('sheet-summary'), '0 行有错误', 30000));
    await wd.until(async () => !(await disabled('sheet-apply')), 'the import button to be enabled');
    await click('sheet-apply');
    const done = await step('done', () => wd.waitText(tid('sheet-done'), '已导入 3 条载体', 30000));
    assert.match(done, /来自哪个文件的哪一行/);
    await shot('96-sheet-imported');
    await click('sheet-close');

    const list = await step('list', () => wd.waitText(tid('documents-table'), '机-2026-0100', 15000));
    assert.match(list, /关于乙事项的函/);
    assert.match(list, /丙的报告/);
  });

  it('exports the filtered list to .xlsx, which another vault reads back', async () => {
    await typeInto('doc-search', '甲事项');
    await click('doc-filter-search');
    await step('filtered', () =>
      wd.until(async () => !/乙事项/.test(await (await wd.find(tid('documents-table'))).text()), 'the filter'));
    await wd.execute('window.__BAOMI_E2E_SAVE_PATH__ = arguments[0]', [out]);
    await click('doc-sheet-export');
    await step('exported message', () =>
      wd.until(
        () => wd.execute(`return [...document.querySelectorAll('.el-message--success')]
          .some((m) => m.innerText.includes(arguments[0]))`, ['已导出 1 条载体']),
        'the exported message',
        15000,
      ));
    await shot('97-sheet-exported');
    assert.ok(existsSync(out), 'the sheet was written');

    cliVault(other);
    const report = JSON.parse(execFileSync(join(ROOT, 'target/debug/baomi'), [
      '--vault', other, '--user', 'wangwu', '--json', 'import-xlsx', 'doc', out, '--dry-run',
    ], { env: { ...process.env, BAOMI_STATE: join(home, 'state'), BAOMI_PASSWORD: 'Offic#12345' }, encoding: 'utf8' }));
    assert.equal(report.imported, 1);
    assert.equal(report.errors.length, 0);
    assert.equal(report.header_row, 1);
  });

  it('shows the year-end statistics, previews the A4 report and saves them as a workbook', async () => {
    const stats = join(home, '年度统计.xlsx');
    await click('nav-stats');
    await wd.find(tid('page-stats'), 15000);
    const first = await step('tables', () => wd.waitText(tid('stats-table-0'), '合计', 15000));
    assert.match(first, /机密/);
    await click('stats-print');
    await step('preview', () => wd.find(tid('print-page'), 30000));
    assert.match(await (await wd.find(tid('print-serial'))).text(), /^TJ\d{4}-[0-9a-f]{6}$/);
    assert.ok(Number((await (await wd.find(tid('print-pages'))).text()).trim()) >= 1);
    await shot('98-stats-report');
    await click('print-close');
    await wd.execute('window.__BAOMI_E2E_SAVE_PATH__ = arguments[0]', [stats]);
    await click('stats-export');
    await step('stats exported', () =>
      wd.until(
        () => wd.execute(`return [...document.querySelectorAll('.el-message--success')]
          .some((m) => m.innerText.includes(arguments[0]))`, [stats]),
        'the exported message',
        15000,
      ));
    assert.ok(existsSync(stats), 'the workbook was written');
    await shot('99-stats');
  });
});
