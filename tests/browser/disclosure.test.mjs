// End-to-end browser test of a disclosure request (依申请公开), in headless Debian Chromium.
//
//   node tests/browser/disclosure.test.mjs http://127.0.0.1:PORT
//
// Needs a running `fazhi demo` server at that address (scripts/browser-test.sh starts one),
// `npm ci` in tests/browser, and Chromium at /usr/bin/chromium (Debian package `chromium`).
// Screenshots go to $FAZHI_BROWSER_TEST_OUT (a fresh temp dir when unset).
//
// The request goes the ordinary way (case_types/disclosure_request/case_type.toml):
//   handler_office (党政办公室)   新建政府信息公开申请 (received online, a natural person) → 答复 予以公开
// then the reply clock shows as met, and the request is found in the 依申请公开 list by a
// unique token, with its state 已答复.
// Exits 0 when every step passed, 1 with a message naming the failed step otherwise.

import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

const BASE = (process.argv[2] || "").replace(/\/+$/, "");
if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(BASE)) {
  console.error("usage: node disclosure.test.mjs http://127.0.0.1:PORT  (loopback only)");
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const PASSWORD = "fazhi-demo-2026";
const STEP_TIMEOUT_MS = 15_000; // any single wait (navigation, selector, assertion)
const TOTAL_TIMEOUT_MS = 150_000; // the whole test
const OUT_DIR = process.env.FAZHI_BROWSER_TEST_OUT || mkdtempSync(join(tmpdir(), "fazhi-browser-"));

const token = `E2E${Date.now().toString(36)}${randomBytes(4).toString("hex")}`.toUpperCase();
const started = Date.now();
let currentStep = "start";
let passed = 0;

class StepFailure extends Error {}

function fail(msg) {
  throw new StepFailure(msg);
}

/** Runs one named step; the name is reported when it fails. */
async function step(name, fn) {
  currentStep = name;
  const t0 = Date.now();
  await fn();
  passed += 1;
  console.log(`ok ${passed} - ${name} (${Date.now() - t0} ms)`);
}

/** What the page says about a failure: alerts, field messages, heading, URL. */
async function pageReport(page) {
  try {
    const texts = await page
      .locator(".alert, .field.err .msg, h1")
      .evaluateAll((els) => els.map((e) => e.innerText.replace(/\s+/g, " ").trim()).filter(Boolean));
    return `URL ${page.url()}\n  page says: ${texts.join(" | ") || "(no alert or heading)"}`;
  } catch (e) {
    return `URL ${page.url()} (page text unavailable: ${e.message})`;
  }
}

async function expectUrl(page, re, what) {
  try {
    await page.waitForURL(re, { timeout: STEP_TIMEOUT_MS });
  } catch {
    fail(`${what}: expected URL matching ${re}\n  ${await pageReport(page)}`);
  }
}

async function expectText(locator, expected, what, page) {
  try {
    await locator.first().waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const text = (await locator.first().innerText()).trim();
      if (expected instanceof RegExp ? expected.test(text) : text.includes(expected)) return text;
      if (Date.now() > deadline) fail(`${what}: expected ${expected}, got "${text}"\n  ${await pageReport(page)}`);
      await page.waitForTimeout(100);
    }
  } catch (e) {
    if (e instanceof StepFailure) throw e;
    fail(`${what}: expected ${expected} (${e.message.split("\n")[0]})\n  ${await pageReport(page)}`);
  }
}

/** The <dd> after the <dt> labelled `label` in the case's 基本信息 list. */
function kv(page, label) {
  return page
    .locator("dl.kv dt")
    .filter({ hasText: new RegExp(`^${label}$`) })
    .locator("xpath=following-sibling::dd[1]");
}

async function login(page, user) {
  await page.goto(`${BASE}/login`, { timeout: STEP_TIMEOUT_MS });
  await page.getByLabel("用户名").fill(user);
  await page.getByLabel("密码").fill(PASSWORD);
  await Promise.all([
    page.waitForLoadState("load", { timeout: STEP_TIMEOUT_MS }),
    page.getByRole("button", { name: "登录" }).click(),
  ]);
  await expectUrl(page, (u) => !u.pathname.startsWith("/login"), `login as ${user}`);
  await expectText(page.locator(".top .who"), "退出", `login as ${user}: signed-in header`, page);
}

async function logout(page) {
  await page.locator(".top .who").getByRole("button", { name: "退出" }).click();
  await expectUrl(page, /\/login/, "logout");
}

/** Opens the action's <details>, fills its inputs, submits, and checks notice + state badge. */
async function takeAction(page, caseUrl, label, fill, expectedState) {
  if (!page.url().startsWith(caseUrl)) await page.goto(caseUrl, { timeout: STEP_TIMEOUT_MS });
  const action = page.locator("details.action").filter({
    has: page.locator("summary", { hasText: new RegExp(`^\\s*${label}\\s*$`) }),
  });
  if ((await action.count()) !== 1) {
    const offered = await page.locator("details.action > summary").allInnerTexts();
    fail(`action “${label}” not offered on the case page (offered: ${offered.join("、") || "none"})\n  ${await pageReport(page)}`);
  }
  await action.locator("summary").click();
  if (!(await action.evaluate((d) => d.open))) fail(`action “${label}”: <details> did not open`);
  const form = action.locator("form");
  await fill(form);
  await Promise.all([
    page.waitForLoadState("load", { timeout: STEP_TIMEOUT_MS }),
    form.getByRole("button", { name: label, exact: true }).click(),
  ]);
  await expectUrl(page, /\/cases\/\d+\?notice=done$/, `action “${label}”`);
  await expectText(page.locator(".alert.ok[role=status]"), "操作已完成", `action “${label}”: success notice`, page);
  await expectText(page.locator("h1 .badge.info"), new RegExp(`^${expectedState}$`), `action “${label}”: state badge`, page);
}

async function main() {
  const profile = mkdtempSync(join(tmpdir(), "fazhi-chromium-profile-"));
  // A fresh --user-data-dir: Playwright takes it as launchPersistentContext's first argument
  // (it refuses --user-data-dir among the args of chromium.launch).
  const t0 = Date.now();
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 60_000,
    locale: "zh-CN",
    viewport: { width: 1400, height: 1000 },
  });
  console.log(`# Chromium ${context.browser()?.version() ?? ""} started in ${Date.now() - t0} ms`);
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  // Only loopback: anything else is aborted and reported.
  const offHost = [];
  await context.route(
    (u) => !/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(u.hostname) && /^https?:|^wss?:/.test(u.protocol),
    (r) => {
      offHost.push(r.request().url());
      return r.abort();
    },
  );
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("dialog", (d) => {
    pageErrors.push(`unexpected dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });

  let caseUrl = "";
  let caseNumber = "";
  // Received three days ago (UTC), so it is never after the server's today.
  const received = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
  try {
    await step("handler_office logs in", () => login(page, "handler_office"));

    await step("handler_office files a disclosure request", async () => {
      await page.goto(`${BASE}/cases/new?type=disclosure_request`, { timeout: STEP_TIMEOUT_MS });
      await expectText(page.locator("h1"), "新建政府信息公开申请", "new request page", page);
      const form = page.locator("form[action^='/cases/new']");
      await form.locator("select[name=channel]").selectOption("互联网（已双方确认）");
      await form.locator("input[name=received_on]").fill(received);
      await form.locator("select[name=applicant_type]").selectOption("自然人");
      await form.locator("input[name=applicant_name]").fill("李测试");
      await form
        .locator("textarea[name=content]")
        .fill(`浏览器测试 ${token}：申请公开本街道2026年老旧小区改造项目的立项批复文件。`);
      await Promise.all([
        page.waitForLoadState("load", { timeout: STEP_TIMEOUT_MS }),
        form.getByRole("button", { name: "提交" }).click(),
      ]);
      await expectUrl(page, /\/cases\/\d+\?notice=created$/, "file request");
      caseUrl = page.url().replace(/\?.*$/, "");
      await expectText(page.locator(".alert.ok[role=status]"), "已登记", "file request: success notice", page);
      await expectText(page.locator("h1 .badge.info"), /^办理中$/, "file request: state badge", page);
      await expectText(kv(page, "收到申请日期"), received, "file request: date of receipt", page);
      caseNumber = (await kv(page, "编号").innerText()).trim();
      if (!caseNumber) fail(`file request: no case number on ${caseUrl}`);
      console.log(`# case ${caseNumber} at ${caseUrl}, token ${token}`);
    });

    await step("the reply limit (第三十三条, 20 working days) is shown", async () => {
      await expectText(page.locator("body"), "答复期限", "reply clock on the case page", page);
    });

    await step("handler_office answers it (答复: 予以公开)", () =>
      takeAction(
        page,
        caseUrl,
        "答复",
        async (f) => {
          await f.locator("select[name=outcome]").selectOption("予以公开");
          await f.locator("select[name=reply_form]").selectOption("电子邮件");
        },
        "已答复",
      ),
    );

    await step("the answered request shows its outcome", async () => {
      await expectText(kv(page, "办理结果"), "予以公开", "replied request: outcome", page);
      const file = join(OUT_DIR, `disclosure-${caseNumber.replace(/[^\w.-]+/g, "_")}.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: STEP_TIMEOUT_MS });
      console.log(`# screenshot: ${file}`);
    });

    await step("the request is found in the 依申请公开 list by its token", async () => {
      await page.goto(`${BASE}/cases?type=disclosure_request&q=${encodeURIComponent(token)}`, { timeout: STEP_TIMEOUT_MS });
      await page.locator("table tbody").waitFor({ state: "attached", timeout: STEP_TIMEOUT_MS });
      const rows = page.locator("table tbody tr");
      const link = rows.locator("td.mono a", { hasText: caseNumber });
      if ((await link.count()) !== 1) fail(`search “${token}”: case ${caseNumber} not listed (rows: ${JSON.stringify(await rows.allInnerTexts())})`);
      // The list shows the state as the row's text (no badge).
      await expectText(rows.filter({ has: link }).first(), "已答复", "search: state of the row", page);
    });

    if (pageErrors.length) fail(`JavaScript errors or dialogs on the pages: ${pageErrors.join(" | ")}`);
    if (offHost.length) fail(`the pages requested non-loopback addresses: ${offHost.join(", ")}`);
  } catch (e) {
    try {
      const file = join(OUT_DIR, "failure.png");
      await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
      console.error(`# failure screenshot: ${file}`);
    } catch {}
    throw e;
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => {
  console.error(`not ok - timed out after ${TOTAL_TIMEOUT_MS} ms during step “${currentStep}”`);
  process.exit(1);
}, TOTAL_TIMEOUT_MS);

try {
  await main();
  clearTimeout(watchdog);
  console.log(`${passed} passed, 0 failed`);
  console.log(`# all steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(0);
} catch (e) {
  clearTimeout(watchdog);
  console.error(`not ok - step “${currentStep}” failed:\n  ${e instanceof StepFailure ? e.message : e.stack}`);
  console.log(`${passed} passed, 1 failed`);
  process.exit(1);
}
