// Drives the report of `proviso check --format html` in a real Chromium
// (Debian's, at /usr/bin/chromium) through playwright-core, as a reader
// would: the matrix of partners × rules, a cell's findings, the filters, the
// sorting, the keyboard, and the printed page.
//
//   node tests/browser/report.mjs <report.html> <artifacts-dir> <scenario> <expected.json>
//
// <scenario> is `examples` (the report of the bundled examples/) or
// `hostile` (a manifest whose partner name and id, file name and waiver are
// markup).
// <expected.json> is what tests/html_browser.rs read from `--format json`
// and the manifests of the same run, so that nothing here depends on the
// example manifests:
//
//   {
//     "rules": ["ftc2012/messages-consent", ...],   // one column each, in order
//     "partners": [{ "id": "netflix", "name": "Netflix",
//                    "path": "examples/facebook-2018/netflix.yaml",
//                    "findings": [{ "rule": "...", "severity": "error",
//                                   "waived": false, "waiver": null }, ...] }, ...],
//     "probe": { "partner": "netflix", "rule": "ftc2012/messages-consent",
//                "findings": [{ "line": 52, "text": "mechanism: platform_login",
//                               "marked": "platform_login", "message": "...",
//                               "title": "...", "help": "..." }] },
//     "file": "x<img src=x onerror=alert(3)>'\".yaml"   // hostile only
//   }
//
// Every console error, uncaught exception, dialog (an `alert()` that fires
// is markup that escaped) and request for anything but the report itself
// and data: URLs (the page must fetch nothing) is recorded, and fails the
// run at the end. Each check passed prints `ok - ...`; the first that fails
// prints `not ok - ...` with the reason and ends the run with exit code 1. The
// artifacts directory receives page.png (the whole page as loaded),
// details.png (after a cell is clicked), print.png (the whole page in print
// media) and report.pdf, and failure.png when a check fails.
//
// Last, axe-core (pinned in package.json) audits the page against WCAG 2.0
// and 2.1, levels A and AA: as loaded, with a cell's details shown, and with
// the rows filtered by a rule. Any violation fails the run. The page's
// Content-Security-Policy lets only its own script run, so axe runs in a
// browser context of its own that bypasses CSP; every other check runs in
// one that enforces it. The artifacts directory receives axe's results of
// each audit as axe-<state>.json.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const STATES = ['pass', 'fail', 'waived', 'na', 'error', 'unchecked'];
const SEVERITIES = ['error', 'warning', 'note'];

const [reportArg, artifactsArg, scenario, expectedArg] = process.argv.slice(2);
if (!reportArg || !artifactsArg || !['examples', 'hostile'].includes(scenario) || !expectedArg) {
  console.error(
    'usage: node tests/browser/report.mjs <report.html> <artifacts-dir> <examples|hostile> <expected.json>',
  );
  process.exit(2);
}
const artifacts = resolve(artifactsArg);
mkdirSync(artifacts, { recursive: true });
const expected = JSON.parse(readFileSync(expectedArg, 'utf8'));
const reportUrl = pathToFileURL(resolve(reportArg)).href;

// What the page did that it must not do.
const problems = [];

// playwright-core adds --no-sandbox unless `chromiumSandbox` is true, which
// Chromium needs when it runs as root (as in CI's container).
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  chromiumSandbox: false,
  timeout: 30_000,
});
const VIEWPORT = { width: 1280, height: 900 };
const page = await browser.newPage({ viewport: VIEWPORT });
watch(page);

/** Records what `on` does that the page must not do, prefixed with `where`. */
function watch(on, where = '') {
  on.setDefaultTimeout(10_000);
  on.on('console', (message) => {
    if (message.type() === 'error') {
      const at = message.location();
      problems.push(`${where}console error: ${message.text()} (${at.url}:${at.lineNumber})`);
    }
  });
  on.on('pageerror', (error) => problems.push(`${where}uncaught exception: ${error.message}`));
  on.on('dialog', async (dialog) => {
    problems.push(`${where}${dialog.type()} dialog: ${JSON.stringify(dialog.message())}`);
    await dialog.dismiss().catch(() => {});
  });
  on.on('request', (request) => {
    // A data: URL is part of the page, not a fetch.
    if (request.url() !== reportUrl && !request.url().startsWith('data:')) {
      problems.push(`${where}request for ${request.url()}`);
    }
  });
}

let passed = 0;

/**
 * Runs one check: `ok - name`, or `not ok - name` and the end of the run,
 * with a screenshot of `on`.
 */
async function check(name, body, on = page) {
  try {
    await body();
  } catch (error) {
    console.log(`not ok - ${name}`);
    console.log(indent(error instanceof assert.AssertionError ? error.message : String(error.stack ?? error)));
    if (problems.length > 0) {
      console.log('  what the page did meanwhile:');
      for (const problem of problems) console.log(`    ${problem}`);
    }
    await on
      .screenshot({ path: join(artifacts, 'failure.png'), fullPage: true })
      .then(() => console.log(`  screenshot: ${join(artifacts, 'failure.png')}`))
      .catch(() => {});
    await browser.close().catch(() => {});
    console.log(`# ${passed} checks passed before this one failed`);
    process.exit(1);
  }
  passed += 1;
  console.log(`ok - ${name}`);
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** The matrix as the page has it now: columns, rows in order, cells. */
function matrix() {
  return page.evaluate(() => {
    const table = document.querySelector('table#matrix');
    if (!table) return null;
    const rendered = (element) => element.getClientRects().length > 0;
    return {
      columns: [...table.querySelectorAll('thead th[scope=col][data-rule]')].map((th) => th.dataset.rule),
      groups: table.querySelectorAll('thead th[scope=colgroup]').length,
      rows: [...table.querySelectorAll('tbody tr[data-partner]')].map((tr) => ({
        id: tr.dataset.partner,
        name: tr.dataset.name,
        failures: tr.dataset.failures,
        hidden: tr.hasAttribute('hidden'),
        rendered: rendered(tr),
        header: tr.querySelector('th[scope=row] button.partner')?.textContent ?? null,
        headerShown: tr.querySelector('th[scope=row] button.partner')?.innerText ?? null,
        cells: [...tr.querySelectorAll('td > button.cell')].map((button) => ({
          rule: button.dataset.rule,
          state: button.dataset.state,
          text: button.textContent.trim(),
          label: button.getAttribute('aria-label'),
        })),
      })),
      shown: document.querySelector('#shown')?.textContent ?? null,
    };
  });
}

/** The ids of the rows a reader sees, in order; hidden rows must not render. */
async function visibleRows(context = 'the page as loaded') {
  const m = await matrix();
  for (const row of m.rows) {
    assert.equal(
      row.rendered,
      !row.hidden,
      `${context}: row ${row.id} has the hidden attribute ${row.hidden} but is ${row.rendered ? '' : 'not '}rendered`,
    );
  }
  const shown = m.rows.filter((row) => !row.hidden);
  const counted = /Showing (\d+) of (\d+)/.exec(m.shown ?? '');
  assert.ok(counted, `${context}: #shown should say "Showing N of M partners", says ${JSON.stringify(m.shown)}`);
  assert.deepEqual(
    [Number(counted[1]), Number(counted[2])],
    [shown.length, m.rows.length],
    `${context}: #shown says ${JSON.stringify(m.shown)}, and ${shown.length} of ${m.rows.length} rows are shown`,
  );
  return shown.map((row) => row.id);
}

function partnerById(id) {
  const partner = expected.partners.find((p) => p.id === id);
  assert.ok(partner, `a row for partner ${JSON.stringify(id)}, which no manifest has`);
  return partner;
}

const allIds = () => expected.partners.map((p) => p.id).sort();
const sorted = (ids) => [...ids].sort();

/** Finds a row's element handle by partner id, whatever characters it holds. */
async function rowHandle(id, on = page) {
  const handle = await on.evaluateHandle(
    (id) => [...document.querySelectorAll('#matrix tbody tr[data-partner]')].find((tr) => tr.dataset.partner === id),
    id,
  );
  const element = handle.asElement();
  assert.ok(element, `no row has data-partner=${JSON.stringify(id)}`);
  return element;
}

async function cellHandle(id, rule, on = page) {
  const row = await rowHandle(id, on);
  const handle = await row.evaluateHandle(
    (tr, rule) => [...tr.querySelectorAll('td > button.cell')].find((b) => b.dataset.rule === rule),
    rule,
  );
  const element = handle.asElement();
  assert.ok(element, `row ${id} has no cell for ${rule}`);
  return element;
}

/** The details of a partner as shown: is it displayed, focused, on screen, and its findings. */
function details(id) {
  return page.evaluate((id) => {
    const section = [...document.querySelectorAll('#details section.partner')].find((s) => s.dataset.partner === id);
    if (!section) return null;
    const box = section.getBoundingClientRect();
    const shown = (element) => !element.closest('[hidden]') && element.getClientRects().length > 0;
    return {
      hidden: section.hasAttribute('hidden'),
      rendered: section.getClientRects().length > 0,
      focused: section.contains(document.activeElement),
      onScreen: box.bottom > 0 && box.top < window.innerHeight,
      text: section.textContent,
      verdict: [...section.querySelectorAll('.verdict')].filter(shown).map((v) => v.textContent.trim()),
      findings: [...section.querySelectorAll('article.finding')].map((article) => {
        const marks = [...article.querySelectorAll('pre.snippet mark')];
        const lineNumbers = [...article.querySelectorAll('.ln')];
        const text = (selector) => article.querySelector(selector)?.textContent.trim() ?? null;
        return {
          rule: article.dataset.rule,
          shown: shown(article),
          message: text('.message'),
          title: text('.rule-title'),
          help: text('.rule-help'),
          source: text('.rule-source'),
          waiver: text('.waiver'),
          snippet: article.querySelector('pre.snippet')?.textContent ?? null,
          marks: marks.map((mark) => {
            const m = mark.getBoundingClientRect();
            // The line numbers level with the mark: those of its line.
            const level = lineNumbers.filter((ln) => {
              const r = ln.getBoundingClientRect();
              return r.height > 0 && r.top < m.bottom && r.bottom > m.top;
            });
            return { text: mark.textContent, lineNumbers: level.map((ln) => ln.textContent.trim()) };
          }),
        };
      }),
    };
  }, id);
}

async function shownDetails(id) {
  const d = await details(id);
  assert.ok(d, `#details has no section.partner for ${id}`);
  assert.equal(d.hidden, false, `the details of ${id} are still hidden`);
  assert.ok(d.rendered, `the details of ${id} are not rendered`);
  return d;
}

// ---------------------------------------------------------------- checks

await check(`the report loads from ${reportUrl}`, async () => {
  const response = await page.goto(reportUrl, { waitUntil: 'load' });
  assert.ok(response === null || response.ok(), 'the report did not load');
  assert.ok(await page.$('table#matrix'), 'the page has no table#matrix');
});

await page.screenshot({ path: join(artifacts, 'page.png'), fullPage: true });

const initial = await matrix();
const columns = initial.columns;

await check(`one column per rule (${expected.rules.length})`, async () => {
  assert.equal(new Set(columns).size, columns.length, `a rule has two columns: ${columns.join(', ')}`);
  assert.deepEqual(sorted(columns), sorted(expected.rules), 'the columns are not the rules');
  assert.deepEqual(columns, expected.rules, "the columns are not in the catalogue's order");
  assert.ok(initial.groups > 0, 'the rules have no group header (th[scope=colgroup])');
});

await check(`one row per manifest (${expected.partners.length})`, async () => {
  assert.deepEqual(sorted(initial.rows.map((row) => row.id)), allIds(), 'the rows are not the manifests');
  assert.deepEqual(await visibleRows(), initial.rows.map((row) => row.id), 'a row is hidden before any filter');
});

await check("each row names its partner and counts its unwaived findings", async () => {
  for (const row of initial.rows) {
    const partner = partnerById(row.id);
    assert.equal(row.name, partner.name, `data-name of row ${row.id}`);
    assert.ok(row.header?.includes(partner.name), `the row header of ${row.id} reads ${JSON.stringify(row.header)}`);
    assert.ok(
      row.headerShown?.includes(partner.name),
      `the row header of ${row.id} shows ${JSON.stringify(row.headerShown)}, not the name as text`,
    );
    const failures = partner.findings.filter((f) => !f.waived).length;
    assert.equal(row.failures, String(failures), `data-failures of row ${row.id}`);
  }
});

await check('each cell says how its rule ended for its manifest', async () => {
  for (const row of initial.rows) {
    const partner = partnerById(row.id);
    assert.deepEqual(
      row.cells.map((cell) => cell.rule),
      columns,
      `the cells of row ${row.id} are not in the columns' order`,
    );
    for (const cell of row.cells) {
      const where = `${row.id} × ${cell.rule}`;
      assert.ok(STATES.includes(cell.state), `${where}: data-state ${JSON.stringify(cell.state)}`);
      assert.ok(cell.text.length > 0, `${where}: the cell shows nothing`);
      assert.ok(cell.label && cell.label.trim().length > 0, `${where}: no aria-label`);
      const findings = partner.findings.filter((f) => f.rule === cell.rule);
      const unwaived = findings.filter((f) => !f.waived).length;
      if (unwaived > 0) {
        assert.equal(cell.state, 'fail', `${where}: ${unwaived} unwaived finding(s)`);
        assert.ok(cell.text.includes(String(unwaived)), `${where}: shows ${JSON.stringify(cell.text)}, not ${unwaived}`);
      } else if (findings.length > 0) {
        assert.equal(cell.state, 'waived', `${where}: ${findings.length} waived finding(s)`);
        assert.ok(
          cell.text.includes(String(findings.length)),
          `${where}: shows ${JSON.stringify(cell.text)}, not ${findings.length}`,
        );
      } else {
        assert.ok(['pass', 'na', 'unchecked'].includes(cell.state), `${where}: no finding, yet ${cell.state}`);
      }
    }
  }
});

// A waived finding shows its waiver: reason, approver and expiry.
const waivedCell = expected.partners
  .flatMap((p) => p.findings.filter((f) => f.waived && f.waiver).map((f) => ({ partner: p.id, finding: f })))
  .find(() => true);
if (waivedCell) {
  const { partner, finding } = waivedCell;
  await check(`clicking ${partner} × ${finding.rule} shows its waiver`, async () => {
    await (await cellHandle(partner, finding.rule)).click();
    const d = await shownDetails(partner);
    const shown = d.findings.filter((f) => f.shown && f.rule === finding.rule);
    assert.ok(shown.length > 0, 'no finding is shown');
    const waiver = shown.map((f) => f.waiver).find((w) => w !== null);
    assert.ok(waiver, 'the finding has no .waiver');
    for (const part of [finding.waiver.reason, finding.waiver.approved_by, finding.waiver.expires]) {
      assert.ok(waiver.includes(part), `.waiver reads ${JSON.stringify(waiver)}, without ${JSON.stringify(part)}`);
    }
  });
}

if (scenario === 'examples') {
  const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
  const byName = initial.rows.map((row) => row.id);

  await check('rows start in alphabetical order of partner name', async () => {
    const names = initial.rows.map((row) => row.name);
    assert.deepEqual(names, [...names].sort(collator.compare));
  });

  const probe = expected.probe;
  await check(`clicking ${probe.partner} × ${probe.rule} shows its finding with the value marked`, async () => {
    const cell = await cellHandle(probe.partner, probe.rule);
    assert.equal(await cell.getAttribute('data-state'), 'fail');
    await cell.click();
    const d = await shownDetails(probe.partner);
    assert.ok(d.focused, 'the details are not focused');
    assert.ok(d.onScreen, 'the details were not scrolled to');
    const shown = d.findings.filter((f) => f.shown);
    assert.ok(
      d.findings.every((f) => f.shown === (f.rule === probe.rule)),
      `the findings shown are of ${JSON.stringify(shown.map((f) => f.rule))}, not only ${probe.rule}`,
    );
    assert.equal(shown.length, probe.findings.length, 'the number of findings shown');
    probe.findings.forEach((want, i) => {
      const got = shown[i];
      assert.ok(got.message?.includes(want.message), `.message reads ${JSON.stringify(got.message)}`);
      assert.ok(got.title?.includes(want.title), `.rule-title reads ${JSON.stringify(got.title)}`);
      assert.ok(got.help?.includes(want.help), `.rule-help reads ${JSON.stringify(got.help)}`);
      assert.ok(got.source, 'the finding has no .rule-source');
      assert.ok(got.snippet?.includes(want.text), `the snippet does not contain ${JSON.stringify(want.text)}:\n${got.snippet}`);
      const mark = got.marks.find((m) => m.text === want.marked);
      assert.ok(mark, `no <mark> holds ${JSON.stringify(want.marked)}; marks: ${JSON.stringify(got.marks)}`);
      assert.ok(
        mark.lineNumbers.includes(String(want.line)),
        `the line number beside the mark reads ${JSON.stringify(mark.lineNumbers)}, not ${want.line}`,
      );
    });
  });
  await page.screenshot({ path: join(artifacts, 'details.png') });

  await check('clicking a partner shows all its findings', async () => {
    const partner = partnerById(probe.partner);
    const button = await (await rowHandle(probe.partner)).$('th[scope=row] button.partner');
    assert.ok(button, 'the row has no button.partner');
    await button.click();
    const d = await shownDetails(probe.partner);
    assert.ok(d.focused, 'the details are not focused');
    assert.equal(d.findings.filter((f) => f.shown).length, partner.findings.length, 'the findings shown');
  });

  await check('clicking a passing cell shows a verdict and no finding', async () => {
    const row = initial.rows.find((r) => r.cells.some((c) => c.state === 'pass' || c.state === 'na'));
    assert.ok(row, 'no cell passes');
    const cell = row.cells.find((c) => c.state === 'pass' || c.state === 'na');
    await (await cellHandle(row.id, cell.rule)).click();
    const d = await shownDetails(row.id);
    assert.equal(d.findings.filter((f) => f.shown).length, 0, `findings are shown for ${row.id} × ${cell.rule}`);
    assert.ok(d.verdict.some((v) => v.length > 0), 'no .verdict is shown');
  });

  const matching = (term) =>
    expected.partners
      .filter((p) => [p.name, p.id, p.path].some((s) => s.toLowerCase().includes(term.toLowerCase())))
      .map((p) => p.id);

  const byNameTerm = partnerById(probe.partner).name.toUpperCase();
  const byPathTerm = expected.partners
    .map((p) => p.path.split('/').slice(0, -1).join('/') + '/')
    .find((dir) => dir !== '/' && matching(dir).length > 0 && matching(dir).length < expected.partners.length);
  for (const term of [byNameTerm, byPathTerm].filter(Boolean)) {
    await check(`the partner filter ${JSON.stringify(term)} keeps the partners it matches`, async () => {
      await page.fill('#filter-partner', term);
      const want = matching(term);
      assert.ok(want.length > 0);
      assert.deepEqual(sorted(await visibleRows(`partner filter ${JSON.stringify(term)}`)), sorted(want));
    });
  }
  await check('clearing the partner filter shows every row', async () => {
    await page.fill('#filter-partner', '');
    assert.deepEqual(await visibleRows('partner filter cleared'), byName);
  });

  await check('the rule filter offers every rule', async () => {
    const values = await page.$$eval('#filter-rule option', (options) => options.map((o) => o.value));
    assert.ok(values.includes(''), 'no option for all rules');
    assert.deepEqual(sorted(values.filter((v) => v !== '')), sorted(columns));
  });
  await check('the rule filter keeps the rows with findings of that rule', async () => {
    for (const rule of columns) {
      await page.selectOption('#filter-rule', rule);
      const want = expected.partners.filter((p) => p.findings.some((f) => f.rule === rule)).map((p) => p.id);
      assert.deepEqual(sorted(await visibleRows(`rule filter ${rule}`)), sorted(want), `filtered by ${rule}`);
    }
    await page.selectOption('#filter-rule', '');
    assert.deepEqual(await visibleRows('rule filter back to all rules'), byName, 'every row again');
  });

  await check('the severity filter keeps the rows with such findings', async () => {
    for (const severity of [...SEVERITIES, 'waived']) {
      await page.selectOption('#filter-severity', severity);
      const want = expected.partners
        .filter((p) =>
          p.findings.some((f) => (severity === 'waived' ? f.waived : !f.waived && f.severity === severity)),
        )
        .map((p) => p.id);
      assert.deepEqual(sorted(await visibleRows(`severity filter ${severity}`)), sorted(want), `filtered by ${severity}`);
    }
    await page.selectOption('#filter-severity', '');
    assert.deepEqual(await visibleRows('severity filter back to all'), byName, 'every row again');
  });

  await check('sorting by failures puts the most failing partner first', async () => {
    await page.selectOption('#sort', 'failures');
    const rows = (await matrix()).rows;
    const failures = rows.map((row) => Number(row.failures));
    const most = Math.max(...expected.partners.map((p) => p.findings.filter((f) => !f.waived).length));
    assert.equal(failures[0], most, `the first row, ${rows[0].id}, has ${failures[0]} failures`);
    assert.deepEqual(failures, [...failures].sort((a, b) => b - a), 'the rows are not in order of failures');
  });
  await check('sorting by partner restores alphabetical order', async () => {
    await page.selectOption('#sort', 'partner');
    assert.deepEqual((await matrix()).rows.map((row) => row.id), byName);
  });

  await check('arrow keys move between cells, Enter opens one and Escape returns to it', async () => {
    const [first, second] = byName;
    await (await cellHandle(first, columns[0])).focus();
    const focused = () =>
      page.evaluate(() => {
        const active = document.activeElement;
        if (!active?.matches('button.cell')) return null;
        return { partner: active.closest('tr')?.dataset.partner, rule: active.dataset.rule };
      });
    assert.deepEqual(await focused(), { partner: first, rule: columns[0] }, 'focus() on the first cell');
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await focused(), { partner: first, rule: columns[1] }, 'after ArrowRight');
    await page.keyboard.press('ArrowDown');
    assert.deepEqual(await focused(), { partner: second, rule: columns[1] }, 'after ArrowDown');
    await page.keyboard.press('Enter');
    const d = await shownDetails(second);
    assert.ok(d.focused, 'the details are not focused after Enter');
    const shown = d.findings.filter((f) => f.shown);
    assert.ok(shown.every((f) => f.rule === columns[1]), `Enter showed findings of ${shown.map((f) => f.rule)}`);
    const want = partnerById(second).findings.filter((f) => f.rule === columns[1]).length;
    assert.equal(shown.length, want, 'the findings shown after Enter');
    if (want === 0) assert.ok(d.verdict.some((v) => v.length > 0), 'no .verdict is shown after Enter');
    await page.keyboard.press('Escape');
    assert.deepEqual(await focused(), { partner: second, rule: columns[1] }, 'Escape returns to the cell');
  });
}

if (scenario === 'hostile') {
  const [partner] = expected.partners;

  await check('the partner name is text in the matrix', async () => {
    const row = initial.rows.find((r) => r.id === partner.id);
    assert.ok(row.headerShown.includes(partner.name), `the row header shows ${JSON.stringify(row.headerShown)}`);
    const text = await page.$eval('#matrix', (table) => table.innerText);
    assert.ok(text.includes(partner.name), `the matrix reads:\n${text}`);
  });

  await check('no markup from the manifest became elements', async () => {
    const injected = await page.evaluate(() => {
      const found = [];
      for (const element of document.querySelectorAll('*')) {
        for (const attribute of element.getAttributeNames()) {
          if (attribute.toLowerCase().startsWith('on')) found.push(`<${element.localName} ${attribute}>`);
        }
      }
      for (const img of document.querySelectorAll('img')) {
        if (!img.getAttribute('src')?.startsWith('data:')) found.push(`<img src=${img.getAttribute('src')}>`);
      }
      for (const script of document.querySelectorAll('script')) {
        if (/alert\(/.test(script.textContent)) found.push('<script> that calls alert');
      }
      return found;
    });
    assert.deepEqual(injected, []);
  });

  await check('the file name is text in the page', async () => {
    const text = await page.evaluate(() => document.body.textContent);
    assert.ok(text.includes(expected.file ?? ''), `the page does not mention ${JSON.stringify(expected.file)}`);
  });

  await check('the partner filter matches the file name', async () => {
    const term = expected.file.slice(0, expected.file.indexOf('.yaml'));
    await page.fill('#filter-partner', term);
    assert.deepEqual(await visibleRows(`partner filter ${JSON.stringify(term)}`), [partner.id]);
    await page.fill('#filter-partner', `${partner.name}${partner.name}`);
    assert.deepEqual(await visibleRows('partner filter that matches nothing'), []);
    await page.fill('#filter-partner', '');
    assert.deepEqual(await visibleRows('partner filter cleared'), [partner.id]);
  });

  await check("the partner's findings quote its name as text", async () => {
    const failing = initial.rows[0].cells.find((c) => c.state === 'fail');
    assert.ok(failing, 'no cell fails');
    await (await cellHandle(partner.id, failing.rule)).click();
    const d = await shownDetails(partner.id);
    const shown = d.findings.filter((f) => f.shown);
    assert.ok(shown.length > 0, 'no finding is shown');
    const quoting = shown.filter((f) => f.message?.includes(partner.name));
    assert.ok(quoting.length > 0, `no message quotes the name: ${JSON.stringify(shown.map((f) => f.message))}`);
  });
  await page.screenshot({ path: join(artifacts, 'details.png') });
}

await check('in print, the controls are hidden and every row and partner section is displayed', async () => {
  await page.emulateMedia({ media: 'print' });
  const printed = await page.evaluate(() => ({
    controls: [...document.querySelectorAll('.controls')].map((c) => getComputedStyle(c).display),
    rows: [...document.querySelectorAll('#matrix tbody tr[data-partner]')]
      .filter((tr) => tr.getClientRects().length === 0)
      .map((tr) => tr.dataset.partner),
    sections: [...document.querySelectorAll('#details section.partner')].map((s) => ({
      id: s.dataset.partner,
      display: getComputedStyle(s).display,
      rendered: s.getClientRects().length > 0,
      breakBefore: getComputedStyle(s).breakBefore,
    })),
    matrixBreakAfter: getComputedStyle(document.getElementById('matrix-section')).breakAfter,
  }));
  assert.ok(printed.controls.length > 0, 'the page has no .controls');
  assert.ok(printed.controls.every((d) => d === 'none'), `.controls display: ${printed.controls}`);
  assert.deepEqual(printed.rows, [], 'rows of the matrix are not printed');
  assert.deepEqual(sorted(printed.sections.map((s) => s.id)), allIds(), 'a section.partner per manifest');
  // The matrix ends its page; the first partner starts the next one, and
  // every other partner a page of its own.
  assert.equal(printed.matrixBreakAfter, 'page', 'break-after of the matrix');
  printed.sections.forEach((section, i) => {
    assert.ok(section.rendered && section.display !== 'none', `the section of ${section.id} is not displayed`);
    assert.equal(section.breakBefore, i === 0 ? 'auto' : 'page', `break-before of the section of ${section.id}`);
  });
});
await page.screenshot({ path: join(artifacts, 'print.png'), fullPage: true });

await check('the page prints to PDF', async () => {
  const pdf = join(artifacts, 'report.pdf');
  await page.pdf({ path: pdf, printBackground: true });
  assert.ok(statSync(pdf).size > 1000, 'report.pdf is nearly empty');
  assert.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
});

// ---------------------------------------------------------------- accessibility

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// How many of a violation's elements are listed.
const AXE_SHOWN = 3;
const axeSource = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js'),
  'utf8',
);

// The page's CSP runs no script but its own, so axe can only be injected
// where CSP is bypassed: a context of its own. What CSP would have blocked
// there is a console error in `page`, which the last check fails on, so the
// two pages are the same.
const axeContext = await browser.newContext({ bypassCSP: true, viewport: VIEWPORT });
const axePage = await axeContext.newPage();
watch(axePage, 'with axe: ');

/** axe's violations as a reader wants them: rule, impact, help, and where. */
function describe(violations) {
  const lines = [`${violations.length} rule(s) of ${AXE_TAGS.join(', ')} violated:`];
  for (const violation of violations) {
    const { id, impact, help, helpUrl, nodes } = violation;
    lines.push(`${id} (${impact ?? 'no impact'}): ${help}; ${nodes.length} element(s); ${helpUrl}`);
    for (const node of nodes.slice(0, AXE_SHOWN)) {
      const target = node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' ');
      // The start of the element and its end, where its text is.
      const html = node.html.length > 200 ? `${node.html.slice(0, 140)} … ${node.html.slice(-60)}` : node.html;
      lines.push(`  - ${target}`, `      ${html}`);
      for (const line of (node.failureSummary ?? '').split('\n')) {
        if (line.trim()) lines.push(`      ${line.trim()}`);
      }
    }
    if (nodes.length > AXE_SHOWN) lines.push(`  - and ${nodes.length - AXE_SHOWN} more`);
  }
  return lines.join('\n');
}

/**
 * Runs axe on `axePage` as it is now, saves its results as
 * axe-<state>.json, and fails on any violation. What axe could not decide
 * (its "incomplete") is listed after the check, and does not fail it.
 */
async function audit(state, description) {
  let incomplete = [];
  await check(
    `axe finds no violation of WCAG 2.1 A or AA ${description}`,
    async () => {
      const results = await axePage.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
        AXE_TAGS,
      );
      writeFileSync(join(artifacts, `axe-${state}.json`), `${JSON.stringify(results, null, 2)}\n`);
      assert.ok(results.passes.length > 0, 'axe checked nothing');
      assert.ok(results.violations.length === 0, describe(results.violations));
      incomplete = results.incomplete;
    },
    axePage,
  );
  if (incomplete.length > 0) {
    const rules = incomplete.map((result) => `${result.id} (${result.nodes.length})`);
    console.log(`# axe could not decide, ${description}: ${rules.join(', ')}; see axe-${state}.json`);
  }
}

// The cell whose details are audited, and the rule the rows are filtered by.
const audited =
  scenario === 'examples'
    ? { partner: expected.probe.partner, rule: expected.probe.rule }
    : {
        partner: expected.partners[0].id,
        rule: initial.rows[0].cells.find((cell) => cell.state === 'fail')?.rule,
      };

await check(
  'axe-core loads into the report in a context that bypasses CSP',
  async () => {
    const response = await axePage.goto(reportUrl, { waitUntil: 'load' });
    assert.ok(response === null || response.ok(), 'the report did not load');
    await axePage.addScriptTag({ content: axeSource });
    const version = await axePage.evaluate(() => (typeof window.axe?.run === 'function' ? window.axe.version : null));
    assert.ok(version, 'window.axe.run is not a function');
  },
  axePage,
);

await audit('loaded', 'in the page as loaded');

const cellName = scenario === 'examples' ? `${audited.partner} × ${audited.rule}` : `a failing cell (${audited.rule})`;
await check(
  `clicking ${cellName} shows its details, to audit them`,
  async () => {
    assert.ok(audited.rule, 'no cell fails');
    await (await cellHandle(audited.partner, audited.rule, axePage)).click();
    const shown = await axePage.evaluate(
      (id) =>
        [...document.querySelectorAll('#details section.partner')].some(
          (s) => s.dataset.partner === id && !s.hidden && s.getClientRects().length > 0,
        ),
      audited.partner,
    );
    assert.ok(shown, 'the details are not shown');
  },
  axePage,
);
await audit('details', `with the details of ${cellName} shown`);

await check(
  `choosing ${audited.rule} in the rule filter leaves the rows with its findings, to audit them`,
  async () => {
    await axePage.selectOption('#filter-rule', audited.rule);
    const rows = await axePage.$$eval('#matrix tbody tr[data-partner]', (trs) => trs.filter((tr) => !tr.hidden).length);
    assert.ok(rows > 0, 'no row is left');
  },
  axePage,
);
await audit('rule-filter', `with the rows filtered by ${audited.rule}`);

await axeContext.close();

await check('no console error, exception, dialog or request', async () => {
  assert.deepEqual(problems, []);
});

await browser.close();
console.log(`# all ${passed} checks passed`);
