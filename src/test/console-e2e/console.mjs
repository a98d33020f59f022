// Drives the web console in headless Chromium: node console.mjs <console-url> <api-key> <screenshot.png>
// Exits non-zero (with the reason) when anything the console should do does not happen.
import { chromium } from 'playwright-core';

const [url, apiKey, screenshot] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const T = 30_000;

function check(condition, what) {
  if (!condition) throw new Error('check failed: ' + what);
  console.log('ok -', what);
}

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
page.on('console', (m) => console.log('[browser]', m.type(), m.text()));
page.on('pageerror', (e) => console.log('[browser error]', e.message));
const output = () => page.locator('#output').innerText();
const lastRunDone = () => page.waitForSelector('#output .exit', { timeout: T });

try {
  await page.goto(url);
  // the key is stored in localStorage and sent as a Bearer header (REST) and ?token= (WebSocket)
  await page.fill('#api-key', apiKey);
  await page.click('#save-key');
  await page.waitForFunction(() => document.querySelector('#message').textContent === 'key saved', null, { timeout: T });
  check(await page.evaluate(() => localStorage.getItem('alphora.apiKey')) === apiKey, 'the API key is kept in localStorage');

  // 1. create a sandbox
  await page.fill('#new-name', 'browser-e2e');
  await page.selectOption('#new-limits', 'minimal');
  await page.click('#create-sandbox');
  await page.waitForFunction(() => document.querySelector('#sandbox-status').textContent.startsWith('running'), null, { timeout: T });
  const sandboxId = await page.inputValue('#sandbox-select');
  check(sandboxId.startsWith('sbx_'), 'a new sandbox is selected: ' + sandboxId);

  // 2. print, sleep, print: the first line shows while the run still goes on
  await page.fill('#editor', "import time\nprint('first line', flush=True)\ntime.sleep(3)\nprint('second line')");
  check((await page.innerText('#gutter')).trim().split('\n').length === 4, 'the editor numbers its 4 lines');
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('#output').textContent.includes('first line'), null, { timeout: T });
  const early = await output();
  check(!early.includes('second line') && (await page.locator('#output .exit').count()) === 0,
    'the first line is visible before the run ends');
  check(await page.isEnabled('#cancel'), 'Cancel is enabled while the run goes on');
  await lastRunDone();
  const done = await output();
  check(done.includes('second line'), 'the second line arrives');
  check(/success · return code 0/.test(done), 'the exit summary says success');

  // 3. answer input() from the browser
  await page.fill('#editor', "name = input('your name? ')\nprint('hello,', name)");
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('#output').textContent.includes('your name? '), null, { timeout: T });
  await page.fill('#stdin-input', 'chromium');
  await page.press('#stdin-input', 'Enter');
  await lastRunDone();
  check((await output()).includes('hello, chromium'), 'input() was answered from the browser');

  // stderr is shown in its own colour
  await page.fill('#editor', "import sys\nprint('to stderr', file=sys.stderr)\nsys.exit(3)");
  await page.click('#run');
  await lastRunDone();
  check((await page.locator('#output .stderr').innerText()).includes('to stderr'), 'stderr is a separate (red) span');
  check((await output()).includes('failed · return code 3'), 'a failed run says so');

  // 4. upload a file and read it from code
  await page.setInputFiles('#file-upload', { name: 'upload.txt', mimeType: 'text/plain', buffer: Buffer.from('uploaded from chromium\n') });
  await page.waitForSelector('#files tr[data-path="upload.txt"]', { timeout: T });
  await page.fill('#editor', "print(open('upload.txt').read().upper(), end='')");
  await page.click('#run');
  await lastRunDone();
  check((await output()).includes('UPLOADED FROM CHROMIUM'), 'code reads the uploaded file');

  // download it back through the file browser
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: T }),
    page.click('#files tr[data-path="upload.txt"] button:text("Download")'),
  ]);
  const fs = await import('node:fs/promises');
  const saved = await download.path();
  check(download.suggestedFilename() === 'upload.txt' && (await fs.readFile(saved, 'utf8')) === 'uploaded from chromium\n',
    'the file browser downloads the file');

  // env vars set in the console reach the next run
  await page.fill('#env-key', 'GREETING');
  await page.fill('#env-value', 'hi there');
  await page.click('#env-set');
  await page.waitForSelector('#env td:text("GREETING")', { timeout: T });
  await page.fill('#editor', "import os\nprint(os.environ['GREETING'])");
  await page.click('#run');
  await lastRunDone();
  check((await output()).includes('hi there'), 'an env var set in the console reaches the run');

  // cancel a long run
  await page.fill('#editor', "import time\nprint('sleeping', flush=True)\ntime.sleep(60)");
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('#output').textContent.includes('sleeping'), null, { timeout: T });
  await page.click('#cancel');
  await lastRunDone();
  check((await output()).includes('cancelled'), 'Cancel ends the run');

  await page.fill('#editor', "import time\nfor i in range(3):\n    print('line', i, flush=True)\n    time.sleep(0.3)\nprint(open('upload.txt').read())");
  await page.click('#run');
  await lastRunDone();
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ sandboxId, screenshot }));
} catch (e) {
  try { await page.screenshot({ path: screenshot.replace(/\.png$/, '-failure.png'), fullPage: true }); } catch (ignored) { /* best effort */ }
  console.error(e.stack || String(e));
  console.error('output pane:\n' + (await output().catch(() => '?')));
  process.exitCode = 1;
} finally {
  await browser.close();
}
