// A minimal W3C WebDriver client over fetch (Node 20), enough to drive the real window.
// No dependencies: the protocol is JSON over loopback HTTP to tauri-driver.

export const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
export const Keys = { Enter: '\uE007', Escape: '\uE00C', Tab: '\uE004', Control: '\uE009', Null: '\uE000', Backspace: '\uE003' };

export class WebDriver {
  constructor(base, sessionId) {
    this.base = base;
    this.sessionId = sessionId;
  }

  static async start(base, application) {
    const res = await call(base, 'POST', '/session', {
      capabilities: { alwaysMatch: { 'tauri:options': { application } } },
    });
    return new WebDriver(base, res.sessionId);
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.sessionId}${path}`, body);
  }

  async quit() {
    await this.cmd('DELETE', '').catch(() => {});
  }

  /** Finds one element by CSS selector, waiting up to `timeout` ms for it to appear. */
  async find(css, timeout = 10000) {
    const deadline = Date.now() + timeout;
    let last;
    while (Date.now() < deadline) {
      try {
        const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
        return new Element(this, v[ELEMENT]);
      } catch (e) {
        last = e;
        await sleep(100);
      }
    }
    throw new Error(`element not found: ${css} (${last?.message})`);
  }

  async findAll(css) {
    const v = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return v.map((e) => new Element(this, e[ELEMENT]));
  }

  async exists(css) {
    return (await this.findAll(css)).length > 0;
  }

  /** Waits until `predicate()` resolves truthy; returns its value. */
  async until(predicate, what, timeout = 10000) {
    const deadline = Date.now() + timeout;
    let last;
    while (Date.now() < deadline) {
      try {
        const v = await predicate();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
  }

  async waitText(css, needle, timeout = 10000) {
    let seen = '';
    try {
      return await this.until(async () => {
        seen = await (await this.find(css, 500)).text();
        return seen.includes(needle) ? seen : null;
      }, `"${needle}" in ${css}`, timeout);
    } catch (e) {
      throw new Error(`${e.message}; last text: ${JSON.stringify(seen.slice(0, 300))}`);
    }
  }

  execute(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Saves a PNG of the webview after two animation frames (so the layout has settled). */
  async screenshot(path) {
    await this.cmd('POST', '/execute/async', {
      script: 'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));',
      args: [],
    });
    const b64 = await this.cmd('GET', '/screenshot');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, Buffer.from(b64, 'base64'));
  }

  async keys(text) {
    const actions = [...text].flatMap((c) => [{ type: 'keyDown', value: c }, { type: 'keyUp', value: c }]);
    await this.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
  }
}

export class Element {
  constructor(driver, id) {
    this.driver = driver;
    this.id = id;
  }
  /** Clicks, waiting out a closing dialog's mask or an animation (up to 3 s), as a person would. */
  async click() {
    const deadline = Date.now() + 3000;
    for (;;) {
      try {
        return await this.driver.cmd('POST', `/element/${this.id}/click`, {});
      } catch (e) {
        if (!/intercepted|not interactable/.test(e.message) || Date.now() > deadline) throw e;
        await sleep(150);
      }
    }
  }
  async clear() {
    await this.driver.cmd('POST', `/element/${this.id}/clear`, {});
  }
  async type(text) {
    await this.driver.cmd('POST', `/element/${this.id}/value`, { text });
  }
  /** Replaces the field's text the way a person does (select all, delete, type), so the
   *  page's input handlers see every change (a WebDriver `clear` bypasses them). WebKit's
   *  driver now and then drops keystrokes: a field left shorter than the text is typed again
   *  (twice at most), so a test fails on what the app did, not on a lost key. */
  async fill(text) {
    for (let attempt = 0; ; attempt++) {
      await this.click();
      await this.type(`${Keys.Control}a${Keys.Null}${Keys.Backspace}`);
      await this.type(text);
      const value = await this.driver.execute('return arguments[0].value', [{ [ELEMENT]: this.id }]);
      if (typeof value !== 'string' || value.length >= text.length || attempt === 2) return;
    }
  }
  /** The element's rendered text (`innerText`: WebKit's WebDriver text skips some table cells). */
  text() {
    return this.driver.execute('return arguments[0].innerText', [{ [ELEMENT]: this.id }]);
  }
  displayed() {
    return this.driver.cmd('GET', `/element/${this.id}/displayed`);
  }
}

async function call(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok || json?.value?.error) {
    throw new Error(`${method} ${path}: ${json?.value?.error ?? res.status} ${json?.value?.message ?? ''}`);
  }
  return json.value;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
