// End-to-end: the personnel register (涉密人员) through the real window, as one scenario. The
// officer registers 张三 (拟上岗) and tries to make him custodian of a carrier: the core refuses,
// and its reason shows under the custodian field. After the review, the training and the 上岗
// letter he is on post and the carrier is registered to him. Off-boarding then first lists the
// carrier (serial and title) with its submit disabled; once the carrier is distributed to
// someone else he leaves the post, and his page shows the 脱密期 with its end date.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cliVault, launch } from './harness.mjs';
import { input, steps, tid } from './steps.mjs';
import { Keys, sleep } from './webdriver.mjs';

const TITLE = '关于年度保密检查工作的通知';
const SERIAL = '机-2026-0001';

describe('涉密人员 in the desktop window', { timeout: 300000 }, () => {
  let app;
  let wd;
  const { shot, step, click, tick, typeInto, text, signIn, previewShown, closePreview } = steps(() => wd, 'person');

  before(async () => {
    app = await launch({ port: 4462, prepare: cliVault });
    wd = app.wd;
    app.setClock('2026-11-10T02:00:00Z');
    await signIn('wangwu', 'Offic#12345');
  });

  after(async () => {
    await app?.stop();
  });

  const status = () => text('person-detail-status');

  /** Opens the action dialog `kind` of the person's page and waits out its transition. */
  async function openAction(kind) {
    await click(`person-action-${kind}`);
    await wd.find(tid(`person-event-${kind}`));
    await sleep(500);
  }

  /** Fills the carrier form with 张三 as custodian and submits it. */
  async function registerCarrier() {
    await click('nav-documents');
    await wd.find(tid('page-documents'));
    await click('doc-new');
    await wd.find(tid('doc-form'));
    await sleep(500); // the dialog's opening transition and its first-field focus
    await typeInto('doc-title', TITLE);
    await typeInto('doc-origin-unit', '市国家保密局');
    await click('doc-level-机密');
    await step('scope', async () => {
      await (await wd.find(`${tid('doc-scope')} .el-select__wrapper`)).click();
      const scope = await wd.find(input('doc-scope'));
      for (const n of ['办公室', '张三', '王五']) await scope.type(`${n}${Keys.Enter}`);
      await scope.type(Keys.Tab);
      await sleep(300);
    });
    await typeInto('doc-carrier-type', '纸质文件', Keys.Tab);
    // The registered person is offered as a suggestion; Tab keeps the typed name.
    await typeInto('doc-custodian', '张三', Keys.Tab);
    await typeInto('doc-location', '1号保密柜');
    await click('doc-submit');
  }

  async function openPerson() {
    await click('nav-personnel');
    await wd.find(tid('page-personnel'));
    await click('person-row-张三');
    await wd.waitText(tid('person-detail-serial'), 'RY-2026-');
  }

  it('registers a person, who is 拟上岗', async () => {
    await click('nav-personnel');
    await wd.find(tid('page-personnel'));
    await wd.waitText(tid('persons-count'), '共 0 条');
    await click('person-new');
    await wd.find(tid('person-form'));
    await sleep(500);
    await typeInto('person-name', '张三');
    await typeInto('person-department', '办公室');
    await typeInto('person-post', '机要员');
    await click('person-class-重要');
    await shot('70-person-form');
    await click('person-submit');
    const table = await wd.waitText(tid('persons-table'), '张三', 15000);
    assert.match(table, /拟上岗/);
    assert.match(table, /未经保密审查/, 'what keeps him off post');
    await wd.waitText(tid('persons-count'), '共 1 条');
    await shot('71-person-list');
  });

  it('refuses him as custodian of a carrier before the 上岗 letter, saying why', async () => {
    await registerCarrier();
    const error = await step('custodian error', () =>
      wd.waitText(`${tid('doc-custodian')} .el-form-item__error`, '尚不能担任责任人', 15000),
    );
    assert.match(error, /张三/);
    assert.match(error, /未经保密审查/);
    assert.match(error, /未签订上岗保密承诺书/);
    await shot('72-person-custodian-refused');
    await (await wd.find(input('doc-location'))).type(Keys.Escape);
    await wd.until(async () => !(await (await wd.find(tid('doc-form'))).displayed()), 'the form to close');
    await sleep(300);
    await wd.waitText(tid('documents-count'), '共 0 条');
  });

  it('records the review, the training and the 上岗 letter: he is on post', async () => {
    await openPerson();
    assert.equal(await status(), '拟上岗');
    await wd.waitText(tid('person-missing'), '尚未上岗：未经保密审查、未通过保密培训、未签订上岗保密承诺书');
    await wd.waitText(tid('person-holdings'), '目前没有保管或借用的涉密载体和设备');
    const actions = await text('person-actions');
    for (const label of ['保密审查', '保密培训', '签订承诺书', '准入例外', '更正']) assert.match(actions, new RegExp(label));
    assert.equal(await wd.exists(tid('person-action-offboard')), false, 'no 离岗 before the post');
    await shot('73-person-candidate');

    await openAction('review');
    await typeInto('person-review-by', '人事处');
    await typeInto('person-review-result', '政治可靠，同意上岗');
    await shot('74-person-review-form');
    await click('person-review-submit');
    await wd.waitText(tid('person-timeline'), '上岗审查：通过', 15000);

    await openAction('train');
    await typeInto('person-train-content', '上岗前保密教育');
    await click('person-train-submit');
    await wd.waitText(tid('person-timeline'), '保密培训：上岗前保密教育', 15000);

    await openAction('pledge');
    await typeInto('person-pledge-witness', '李四');
    await tick('person-pledge-filed');
    await shot('75-person-pledge-form');
    // The letter is printed and signed before it is recorded.
    await click('person-print-letter');
    await previewShown();
    await shot('75a-person-pledge-preview');
    await closePreview();
    await click('person-pledge-submit');
    await wd.until(async () => (await status()) === '在岗', 'status 在岗', 15000);
    assert.equal(await wd.exists(tid('person-missing')), false);
    await step('letters tab', async () => (await wd.find('#tab-pledges')).click());
    await wd.waitText(tid('person-pledges'), '上岗');
    await shot('76-person-on-post');
  });

  it('registers the carrier with him as custodian', async () => {
    await registerCarrier();
    const table = await wd.waitText(tid('documents-table'), SERIAL, 15000);
    assert.match(table, /张三/);
    await wd.waitText(tid('documents-count'), '共 1 条');
  });

  it('refuses the off-boarding while he holds the carrier, listing it', async () => {
    await openPerson();
    const held = await wd.waitText(tid('person-holdings'), SERIAL, 10000);
    assert.match(held, new RegExp(TITLE));
    assert.match(held, /责任人/);
    await openAction('offboard');
    const list = await text('person-offboard-holdings');
    assert.match(list, /须先清退以下载体和设备/);
    assert.match(list, new RegExp(SERIAL));
    assert.match(list, new RegExp(TITLE));
    const disabled = await wd.execute(`return document.querySelector('[data-testid="person-offboard-submit"]').disabled`);
    assert.equal(disabled, true, 'submit disabled while anything is held');
    await shot('77-person-offboard-blocked');
    await (await wd.find(input('person-offboard-witness'))).type(Keys.Escape);
    await wd.until(async () => !(await (await wd.find(tid('person-event-offboard'))).displayed()), 'the dialog to close');
    await sleep(300);
  });

  it('hands the carrier back, then off-boards him into the 脱密期', async () => {
    // The holdings open the carrier; it is distributed to the officer.
    await step('open the held carrier', async () => (await wd.find(`${tid('person-holdings')} .el-table__row td:nth-child(2)`)).click());
    await wd.waitText(tid('doc-detail-serial'), SERIAL);
    await click('doc-action-distribute');
    await wd.find(tid('doc-event-distribute'));
    await sleep(500);
    await typeInto('distribute-to', '王五', Keys.Tab);
    await click('distribute-submit');
    await wd.waitText(tid('doc-timeline'), '分发给王五', 15000);

    await openPerson();
    await wd.waitText(tid('person-holdings'), '目前没有保管或借用的涉密载体和设备', 10000);
    await openAction('offboard');
    assert.equal(await wd.exists(tid('person-offboard-holdings')), false);
    const months = await wd.execute(`return document.querySelector('[data-testid="person-offboard-months"] input').value`);
    assert.equal(months, '24', 'the unit 脱密期 of a 重要 person');
    await typeInto('person-offboard-witness', '李四');
    await tick('person-offboard-filed');
    await shot('78-person-offboard-form');
    await click('person-offboard-submit');
    await wd.until(async () => (await status()) === '脱密期', 'status 脱密期', 15000);
    assert.match(await text('person-detail-cooling'), /脱密期至 2028年11月9日/);
    const leaving = await text('person-leaving');
    assert.match(leaving, /24 个月/);
    assert.match(leaving, /2028年11月9日/);
    await wd.waitText(tid('person-timeline'), '离岗，签订离岗保密承诺书；脱密期 24 个月，至 2028-11-09', 10000);
    await shot('79-person-cooling');
  });

  it('shows the officer an unregistered custodian on the home screen', async () => {
    await click('nav-home');
    const card = await wd.waitText(tid('home-person-unregistered'), '王五', 15000);
    assert.match(card, /未登记的责任人/);
    await wd.execute(`document.querySelector('[data-testid="home-person-unregistered"]').scrollIntoView()`);
    await shot('80-person-home');
  });
});
