// End-to-end: the carrier register through the real window, with the app's clock moved by
// the test. Register a 机密 document, borrow it, see it overdue, return it, and try to destroy
// it with one supervisor: the core's refusal must appear next to the supervisors field.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cliVault, launch } from './harness.mjs';
import { input, steps, tid } from './steps.mjs';
import { ELEMENT, Keys, sleep } from './webdriver.mjs';

describe('涉密载体登记 in the desktop window', { timeout: 240000 }, () => {
  let app;
  let wd;
  const { shot, step, click, typeInto, signIn } = steps(() => wd, 'doc', { settle: 0 });

  const login = () => signIn('wangwu', 'Offic#12345');

  before(async () => {
    app = await launch({ port: 4454, prepare: cliVault });
    wd = app.wd;
    app.setClock('2026-11-10T02:00:00Z');
    await login();
  });

  after(async () => {
    await app?.stop();
  });

  const waitText = (css, needle, timeout = 10000) => step(`wait ${needle}`, () => wd.waitText(css, needle, timeout));

  it('registers a 机密 document with field-level checks', async () => {
    await click('nav-documents');
    await wd.find(tid('page-documents'));
    await click('doc-new');
    await wd.find(tid('doc-form'));
    await sleep(500); // the dialog's opening transition and its first-field focus
    await typeInto('doc-title', '关于加强涉密载体管理工作的通知');
    await typeInto('doc-doc-no', '国保发〔2026〕12号');
    await typeInto('doc-origin-unit', '国家保密局');
    await click('doc-level-机密');
    // 知悉范围 is a tag select: type a name and press Enter for each, then Tab out of it so
    // its drop-down closes.
    await (await wd.find(`${tid('doc-scope')} .el-select__wrapper`)).click();
    const scope = await wd.find(input('doc-scope'));
    await scope.type(`办公室${Keys.Enter}`);
    await scope.type(`王五${Keys.Enter}`);
    await scope.type(Keys.Tab);
    await sleep(300);
    await typeInto('doc-carrier-type', '纸质文件', Keys.Tab); // closes the suggestions
    await typeInto('doc-custodian', '王五');
    await typeInto('doc-location', '1号保密柜');
    await typeInto('doc-received-on', '2026-11-10', Keys.Tab);
    await shot('20-doc-form');
    await click('doc-submit');
    const table = await waitText(tid('documents-table'), '机-2026-0001', 15000);
    assert.match(table, /关于加强涉密载体管理工作的通知/);
    await shot('21-doc-list');
  });

  it('borrows it and shows it overdue once the due date has passed', async () => {
    await click('doc-row-机-2026-0001');
    await waitText(tid('doc-detail-serial'), '机-2026-0001');
    await click('doc-action-borrow');
    await wd.find(tid('doc-event-borrow'));
    await sleep(500); // the dialog's opening transition and its first-field focus
    await typeInto('borrow-borrower', '王五');
    await typeInto('borrow-due-on', '2026-11-20', Keys.Tab);
    await click('borrow-submit');
    await sleep(800);
    await shot('22a-borrow-submitted');
    await waitText(tid('doc-detail-status'), '借出');
    assert.equal(await wd.exists(tid('doc-detail-overdue')), false);

    // Five days after the due date the officer signs in again. Only the app's clock moves,
    // not the webview's: the core's own idle timer (every 5 s) locks the session and sends
    // the window to the login screen without any call from it.
    app.setClock('2026-11-25T02:00:00Z');
    await wd.find(input('login-user'), 15000);
    await login();
    await click('nav-home');
    // The home screen's one list of deadlines: the borrowing is the one overdue item, first.
    const overdue = await waitText(tid('home-due'), '机-2026-0001', 15000);
    assert.match(overdue, /逾期 5 天/);
    assert.match(overdue, /借阅逾期未还/);
    assert.match(overdue, /关于加强涉密载体管理工作的通知/);
    const count = await (await wd.find(tid('home-count-overdue'))).text();
    assert.match(count, /^\s*1\s*逾期/);
    const first = await wd.execute(
      `return document.querySelector('[data-testid="home-due"] li')?.getAttribute('data-testid')`,
    );
    assert.equal(first, 'home-due-doc_overdue-机-2026-0001');
    // The core's figures as charts: each canvas drawn with a size (no animation to wait out).
    await wd.find(tid('home-chart-canvas-level'), 10000);
    const sizes = await wd.execute(`return [...document.querySelectorAll('[data-testid^="home-chart-canvas-"]')]
      .filter((c) => c.offsetParent !== null).map((c) => [c.dataset.testid, c.width, c.height])`);
    const drawn = Object.fromEntries(sizes.map(([id, w, h]) => [id.replace('home-chart-canvas-', ''), w * h]));
    for (const key of ['level', 'department', 'doc_status', 'movements']) {
      assert.ok(drawn[key] > 0, `chart ${key} drawn: ${JSON.stringify(sizes)}`);
    }
    // The carrier is 机密 and held: the level chart has a bar in the first series' blue
    // (#1e50a0), far more of it than a legend's swatch.
    const inked = await wd.execute(`const c = document.querySelector('[data-testid="home-chart-canvas-level"]');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const near = (i, v) => Math.abs(d[i] - v) < 10;
      let n = 0; for (let i = 0; i < d.length; i += 4) if (near(i, 30) && near(i + 1, 80) && near(i + 2, 160)) n++;
      return n`);
    assert.ok(inked > 1000, `a bar in the level chart (${inked} pixels of its blue)`);
    await shot('22-home-overdue');
    await wd.execute(`document.querySelector('[data-testid="home-charts"]').scrollIntoView()`);
    await shot('22b-home-charts');
    // The line opens its record.
    await click('home-due-doc_overdue-机-2026-0001');
    await waitText(tid('doc-detail-serial'), '机-2026-0001', 10000);
    await wd.find(tid('doc-detail-overdue'), 10000);
    await shot('23-doc-overdue');
  });

  it('refuses a destruction watched by one supervisor, next to the field', async () => {
    await click('doc-action-return');
    await wd.find(tid('doc-event-return'));
    await sleep(500); // the dialog's opening transition and its first-field focus
    await click('return-submit');
    await waitText(tid('doc-detail-status'), '在管');
    await click('doc-action-destroy');
    await wd.find(tid('doc-event-destroy'));
    await sleep(500); // the dialog's opening transition and its first-field focus
    await typeInto('destroy-approver', '张局长');
    await typeInto('destroy-supervisor-1', '赵六');
    await typeInto('destroy-place', '市保密局销毁中心');
    await typeInto('destroy-method', '粉碎');
    await typeInto('destroy-list-no', 'XH-2026-01');
    for (const [id, want] of [['destroy-approver', '张局长'], ['destroy-supervisor-1', '赵六'], ['destroy-place', '市保密局销毁中心'], ['destroy-method', '粉碎'], ['destroy-list-no', 'XH-2026-01']]) {
      const got = await wd.execute('return arguments[0].value', [{ [ELEMENT]: (await wd.find(input(id))).id }]);
      assert.equal(got, want, `typed value of ${id}`);
    }
    await click('destroy-submit');
    const err = await waitText(`${tid('destroy-supervisors')} .el-form-item__error`, '两人监销', 15000);
    assert.match(err, /当前填写了 1 人/);
    await shot('24-destroy-refused');
    await (await wd.find(tid('doc-event-destroy'))).click().catch(() => {});
    await wd.keys(Keys.Escape);
    await sleep(300);
    const status = await (await wd.find(tid('doc-detail-status'))).text();
    assert.match(status, /在管/, 'nothing changed');
    const timeline = await (await wd.find(tid('doc-timeline'))).text();
    assert.match(timeline, /借出给王五/);
    assert.match(timeline, /归还/);
    assert.doesNotMatch(timeline, /销毁/);
  });
});
