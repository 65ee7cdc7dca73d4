// End-to-end: the device ledger through the real window. The officer registers a classified
// laptop through the ledger form, checks it out through the 外出审核表 form, opens its print
// preview, records its return, then tries an external repair without removing the storage:
// the core's refusal must appear next to the storage field and the device stay unchanged. The
// 外出审核 book then lists the return above the check-out; the 维护淘汰 book stays empty.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cliVault, launch } from './harness.mjs';
import { input, steps, tid } from './steps.mjs';
import { ELEMENT, Keys, sleep } from './webdriver.mjs';

const SERIAL = 'SB-2026-0001';

describe('涉密信息设备台账 in the desktop window', { timeout: 300000 }, () => {
  let app;
  let wd;
  const { shot, step, click, tick, typeInto, pick, signIn, previewShown, closePreview } = steps(() => wd, 'device');

  before(async () => {
    app = await launch({ port: 4460, prepare: cliVault });
    wd = app.wd;
    app.setClock('2026-11-10T02:00:00Z');
    await signIn('wangwu', 'Offic#12345');
  });

  after(async () => {
    await app?.stop();
  });

  /** Adds names to a `list` field (a tag select): each typed, then Enter; Tab leaves it. */
  const addTags = (id, names) =>
    step(`tags ${id}`, async () => {
      await (await wd.find(`${tid(id)} .el-select__wrapper`)).click();
      const box = await wd.find(input(id));
      for (const n of names) await box.type(`${n}${Keys.Enter}`);
      await box.type(Keys.Tab);
      await sleep(300);
    });

  const valueOf = async (id) => wd.execute('return arguments[0].value', [{ [ELEMENT]: (await wd.find(input(id))).id }]);

  const status = async () => (await (await wd.find(tid('device-detail-status'))).text()).trim();

  /** Opens the action dialog `kind` and waits out its opening transition. */
  async function openAction(kind) {
    await click(`device-action-${kind}`);
    await wd.find(tid(`device-event-${kind}`));
    await sleep(500);
  }

  it('registers a classified laptop through the ledger form', async () => {
    await click('nav-devices');
    await wd.find(tid('page-devices'));
    await wd.waitText(tid('devices-count'), '共 0 条');
    await click('device-new');
    await wd.find(tid('device-form'));
    await sleep(500); // the dialog's opening transition and its first-field focus
    await pick('device-kind', 'device-kind-便携式计算机');
    await typeInto('device-name', '笔记本电脑');
    await typeInto('device-model', '联想 昭阳 K4e');
    await typeInto('device-serial', 'PF-3A7K21');
    await addTags('device-storage-serials', ['WD-WX12A3456']);
    await click('device-level-机密');
    await typeInto('device-label-no', 'BM-J-0012');
    await typeInto('device-department', '办公室');
    await typeInto('device-custodian', '王五');
    await typeInto('device-location', '302办公室');
    await typeInto('device-in-service-on', '2026-11-01', Keys.Tab);
    await click('device-three-in-one');
    await click('device-wireless-removed');
    await click('device-label-affixed');
    for (const [id, want] of [['device-name', '笔记本电脑'], ['device-label-no', 'BM-J-0012'], ['device-department', '办公室'], ['device-in-service-on', '2026-11-01']]) {
      assert.equal(await valueOf(id), want, `typed value of ${id}`);
    }
    await shot('50-device-form');
    await click('device-submit');
    const table = await wd.waitText(tid('devices-table'), SERIAL, 15000);
    assert.match(table, /笔记本电脑/);
    assert.match(table, /机密/);
    assert.match(table, /齐全/, 'all security measures in place');
    await wd.waitText(tid('devices-count'), '共 1 条');
    await shot('51-device-list');
  });

  it('filters the ledger by status and type, and prints it under the filters', async () => {
    await pick('device-filter-status', 'device-filter-status-out');
    await wd.waitText(tid('devices-count'), '共 0 条');
    await pick('device-filter-status', 'device-filter-status-in_use');
    await pick('device-filter-kind', 'device-filter-kind-便携式计算机');
    await wd.waitText(tid('devices-count'), '共 1 条');
    await shot('51b-device-list-filtered');
    await click('device-print-list');
    await previewShown();
    await shot('51a-device-list-preview');
    await closePreview();
    await click('device-filter-reset');
    await wd.waitText(tid('devices-count'), '共 1 条');
  });

  it('checks it out through the 外出审核表 form', async () => {
    await click(`device-row-${SERIAL}`);
    await wd.waitText(tid('device-detail-serial'), SERIAL);
    assert.equal(await status(), '在用');
    // Only what the core allows for a laptop in use (no 配备/借用: those are for media).
    const actions = await (await wd.find(tid('device-actions'))).text();
    for (const label of ['外出', '变更责任人', '维护淘汰', '检查', '停用', '销毁', '更正']) assert.match(actions, new RegExp(label));
    assert.equal(await wd.exists(tid('device-action-lend')), false);
    assert.equal(await wd.exists(tid('device-action-checkin')), false);

    await openAction('checkout');
    await typeInto('device-checkout-user', '王五');
    await typeInto('device-checkout-due-on', '2026-11-15', Keys.Tab);
    await typeInto('device-checkout-reason', '赴省保密局汇报年度保密工作');
    await typeInto('device-checkout-destination', '省国家保密局');
    await pick('device-checkout-max-level', 'device-checkout-max-level-秘密');
    await typeInto('device-checkout-ports-opened', 'USB 接口（只读）');
    await typeInto('device-checkout-security-officer', '李四');
    await typeInto('device-checkout-security-officer-on', '2026-11-09', Keys.Tab);
    await typeInto('device-checkout-leader', '张局长');
    await typeInto('device-checkout-leader-on', '2026-11-09', Keys.Tab);
    await typeInto('device-checkout-approval', 'WC-2026-003');
    await shot('52-device-checkout-form');
    await click('device-checkout-submit');
    await wd.until(async () => (await status()) === '外出', 'status 外出', 15000);
    const holding = await (await wd.find(tid('device-holding'))).text();
    assert.match(holding, /王五/);
    assert.match(holding, /省国家保密局/);
    assert.match(holding, /2026年11月15日/);
    const timeline = await (await wd.find(tid('device-timeline'))).text();
    assert.match(timeline, /外出：王五 携往省国家保密局/);
    assert.match(timeline, /审批单号 WC-2026-003/);
    await shot('53-device-out');
  });

  it('prints the 外出审核表 from the print menu', async () => {
    await click('device-print');
    const menu = await wd.find(tid('device-print-menu'));
    await wd.until(() => menu.displayed(), 'the print menu');
    await sleep(300); // the menu's fade-in
    await shot('54-device-print-menu');
    const menuText = await menu.text();
    for (const title of ['涉密信息设备外出审核表', '维护淘汰管理档案', '变更审批表']) assert.match(menuText, new RegExp(title));
    await click('device-print-device-checkout');
    await previewShown();
    await shot('55-device-checkout-preview');
    await closePreview();
  });

  it('records its return after the check', async () => {
    await openAction('checkin');
    await typeInto('device-checkin-checked-by', '李四');
    await tick('device-checkin-seals-intact');
    await tick('device-checkin-no-unauthorized-connection');
    await shot('56-device-checkin-form');
    await click('device-checkin-submit');
    await wd.until(async () => (await status()) === '在用', 'status 在用', 15000);
    assert.equal(await wd.exists(tid('device-holding')), false);
    await wd.waitText(tid('device-timeline'), '外出归还，李四检查');
  });

  it('refuses an external repair with the storage still inside, next to the storage field', async () => {
    const before = await (await wd.find(tid('device-timeline'))).text();
    await openAction('maintain');
    await click('device-maintain-kind-维修');
    await tick('device-maintain-external');
    await typeInto('device-maintain-content', '屏幕无显示，送厂家检修');
    await typeInto('device-maintain-performer', '某某电脑维修中心');
    await typeInto('device-maintain-vendor-agreement', 'BMXY-2026-07');
    await addTags('device-maintain-supervisors', ['李四', '赵六']);
    await shot('57-device-maintain-form');
    await click('device-maintain-submit');
    const err = await step('the refusal', () =>
      wd.waitText(`${tid('device-maintain-storage-removed')} .el-form-item__error`, '涉密设备送外维修须先拆除涉密信息存储部件（第十八条）', 15000),
    );
    assert.ok(err);
    await shot('58-device-repair-refused');
    assert.ok(await wd.exists(tid('device-event-maintain')), 'the dialog stays open');
    await wd.keys(Keys.Escape);
    await sleep(400);
    assert.equal(await status(), '在用', 'nothing changed');
    const after = await (await wd.find(tid('device-timeline'))).text();
    assert.equal(after, before, 'the timeline is unchanged');
    assert.doesNotMatch(after, /维修/);
    await shot('59-device-unchanged');
  });

  it('lists the check-out and the return in the 外出审核 book, newest first', async () => {
    await click('nav-checkout');
    await wd.find(tid('page-checkout'));
    await wd.waitText(tid('book-count'), '共 2 条', 15000);
    assert.match(await (await wd.find(tid('book-note'))).text(), /外出审核登记：.*外出和归还/);
    const kinds = await wd.execute(`return [...document.querySelectorAll('[data-testid="book-table"] [data-testid^="book-entry-"]')]
      .map((e) => e.getAttribute('data-testid'));`);
    assert.deepEqual(kinds, ['book-entry-checked_in', 'book-entry-checked_out'], 'the return above the check-out');
    const rows = await wd.execute(`return [...document.querySelectorAll('[data-testid="book-table"] .el-table__body tr')]
      .map((tr) => tr.innerText.replace(/\\s+/g, ' ').trim());`);
    assert.equal(rows.length, 2);
    assert.match(rows[0], new RegExp(`^2026-11-10 ${SERIAL} 外出归还，李四检查：封条完好，未发现违规连接`));
    assert.match(rows[1], new RegExp(`^2026-11-10 ${SERIAL} 外出：王五 携往省国家保密局`));
    assert.match(rows[1], /WC-2026-003/, 'the approval reference of the check-out');
    // Only the check-out has a form (外出审核表); the return has none.
    assert.equal((await wd.findAll(`${tid('book-table')} ${tid('book-print')}`)).length, 1);
    await shot('59a-device-checkout-book');
    await click('book-print');
    await previewShown();
    await closePreview();
    // The 台账编号 opens the device over the book; 返回 comes back to the book.
    await (await wd.find(tid(`book-serial-${SERIAL}`))).click();
    await wd.waitText(tid('device-detail-serial'), SERIAL);
    await click('device-back');
    await wd.waitText(tid('book-count'), '共 2 条');
    // The refused repair left the 维护淘汰 book empty.
    await click('nav-maintenance');
    await wd.find(tid('page-maintenance'));
    await wd.waitText(tid('book-count'), '共 0 条', 15000);
    await wd.waitText(tid('book-table'), '暂无维护淘汰登记');
    await shot('59b-device-maintenance-book');
    // Back to the laptop on the ledger, where the next step starts.
    await click('nav-devices');
    await click(`device-row-${SERIAL}`);
    await wd.waitText(tid('device-detail-serial'), SERIAL);
  });

  it('lends a classified USB medium for the laptop, named by its 保密编号', async () => {
    await click('device-back');
    await click('device-new');
    await wd.find(tid('device-form'));
    await sleep(500);
    await pick('device-kind', 'device-kind-移动存储介质');
    await typeInto('device-name', '涉密U盘');
    assert.equal(await wd.exists(tid('device-three-in-one')), false, '三合一 is for computers');
    await click('device-level-机密');
    await typeInto('device-label-no', 'BM-U-0003');
    await typeInto('device-department', '办公室');
    await click('device-label-affixed');
    await click('device-submit');
    await wd.waitText(tid('devices-table'), 'SB-2026-0002', 15000);
    await click('device-row-SB-2026-0002');
    await wd.waitText(tid('device-detail-serial'), 'SB-2026-0002');
    await openAction('lend');
    await typeInto('device-lend-borrower', '赵六');
    await typeInto('device-lend-computer', 'BM-J-0012');
    await pick('device-lend-max-level', 'device-lend-max-level-秘密');
    await typeInto('device-lend-due-on', '2026-11-12', Keys.Tab);
    await shot('60-device-lend-form');
    await click('device-lend-submit');
    await wd.until(async () => (await status()) === '借出', 'status 借出', 15000);
    const holding = await (await wd.find(tid('device-holding'))).text();
    assert.match(holding, /赵六/);
    assert.match(holding, /SB-2026-0001/, 'the computer as the ledger knows it');
    await click('device-back');
    await wd.waitText(tid('devices-table'), '赵六 · 应还 2026-11-12');
    await click(`device-row-${SERIAL}`);
    await wd.waitText(tid('device-detail-serial'), SERIAL);
  });

  it('shows a device out past its due date on the home screen, linked to its record', async () => {
    await openAction('checkout');
    await typeInto('device-checkout-user', '王五');
    await typeInto('device-checkout-reason', '参加保密工作会议');
    await typeInto('device-checkout-due-on', '2026-11-12', Keys.Tab);
    await typeInto('device-checkout-destination', '市委保密办');
    await typeInto('device-checkout-security-officer', '李四');
    await typeInto('device-checkout-leader', '张局长');
    await click('device-checkout-submit');
    await wd.until(async () => (await status()) === '外出', 'status 外出', 15000);

    // Eight days later the officer signs in again (the idle lock has closed the session: the
    // core's idle clock moved too).
    app.setClock('2026-11-20T02:00:00Z');
    await wd.find(input('login-user'), 40000);
    await signIn('wangwu', 'Offic#12345');
    await click('nav-home');
    const card = await wd.waitText(tid('home-due'), SERIAL, 15000);
    assert.match(card, /逾期 8 天/);
    assert.match(card, /SB-2026-0002/, 'the lent medium too');
    await shot('61-home-device-cards');
    await click(`home-due-device_overdue-${SERIAL}`);
    await wd.waitText(tid('device-detail-serial'), SERIAL);
    await wd.waitText(tid('device-detail-overdue'), '逾期 8 天');
    await shot('62-device-overdue');
  });
});
