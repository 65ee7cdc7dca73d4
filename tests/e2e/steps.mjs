// The steps every scenario takes in the window, written once: selectors by test id, a step
// that names itself and leaves a screenshot when it fails, clicking, typing, ticking, picking,
// signing in, and waiting for the print preview. A scenario takes its own set with
// `steps(() => wd, 'device')` (the driver exists only once its `before` has launched the app).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS } from './harness.mjs';
import { Keys, sleep } from './webdriver.mjs';

/** The input (or textarea) of the form field with test id `id`, or the input itself. */
export const input = (id) => `[data-testid="${id}"] input, input[data-testid="${id}"], [data-testid="${id}"] textarea`;

/** The element with test id `id`. */
export const tid = (id) => `[data-testid="${id}"]`;

/**
 * The steps of one scenario on the driver `driver()` returns. A failing step throws with its
 * own name and leaves `failed-<prefix>-<name>.png`; `timeout` is how long a click waits for
 * its element, `settle` how long a screenshot waits for fading checkmarks, field errors and
 * dialogs (ms; 0 for a scenario that waits for what it shows itself).
 */
export function steps(driver, prefix, { timeout = 10000, settle = 400 } = {}) {
  const shot = async (name) => {
    if (settle) await sleep(settle);
    await driver().screenshot(join(SHOTS, `${name}.png`));
  };

  /** Runs `fn` as the step `name`. */
  async function step(name, fn) {
    try {
      return await fn();
    } catch (e) {
      await shot(`failed-${prefix}-${name}`).catch(() => {});
      throw new Error(`${name}: ${e.message}`);
    }
  }

  const click = (id) => step(`click ${id}`, async () => (await driver().find(tid(id), timeout)).click());

  /** Ticks the checkbox of a yes/no field of a form. */
  const tick = (id) => step(`tick ${id}`, async () => (await driver().find(`${tid(id)} .el-checkbox`)).click());

  /** Types into a field; `then` is a key pressed afterwards (`true`: Enter; Tab closes
   *  suggestions and commits a date). */
  const typeInto = (id, text, then = null) =>
    step(`type ${id}`, async () => {
      const el = await driver().find(input(id));
      await el.fill(text);
      if (then) {
        await el.type(then === true ? Keys.Enter : then);
        await sleep(400); // a closing drop-down's or picker's transition
      }
    });

  /** Picks option `option` (a test id) of the select field `id`. */
  const pick = (id, option) =>
    step(`pick ${option}`, async () => {
      const wd = driver();
      await (await wd.find(`${tid(id)} .el-select__wrapper`)).click();
      const o = await wd.find(tid(option));
      await wd.until(() => o.displayed(), `option ${option}`);
      await sleep(200); // the menu's fade-in
      await o.click();
      await sleep(300);
    });

  /** The trimmed text of the element with test id `id`. */
  const text = async (id) => (await (await driver().find(tid(id))).text()).trim();

  /** Signs `user` in from the login page and waits for the top bar. */
  const signIn = (user, password) =>
    step(`sign in ${user}`, async () => {
      const wd = driver();
      await (await wd.find(input('login-user'), 20000)).fill(user);
      const pw = await wd.find(input('login-password'));
      await pw.fill(password);
      await pw.type(Keys.Enter);
      await wd.find(tid('topbar-user'), 15000);
    });

  /** Waits for the preview of a new print job: its serial and digest, and a first page the
   *  core rendered, loaded; returns the serial. */
  const previewShown = () =>
    step('preview', async () => {
      const wd = driver();
      await wd.find(tid('print-preview'), 15000);
      const serial = await wd.until(async () => (await (await wd.find(tid('print-serial'), 500)).text()).trim() || null, 'the print serial', 30000);
      assert.match(serial, /^P\d{4}-\d{6}$/);
      assert.match(await text('print-digest'), /^[0-9a-f]{12}$/);
      await wd.until(
        () => wd.execute(`const img = document.querySelector('[data-testid="print-page"]');
          return !!img && img.complete && img.naturalWidth > 0;`),
        'a loaded page image',
        30000,
      );
      await sleep(400); // the dialog's opening transition
      return serial;
    });

  /** Closes the print preview and waits until it is gone. */
  const closePreview = () =>
    step('close the preview', async () => {
      const wd = driver();
      await click('print-close');
      await wd.until(async () => !(await (await wd.find(tid('print-preview'))).displayed()), 'the preview to close');
      await sleep(300);
    });

  return { shot, step, click, tick, typeInto, pick, text, signIn, previewShown, closePreview };
}
