// End-to-end: printing through the real window. The officer registers a carrier, prints its
// 借阅单 from the detail page's 打印 menu, sees the preview (print serial, digest, a page image
// rendered by the core), saves it as a PDF, prints a borrowing from its timeline entry, the
// register listing, a hand-back list of a selection and a monthly reconciliation, and finds
// every job in the print log; the system administrator sees the templates and fonts.
// Native dialogs cannot be driven by WebDriver: the test build takes the save path from
// `window.__BAOMI_E2E_SAVE_PATH__` (ui/src/print.ts, test identifier only), and the test stands
// in for `window.print()`, checking the print-only pages instead.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cliVault, launch } from './harness.mjs';
import { input, steps, tid } from './steps.mjs';
import { Keys, sleep } from './webdriver.mjs';

describe('打印 in the desktop window', { timeout: 240000 }, () => {
  let app;
  let wd;
  const { shot, step, click, typeInto, signIn, previewShown: preview, closePreview } = steps(() => wd, 'print', { settle: 0 });

  let pdf;
  const serials = [];

  before(async () => {
    app = await launch({ port: 4456, prepare: cliVault });
    wd = app.wd;
    pdf = join(dirname(app.vault), '借阅单.pdf');
    app.setClock('2026-11-10T02:00:00Z');
    await signIn('wangwu', 'Offic#12345');
  });

  after(async () => {
    await app?.stop();
  });

  /** Waits for the preview of a new job; returns its serial, kept for the print log. */
  async function previewShown() {
    const serial = await preview();
    serials.push(serial);
    return serial;
  }

  it('registers a carrier', async () => {
    await click('nav-documents');
    await wd.find(tid('page-documents'));
    await click('doc-new');
    await wd.find(tid('doc-form'));
    await sleep(500); // the dialog's opening transition and its first-field focus
    await typeInto('doc-title', '关于开展年度保密检查的通知');
    await typeInto('doc-doc-no', '市保发〔2026〕7号');
    await click('doc-level-秘密');
    await (await wd.find(`${tid('doc-scope')} .el-select__wrapper`)).click();
    const scope = await wd.find(input('doc-scope'));
    await scope.type(`办公室${Keys.Enter}`);
    await scope.type(Keys.Tab);
    await sleep(300);
    const carrier = await wd.find(input('doc-carrier-type'));
    await carrier.fill('纸质文件');
    await carrier.type(Keys.Tab); // closes the suggestions (and opens the date picker)
    await sleep(300);
    await typeInto('doc-custodian', '王五'); // closes the date picker
    await sleep(300);
    await typeInto('doc-location', '1号保密柜');
    await click('doc-submit');
    await wd.waitText(tid('documents-table'), '秘-2026-0001', 15000);
  });

  it('prints the 借阅单 from the detail page and saves it as a PDF', async () => {
    await click('doc-row-秘-2026-0001');
    await wd.waitText(tid('doc-detail-serial'), '秘-2026-0001');
    await click('doc-print');
    const item = await wd.find(tid('doc-print-doc-borrow'));
    await wd.until(() => item.displayed(), 'the print menu');
    await sleep(300); // the menu's fade-in
    await shot('40-print-menu');
    const menu = await (await wd.find(tid('doc-print-menu'))).text();
    for (const title of ['借阅单', '复印（摘抄）审批单', '传阅单', '销毁审批表', '清退（移交）清单']) {
      assert.match(menu, new RegExp(title.replace(/[()（）]/g, '.')), `menu lists ${title}`);
    }
    await item.click();
    await previewShown();
    const pages = Number((await (await wd.find(tid('print-pages'))).text()).trim());
    assert.ok(pages >= 1, `pages: ${pages}`);
    await shot('41-print-preview-borrow');

    await wd.execute('window.__BAOMI_E2E_SAVE_PATH__ = arguments[0]', [pdf]);
    await click('print-save');
    await step('saved message', () =>
      wd.until(
        () => wd.execute(`return [...document.querySelectorAll('.el-message--success')]
          .some((m) => m.innerText.includes(arguments[0]))`, [`已保存：${pdf}`]),
        'the saved message',
        15000,
      ));
    assert.ok(existsSync(pdf), 'the PDF was written');
    assert.equal(readFileSync(pdf).subarray(0, 5).toString('latin1'), '%PDF-');

    // 打印: the system print dialog is native too, so the test stands in for window.print()
    // and checks what it would print: every page at print resolution, A4 portrait.
    await wd.execute(`window.__printed = 0; window.print = () => { window.__printed += 1; };`);
    await click('print-print');
    await step('print', () => wd.until(() => wd.execute('return window.__printed === 1'), 'window.print()', 30000));
    const sheets = await wd.execute(`return [...document.querySelectorAll('body > .print-sheets img')]
      .map((img) => [img.complete, img.naturalWidth, img.naturalHeight])`);
    assert.equal(sheets.length, pages);
    for (const [complete, w, h] of sheets) {
      assert.ok(complete && w > 1500 && h > w, `a loaded portrait page at print resolution: ${w}×${h}`);
    }
    const pageRule = await wd.execute(`return document.getElementById('bm-print-page')?.textContent ?? ''`);
    assert.match(pageRule, /size: A4 portrait; margin: 0/);
    await closePreview();
  });

  it('prints a borrowing from its timeline entry', async () => {
    await click('doc-action-borrow');
    await wd.find(tid('doc-event-borrow'));
    await sleep(500); // the dialog's opening transition and its first-field focus
    await typeInto('borrow-borrower', '王五');
    await typeInto('borrow-department', '办公室');
    const due = await wd.find(input('borrow-due-on'));
    await due.fill('2026-11-20');
    await due.type(Keys.Tab);
    await sleep(300);
    await click('borrow-submit');
    await wd.waitText(tid('doc-detail-status'), '借出', 15000);
    const link = `${tid('doc-history-borrowed')} ${tid('doc-history-print')}`;
    await wd.find(link, 10000);
    // Only entries with a form of their own offer 打印.
    assert.equal(await wd.exists(`${tid('doc-history-registered')} ${tid('doc-history-print')}`), false);
    await sleep(1000); // the success message fades
    await shot('42-timeline-print-link');
    await (await wd.find(link)).click();
    await previewShown();
    await shot('43-print-preview-borrowed');
    await closePreview();
  });

  it('prints the register listing and a list of the selection', async () => {
    await click('doc-back');
    await wd.find(tid('page-documents'));
    assert.equal(await wd.exists(tid('doc-print-handback-selected')), false, 'no selection, no list');
    await click('doc-print-list');
    await previewShown();
    await shot('44-print-preview-list');
    await closePreview();
    // The borrowed carrier cannot be selected (nothing to hand back): return it first.
    await click('doc-row-秘-2026-0001');
    await click('doc-action-return');
    await wd.find(tid('doc-event-return'));
    await sleep(500);
    await click('return-submit');
    await wd.waitText(tid('doc-detail-status'), '在管', 15000);
    await click('doc-back');
    await (await wd.find(`${tid('documents-table')} tr.el-table__row .el-checkbox__input`)).click();
    await wd.find(tid('doc-print-handback-selected'));
    await shot('45-list-selection-print');
    await click('doc-print-handback-selected');
    await previewShown();
    await closePreview();
  });

  it('prints a monthly reconciliation once it is recorded', async () => {
    await click('doc-reconcile');
    await wd.find(tid('reconcile-form'));
    await sleep(500); // the dialog's opening transition and its first-field focus
    await typeInto('reconcile-custodian', '王五');
    await typeInto('reconcile-counted', '秘-2026-0001');
    await click('reconcile-submit');
    await wd.waitText(tid('reconcile-result'), '账物相符', 15000);
    await shot('46-reconcile-print');
    await click('reconcile-print');
    await previewShown();
    await closePreview();
    await wd.keys(Keys.Escape);
    await sleep(500);
  });

  it('lists every job in the print log', async () => {
    await click('doc-print-log');
    await wd.find(tid('page-print-log'));
    assert.equal(serials.length, 5);
    const [borrow] = serials;
    const table = await step('print log', () => wd.waitText(tid('print-log-table'), borrow, 15000));
    for (const s of serials) assert.match(table, new RegExp(s));
    assert.match(table, /涉密载体借阅单/);
    assert.match(table, /涉密载体登记簿/);
    assert.match(table, /涉密载体清退（移交）清单/);
    assert.match(table, /涉密载体月核对表/);
    assert.match(table, /秘-2026-0001/);
    await shot('47-print-log');
    // Searching by the print serial finds exactly that job.
    await typeInto('print-log-text', borrow);
    await (await wd.find(input('print-log-text'))).type(Keys.Enter);
    await wd.until(async () => {
      const rows = await wd.findAll(`${tid('print-log-table')} .el-table__body tr.el-table__row`);
      return rows.length === 1;
    }, 'one row for the serial');
    // 核对: the first 借阅单 was printed before the borrowing was recorded, so the vault's
    // data for that form has changed since: the paper no longer matches.
    await click(`print-log-check-${borrow}`);
    const box = await step('check', () => wd.waitText('.el-message-box', '数据已变化', 15000));
    assert.match(box, new RegExp(borrow));
    await sleep(400); // let the box finish fading in
    await shot('47b-print-check');
    await (await wd.find('.el-message-box__btns button')).click();
    await sleep(500);
    await click('print-log-back');
    await wd.find(tid('doc-row-秘-2026-0001'));
  });

  it('shows the templates and fonts to the system administrator only', async () => {
    assert.equal(await wd.exists(tid('print-assets')), false);
    await click('lock-button');
    await signIn('sysadm', 'Admin#12345');
    await click('nav-settings');
    const templates = await step('templates', () => wd.waitText(tid('print-templates-table'), 'doc-borrow.typ', 15000));
    assert.match(templates, /common\.typ/);
    assert.match(templates, /涉密载体借阅单/);
    assert.match(templates, /内置/);
    const fonts = await wd.waitText(tid('print-fonts-table'), 'AR PL SungtiL GB');
    assert.match(fonts, /内置/);
    await wd.execute(`document.querySelector('[data-testid="print-assets"]').scrollIntoView()`);
    await sleep(300);
    await shot('48-settings-print-assets');
  });
});
