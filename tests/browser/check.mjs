// Opens a tracereport index.html from file:// in headless Chromium and
// checks it behaves: no console error, no CSP violation, no request that is
// not the file itself, no dialog; then runs the checks of one mode and
// saves a screenshot. Driven by tests/it/browser.rs; prints one JSON line
// and exits 1 when a check fails.
//
//   node check.mjs report  OUT_DIR SHOT.png '{"verdict":"failed with -22 EINVAL"}'
//   node check.mjs hostile OUT_DIR SHOT.png '{"texts":["<script>alert(1)</script>"]}'
//   node check.mjs timing  OUT_DIR SHOT.png '{}'
//   node check.mjs screens OUT_DIR SHOT_DIR '{}'   (desktop/phone/dark.png)
//
// Chromium: CHROMIUM env var, default /usr/bin/chromium (Debian's package).

import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [mode, outDir, shot, argJson] = process.argv.slice(2);
const want = JSON.parse(argJson || "{}");
const url = pathToFileURL(path.resolve(outDir, "index.html")).href;
const failures = [];
const notes = {};
const fail = (m) => failures.push(m);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
// Every frame reports CSP violations (also logged as console errors; this
// catches them even if the log format changes).
await context.addInitScript(() => {
  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__csp.push(e.violatedDirective + " " + e.blockedURI);
    console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI);
  });
});
const page = await context.newPage();
page.on("console", (m) => {
  if (m.type() === "error" || m.type() === "assert") { fail(`console ${m.type()}: ${m.text()}`); }
});
page.on("pageerror", (e) => fail(`page error: ${e.message}`));
page.on("dialog", async (d) => { fail(`dialog opened: ${d.type()} ${d.message()}`); await d.dismiss(); });
page.on("request", (r) => {
  const u = r.url();
  if (!(u === url || u.startsWith(url + "#") || u.startsWith("data:") || u.startsWith("about:"))) {
    fail(`request to ${u}`);
  }
});

const t0 = Date.now();
await page.goto(url, { waitUntil: "load" });
await page.waitForSelector("html[data-ready='1']", { timeout: 30000 });
notes.ready_ms = await page.evaluate(() => {
  const m = performance.getEntriesByName("tracereport-ready")[0];
  return m ? Math.round(m.startTime) : null;
});
notes.wall_ms = Date.now() - t0;

// Waits until a sandboxed flame-graph frame has drawn its frames.
async function flameFrames() {
  const frames = await page.$$("iframe.flame");
  const out = [];
  for (const f of frames) {
    await f.scrollIntoViewIfNeeded();
    const fr = await f.contentFrame();
    await fr.waitForSelector("#frames g", { timeout: 15000 });
    out.push(fr);
  }
  return out;
}

async function check(name, fn) {
  try { await fn(); } catch (e) { fail(`${name}: ${e.message.split("\n")[0]}`); }
}

if (mode === "report") {
  await check("verdict", async () => {
    const v = page.locator("#verdict");
    if (!(await v.isVisible())) { throw new Error("not visible"); }
    const t = await v.innerText();
    if (want.verdict && !t.includes(want.verdict)) { throw new Error(`says ${JSON.stringify(t.slice(0, 200))}`); }
  });
  await check("divergence row", async () => {
    await page.click("#verdict a.jump");
    const row = page.locator(".aligned .row.divergence");
    await row.first().waitFor({ state: "visible", timeout: 5000 });
    const box = await row.first().boundingBox();
    if (!box || box.y < 0 || box.y > 1000) { throw new Error("not on screen after the verdict's link"); }
    notes.divergence = await row.first().innerText();
    // Calls the aligned view must show without a click (siblings of the
    // open path, one run's only).
    for (const f of want.aligned_shows || []) {
      const rows = await page.locator(".aligned .row").allInnerTexts();
      if (!rows.some((t) => t.includes(f))) { throw new Error(`aligned view hides ${f}`); }
    }
    // Calls both runs make show Δ = bad − good.
    const deltas = await page.locator(".aligned .row.k-same .delta").allInnerTexts();
    if (!deltas.some((t) => /^Δ [+−]\d/.test(t))) { throw new Error(`no Δ on rows of both runs: ${JSON.stringify(deltas.slice(0, 3))}`); }
    // A row's note (`×2 good / ×1 bad`, the parting) sits at the row's right
    // end: it must not be drawn over the row's Δ.
    const over = await page.evaluate(() => {
      const hit = [];
      for (const n of document.querySelectorAll(".aligned .row > .note")) {
        const r = n.getBoundingClientRect();
        for (const d of n.parentElement.querySelectorAll(":scope > .delta")) {
          const q = d.getBoundingClientRect();
          if (d.textContent && q.left < r.right && r.left < q.right) { hit.push(n.parentElement.innerText); }
        }
        // Nor over the bad run's call (its name and duration, as far as its
        // cell shows them).
        for (const c of n.parentElement.querySelectorAll(":scope > .bside")) {
          const cr = c.getBoundingClientRect();
          for (const t of c.querySelectorAll(".fn, .dur")) {
            const q = t.getBoundingClientRect();
            const right = Math.min(q.right, cr.right);
            if (t.textContent && q.left < r.right && r.left < right) { hit.push(n.parentElement.innerText); }
          }
        }
      }
      return hit;
    });
    if (over.length) { throw new Error(`a note covers the Δ: ${JSON.stringify(over.slice(0, 2))}`); }
    notes.rows_with_notes = await page.locator(".aligned .row > .note").count();
  });
  await check("tree expands on click", async () => {
    const closed = page.locator(".tree .row[aria-expanded='false']").first();
    await closed.scrollIntoViewIfNeeded();
    const tree = "#" + (await closed.evaluate((e) => e.closest(".tree").id));
    const i = await closed.getAttribute("data-i");
    const before = await page.locator(tree + " .row").count();
    await closed.click();
    const now = page.locator(`${tree} .row[data-i='${i}']`);
    if ((await now.getAttribute("aria-expanded")) !== "true") { throw new Error("still closed"); }
    const after = await page.locator(tree + " .row").count();
    if (after <= before) { throw new Error(`rows ${before} -> ${after}`); }
  });
  await check("keyboard", async () => {
    const box = page.locator(".aligned").first();
    await box.focus();
    const before = await page.locator(".aligned .row.sel").getAttribute("data-i");
    await page.keyboard.press("ArrowDown");
    const after = await page.locator(".aligned .row.sel").getAttribute("data-i");
    if (before === after) { throw new Error(`selection stayed at ${before}`); }
    if (!(await page.evaluate(() => location.hash)).startsWith("#a0-")) { throw new Error("no deep link"); }
  });
  await check("search", async () => {
    await page.fill("#q", want.search || "bpf");
    await page.waitForSelector(".row.match", { timeout: 5000 });
    await page.fill("#q", "");
    await page.waitForFunction(() => !document.querySelector(".row.match"));
  });
  await check("help, Esc, ARIA", async () => {
    await page.locator(".aligned").first().focus();
    await page.keyboard.press("?");
    if (!(await page.locator("#help").isVisible())) { throw new Error("? shows no help"); }
    await page.keyboard.press("Escape");
    if (await page.locator("#help").isVisible()) { throw new Error("Esc leaves the help open"); }
    await page.fill("#q", want.search || "bpf");
    await page.waitForSelector(".row.match", { timeout: 5000 });
    await page.locator(".aligned").first().focus();
    await page.keyboard.press("Escape");
    if ((await page.inputValue("#q")) !== "") { throw new Error("Esc outside the box left the search"); }
    await page.waitForFunction(() => !document.querySelector(".row.match"));
    const aria = await page.evaluate(() => Array.from(document.querySelectorAll(".outline .row")).map((r) => [
      r.getAttribute("aria-level"), r.getAttribute("aria-selected"), r.classList.contains("sel"),
      Array.from(r.querySelectorAll("a")).every((a) => a.tabIndex === -1)]));
    const bad = aria.filter(([lv, sel, isSel, tabs]) => !(+lv >= 1) || (sel === "true") !== isSel || !tabs);
    if (!aria.length || bad.length) { throw new Error(`rows without aria-level/aria-selected or with Tab-stop links: ${JSON.stringify(bad.slice(0, 3))}`); }
  });
  await check("flame graphs", async () => {
    const frames = await flameFrames();
    notes.flamegraphs = frames.length;
    if (frames.length < (want.flamegraphs || 1)) { throw new Error(`${frames.length} frames`); }
    const fr = frames[0];
    const g = fr.locator("#frames g").nth(1);
    // On a loaded machine the frame's handler can run after hover() returns,
    // or (the frame still laying out) the pointer lands elsewhere: wait for
    // the tooltip, and hover again.
    let details = "";
    for (let i = 0; i < 5 && !(details && details.includes("ns")); i++) {
      await page.mouse.move(0, 0);
      await g.hover();
      await fr.waitForFunction(() => /ns/.test(document.getElementById("details").textContent),
        null, { polling: 100, timeout: 1000 }).catch(() => {});
      details = await fr.locator("#details").textContent();
    }
    if (!details || !details.includes("ns")) { throw new Error(`no tooltip: ${JSON.stringify(details)}`); }
    // The page's search reaches the frames (inferno's own search highlights).
    await page.fill("#q", want.search || "bpf");
    // (Polled by timer: Chromium pauses animation frames of an off-screen
    // sandboxed frame.)
    const matched = (on) => fr.waitForFunction(
      (want) => /Matched/.test(document.getElementById("matched").textContent) === want,
      on, { polling: 100, timeout: 5000 });
    await matched(true);
    await page.fill("#q", "");
    await matched(false);
    await g.click();
    await fr.waitForSelector("#unzoom:not(.hide)", { timeout: 5000 });
  });
  await check("deep link", async () => {
    if (!want.deeplink) { return; }
    await page.goto(url + "#" + want.deeplink);
    await page.waitForSelector("html[data-ready='1']");
    const [, cap] = /^n(\d+)-/.exec(want.deeplink);
    const sel = page.locator(`#tree-${cap} .row.sel[data-i='${want.deeplink.split("-").pop()}']`);
    await sel.first().waitFor({ state: "visible", timeout: 5000 });
  });
  await page.goto(url);
  await page.waitForSelector("html[data-ready='1']");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: shot, fullPage: false });
} else if (mode === "screens") {
  // Issue 15, "what must hold" 2 and 4: phone and desktop widths, light and
  // dark, and print media; SHOT is a directory that gets desktop.png,
  // phone.png and dark.png.
  const views = [
    { name: "desktop", width: 1440, height: 900, scheme: "light" },
    { name: "phone", width: 390, height: 844, scheme: "light" },
    { name: "dark", width: 1440, height: 900, scheme: "dark" },
    { name: "phone-dark", width: 390, height: 844, scheme: "dark" },
  ];
  notes.views = {};
  for (const v of views) {
    await check(`${v.name} view`, async () => {
      await page.setViewportSize({ width: v.width, height: v.height });
      await page.emulateMedia({ media: "screen", colorScheme: v.scheme });
      await page.goto(url);
      await page.waitForSelector("html[data-ready='1']");
      await page.evaluate(() => window.scrollTo(0, 0));
      const m = await page.evaluate(() => {
        const lum = (c) => {
          const [r, g, b] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
          return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        };
        const de = document.documentElement, vr = document.getElementById("verdict").getBoundingClientRect();
        const body = getComputedStyle(document.body);
        const tree = document.querySelector(".outline");
        return {
          page_width: de.scrollWidth, viewport: de.clientWidth, height: innerHeight,
          verdict_top: Math.round(vr.top), verdict_left: Math.round(vr.left), verdict_right: Math.round(vr.right),
          bg: lum(body.backgroundColor), fg: lum(body.color),
          outline_bg: tree ? lum(getComputedStyle(tree).backgroundColor === "rgba(0, 0, 0, 0)" ? body.backgroundColor : getComputedStyle(tree).backgroundColor) : null,
        };
      });
      notes.views[v.name] = m;
      if (m.page_width > m.viewport) { throw new Error(`page scrolls sideways: ${m.page_width} px wide in a ${m.viewport} px viewport`); }
      if (m.verdict_top < 0 || m.verdict_top > m.height - 60 || m.verdict_left < 0 || m.verdict_right > m.viewport) {
        throw new Error(`verdict not on the first screen: ${JSON.stringify(m)}`);
      }
      if (v.scheme === "dark" && !(m.bg < 0.15 && m.fg > 0.7)) { throw new Error(`not dark: ${JSON.stringify(m)}`); }
      if (v.scheme === "light" && !(m.bg > 0.9 && m.fg < 0.3)) { throw new Error(`not light: ${JSON.stringify(m)}`); }
      if (v.name !== "phone-dark") { await page.screenshot({ path: path.join(shot, v.name + ".png"), fullPage: false }); }
    });
  }
  await check("no literal backticks", async () => {
    // Captions, audit lines and warnings draw `code` as code, not as backticks.
    const t = await page.evaluate(() => {
      const b = document.body.cloneNode(true);
      b.querySelectorAll("pre, script, style, iframe").forEach((e) => e.remove());
      return b.textContent.split("\n").filter((l) => l.includes("`")).slice(0, 3);
    });
    if (t.length) { throw new Error(`backticks in the page's text: ${JSON.stringify(t)}`); }
  });
  await check("dark flame graphs", async () => {
    const fr = (await flameFrames())[0];
    const f = await fr.evaluate(() => getComputedStyle(document.querySelector("svg")).filter);
    if (!/invert/.test(f)) { throw new Error(`flame graph frame not dark: filter ${f}`); }
  });
  await check("print", async () => {
    await page.setViewportSize({ width: 1000, height: 900 });
    await page.emulateMedia({ media: "print", colorScheme: "light" });
    await page.goto(url);
    await page.waitForSelector("html[data-ready='1']");
    const p = await page.evaluate(() => {
      const shown = (sel) => Array.from(document.querySelectorAll(sel)).filter((e) => e.getClientRects().length > 0).length;
      const clipped = [];
      for (const r of document.querySelectorAll(".outline .ret")) {
        const box = r.closest(".cell") || r.closest(".row");
        const a = r.getBoundingClientRect(), b = box.getBoundingClientRect();
        if (a.right > b.right + 1 || a.left < b.left - 1 || box.scrollWidth > box.clientWidth + 1) { clipped.push(r.textContent); }
      }
      return {
        controls: shown("#q, #filter, .keys, .toolbar"),
        rets: document.querySelectorAll(".outline .ret").length,
        clipped: clipped.slice(0, 5),
        page_width: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth,
      };
    });
    notes.print = p;
    if (p.controls) { throw new Error(`${p.controls} search/key controls printed`); }
    if (!p.rets) { throw new Error("no return value drawn to check"); }
    if (p.clipped.length) { throw new Error(`return values clipped: ${JSON.stringify(p.clipped)}`); }
    if (p.page_width > p.viewport) { throw new Error(`printed page ${p.page_width} px wide for ${p.viewport} px`); }
  });
} else if (mode === "hostile") {
  await check("no injected element", async () => {
    // Render every hostile name: search for each part, in every view.
    for (const t of want.search || []) {
      await page.fill("#q", t);
      await page.press("#q", "Enter");
      await page.waitForTimeout(200);
    }
    const main = await page.evaluate(() => ({
      scripts: document.querySelectorAll("script").length,
      b: document.querySelectorAll("b").length,
      handlers: Array.from(document.querySelectorAll("*")).filter((e) =>
        Array.from(e.attributes).some((a) => a.name.startsWith("on"))).length,
      text: document.body.innerText,
    }));
    if (main.scripts !== 5) { throw new Error(`${main.scripts} <script> elements (data + 4 page scripts)`); }
    if (main.b) { throw new Error(`${main.b} <b> elements`); }
    if (main.handlers) { throw new Error(`${main.handlers} elements with on* attributes`); }
    for (const t of want.texts || []) {
      if (!main.text.includes(t)) { throw new Error(`text ${JSON.stringify(t)} not shown as text`); }
    }
    for (const fr of await flameFrames()) {
      const f = await fr.evaluate(() => ({
        scripts: document.querySelectorAll("script").length,
        handlers: Array.from(document.querySelectorAll("*")).filter((e) =>
          Array.from(e.attributes).some((a) => a.name.startsWith("on"))).length,
      }));
      if (f.scripts !== 2 || f.handlers) { throw new Error(`flame frame: ${JSON.stringify(f)}`); }
    }
    notes.checked_text = (want.texts || []).length;
  });
  await page.screenshot({ path: shot, fullPage: false });
} else if (mode === "timing") {
  await check("interactive", async () => {
    const closed = page.locator(".tree .row[aria-expanded='false']").first();
    await closed.scrollIntoViewIfNeeded();
    const t = Date.now();
    await closed.click();
    notes.click_ms = Date.now() - t;
  });
  // The biggest tree: open it by deep link, then a call of it by click.
  await check("big tree", async () => {
    if (!want.bigtree) { return; }
    const [, cap, , id] = /^n(\d+)-(\d+)-(\d+)$/.exec(want.bigtree);
    let t = Date.now();
    await page.evaluate((h) => { location.hash = h; }, want.bigtree);
    await page.locator(`#tree-${cap} .row.sel[data-i='${id}']`).waitFor({ timeout: 10000 });
    notes.bigtree_open_ms = Date.now() - t;
    const before = await page.locator(`#tree-${cap} .row`).count();
    // Fail at once, not after the click's 30 s, when the deep link's tree
    // has nothing to open.
    if (!(await page.locator(`#tree-${cap} .row[aria-expanded='false']`).count())) {
      throw new Error(`${want.bigtree}: ${before} row(s), none closed (not the big tree?)`);
    }
    const closed = page.locator(`#tree-${cap} .row[aria-expanded='false']`).first();
    t = Date.now();
    await closed.click();
    notes.bigtree_expand_ms = Date.now() - t;
    notes.bigtree_rows_in_dom = await page.locator(`#tree-${cap} .row`).count();
    if (notes.bigtree_rows_in_dom < before) { throw new Error("nothing opened"); }
  });
  notes.dom_nodes = await page.evaluate(() => document.getElementsByTagName("*").length);
  // Where the time to ready goes: parsing the page vs running its script.
  Object.assign(notes, await page.evaluate(() => {
    const start = performance.getEntriesByName("tracereport-start")[0];
    const ready = performance.getEntriesByName("tracereport-ready")[0];
    return {
      html_parsed_ms: start ? Math.round(start.startTime) : null,
      script_ms: start && ready ? Math.round(ready.startTime - start.startTime) : null,
    };
  }));
  await page.screenshot({ path: shot, fullPage: false });
}

// Violations seen by the page itself (frames log theirs to the console).
const csp = await page.evaluate(() => window.__csp || []);
for (const v of csp) { fail(`CSP violation: ${v}`); }
await browser.close();
console.log(JSON.stringify({ ok: failures.length === 0, failures, notes }));
process.exit(failures.length ? 1 : 0);
