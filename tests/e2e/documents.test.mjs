// End-to-end: the carrier register through the real window, with the app's clock moved by
// the test. Register a 机密 document, borrow it, see it overdue, return it, and try to destroy
// it with one supervisor: the core's refusal must appear next to the supervisors field.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cliVault, launch, SHOTS } from './harness.mjs';
import { Keys, sleep } from './webdriver.mjs';

const input = (id) => `[data-testid="${id}"] input, input[data-testid="${id}"], [data-testid="${id}"] textarea`;
const tid = (id) => `[data-testid="${id}"]`;

describe('涉密载体登记 in the desktop window', { timeout: 240000 }, () => {
  let app;
  let wd;
  const shot = (name) => wd.screenshot(join(SHOTS, `${name}.png`));

  before(async () => {
    app = await launch({ port: 4454, prepare: cliVault });
    wd = app.wd;
    app.setClock('2026-11-10T02:00:00Z');
    const user = await wd.find(input('login-user'), 20000);
    await user.fill('wangwu');
    const pw = await wd.find(input('login-password'));
    await pw.fill('Offic#12345');
    await pw.type(Keys.Enter);
    await wd.find(tid('topbar-user'), 15000);
  });

  after(async () => {
    await app?.stop();
  });

  async function typeInto(id, text, enter = false) {
    const el = await wd.find(input(id));
    await el.fill(text);
    if (enter) await el.type(Keys.Enter);
  }

  it('registers a 机密 document with field-level checks', async () => {
    await (await wd.find(tid('nav-documents'))).click();
    await wd.find(tid('page-documents'));
    await (await wd.find(tid('doc-new'))).click();
    await wd.find(tid('doc-form'));
    await typeInto('doc-title', '关于加强涉密载体管理工作的通知');
    await typeInto('doc-doc-no', '国保发〔2026〕12号');
    await typeInto('doc-origin-unit', '国家保密局');
    await (await wd.find(tid('doc-level-机密'))).click();
    await typeInto('doc-scope', '办公室', true);
    await typeInto('doc-scope', '王五', true);
    await typeInto('doc-carrier-type', '纸质文件');
    await typeInto('doc-custodian', '王五');
    await typeInto('doc-location', '1号保密柜');
    await typeInto('doc-received-on', '2026-11-10', true);
    await shot('20-doc-form');
    await (await wd.find(tid('doc-submit'))).click();
    const table = await wd.waitText(tid('documents-table'), '机-2026-0001', 15000);
    assert.match(table, /关于加强涉密载体管理工作的通知/);
    await shot('21-doc-list');
  });

  it('borrows it and shows it overdue once the due date has passed', async () => {
    await (await wd.find(`${tid('documents-table')} .el-table__body tr.el-table__row`)).click();
    await wd.waitText(tid('doc-detail-serial'), '机-2026-0001');
    await (await wd.find(tid('doc-action-borrow'))).click();
    await wd.find(tid('doc-event-borrow'));
    await typeInto('borrow-borrower', '王五');
    await typeInto('borrow-due-on', '2026-11-20', true);
    await (await wd.find(tid('borrow-submit'))).click();
    await wd.waitText(tid('doc-detail-status'), '借出');
    assert.equal(await wd.exists(tid('doc-detail-overdue')), false);

    // Five days after the due date.
    app.setClock('2026-11-25T02:00:00Z');
    await (await wd.find(tid('nav-home'))).click();
    const overdue = await wd.waitText(tid('home-overdue'), '机-2026-0001', 15000);
    assert.match(overdue, /王五/);
    await shot('22-home-overdue');
    await (await wd.find(tid('nav-documents'))).click();
    await (await wd.find(`${tid('documents-table')} .el-table__body tr.el-table__row`, 15000)).click();
    await wd.find(tid('doc-detail-overdue'), 10000);
    await shot('23-doc-overdue');
  });

  it('refuses a destruction watched by one supervisor, next to the field', async () => {
    await (await wd.find(tid('doc-action-return'))).click();
    await wd.find(tid('doc-event-return'));
    await (await wd.find(tid('return-submit'))).click();
    await wd.waitText(tid('doc-detail-status'), '在管');
    await (await wd.find(tid('doc-action-destroy'))).click();
    await wd.find(tid('doc-event-destroy'));
    await typeInto('destroy-approver', '张局长');
    await typeInto('destroy-supervisor-1', '赵六');
    await typeInto('destroy-place', '市保密局销毁中心');
    await typeInto('destroy-method', '粉碎');
    await typeInto('destroy-list-no', 'XH-2026-01');
    await (await wd.find(tid('destroy-submit'))).click();
    const err = await wd.waitText(`${tid('destroy-supervisors')} .el-form-item__error`, '两人监销');
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
