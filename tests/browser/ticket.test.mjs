// End-to-end browser test of the 12345 hotline workflow, in headless Debian Chromium.
//
//   node tests/browser/ticket.test.mjs http://127.0.0.1:PORT
//
// Needs a running `fazhi demo` server at that address (scripts/browser-test.sh starts one),
// `npm ci` in tests/browser, and Chromium at /usr/bin/chromium (Debian package `chromium`).
// Screenshots go to $FAZHI_BROWSER_TEST_OUT (a fresh temp dir when unset).
//
// The ticket goes the way a real one does (case_types/hotline_ticket/case_type.toml):
//   handler (12345热线办)        受理 → 转人民调解 (opens a linked mediation case; the chain is
//                                followed to it and back) → 派单 to 城市管理科
//   handler_urban (城市管理科)    签收 → 答复
//   handler (12345热线办)        回访 → 已办结
// then `handler` finds it by a unique token in the 12345工单 list.
// Exits 0 when every step passed, 1 with a message naming the failed step otherwise.

import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

const BASE = (process.argv[2] || "").replace(/\/+$/, "");
if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(BASE)) {
  console.error("usage: node ticket.test.mjs http://127.0.0.1:PORT  (loopback only)");
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
  try {
    await step("handler logs in", () => login(page, "handler"));

    await step("handler files a 12345 ticket", async () => {
      await page.goto(`${BASE}/cases/new?type=hotline_ticket`, { timeout: STEP_TIMEOUT_MS });
      await expectText(page.locator("h1"), "新建12345工单", "new ticket page", page);
      const form = page.locator("form[action^='/cases/new']");
      await form.locator("select[name=channel]").selectOption("电话");
      await form.locator("input[name=caller_name]").fill("张测试");
      await form.locator("input[name=caller_phone]").fill("13800138000");
      await form.locator("select[name=category]").selectOption("投诉");
      await form.locator("input[name=address]").fill("测试路1号");
      await form
        .locator("textarea[name=content]")
        .fill(`浏览器测试 ${token}：测试路1号夜间施工噪声扰民，请相关部门核查处理。`);
      await Promise.all([
        page.waitForLoadState("load", { timeout: STEP_TIMEOUT_MS }),
        form.getByRole("button", { name: "提交" }).click(),
      ]);
      await expectUrl(page, /\/cases\/\d+\?notice=created$/, "file ticket");
      caseUrl = page.url().replace(/\?.*$/, "");
      await expectText(page.locator(".alert.ok[role=status]"), "已登记", "file ticket: success notice", page);
      await expectText(page.locator("h1 .badge.info"), /^已受理$/, "file ticket: state badge", page);
      caseNumber = (await kv(page, "编号").innerText()).trim();
      if (!caseNumber) fail(`file ticket: no case number on ${caseUrl}`);
      console.log(`# case ${caseNumber} at ${caseUrl}, token ${token}`);
    });

    let mediationUrl = "";
    await step("handler refers the dispute to people's mediation (转人民调解)", () =>
      takeAction(page, caseUrl, "转人民调解", (f) => f.locator("select[name=dispute_type]").selectOption("邻里"), "已受理"),
    );
    await step("the ticket's page shows the matter chain with the mediation case", async () => {
      const card = page.locator("#matter");
      await expectText(card.locator("h2"), caseNumber, "matter number is the ticket's number", page);
      const row = card.locator("tbody tr").filter({ hasText: "人民调解案件" });
      await expectText(row, /已申请/, "mediation case listed in the chain with its state", page);
      await expectText(row, /由\s*\S+.*开启/, "mediation case says where it came from", page);
      const link = row.locator("td.mono a");
      if ((await link.count()) !== 1) fail(`no link to the mediation case\n  ${await pageReport(page)}`);
      await Promise.all([page.waitForLoadState("load", { timeout: STEP_TIMEOUT_MS }), link.click()]);
      await expectUrl(page, /\/cases\/\d+$/, "open the mediation case from the chain");
      mediationUrl = page.url();
      await expectText(page.locator("h1 .badge.info"), /^已申请$/, "mediation case: state badge", page);
      await expectText(kv(page, "纠纷来源"), "12345转办", "mediation case: source set by the referral", page);
      await expectText(kv(page, "纠纷类型"), "邻里", "mediation case: dispute type carried over", page);
      await expectText(page.locator("#matter tbody tr").filter({ hasText: caseNumber }), /12345工单/, "the chain from the mediation case", page);
      console.log(`# mediation case at ${mediationUrl}`);
    });
    await step("handler dispatches it to 城市管理科 (派单)", () =>
      takeAction(page, caseUrl, "派单", (f) => f.locator("select[name=assignee_department]").selectOption("urban"), "已派单"),
    );

    await step("handler_urban logs in", async () => {
      await logout(page);
      await login(page, "handler_urban");
    });

    await step("handler_urban accepts it (签收)", () => takeAction(page, caseUrl, "签收", async () => {}, "办理中"));

    await step("handler_urban replies (答复)", () =>
      takeAction(
        page,
        caseUrl,
        "答复",
        (f) => f.locator("textarea[name=reply]").fill(`经现场核查，已责令施工单位停止夜间施工。（${token}）`),
        "已答复",
      ),
    );

    await step("handler logs in again", async () => {
      await logout(page);
      await login(page, "handler");
    });

    await step("handler revisits the caller (回访) and the ticket is closed", async () => {
      await takeAction(page, caseUrl, "回访", (f) => f.locator("select[name=satisfaction]").selectOption("满意"), "已办结");
      await expectText(page.locator("h1 .badge.info"), /^已办结$/, "closed ticket: state badge", page);
      await expectText(kv(page, "办结日期"), /^\d{4}-\d{2}-\d{2}$/, "closed ticket: 办结日期", page);
    });

    await step("screenshot of the closed case page", async () => {
      const file = join(OUT_DIR, `case-${caseNumber.replace(/[^\w.-]+/g, "_")}.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: STEP_TIMEOUT_MS });
      console.log(`# screenshot: ${file}`);
    });

    await step("the ticket is found in the 12345工单 list by its token", async () => {
      await page.goto(`${BASE}/cases?type=hotline_ticket`, { timeout: STEP_TIMEOUT_MS });
      await page.locator("form.filters input[name=q]").fill(token);
      await Promise.all([
        page.waitForLoadState("load", { timeout: STEP_TIMEOUT_MS }),
        page.locator("form.filters").getByRole("button", { name: "查询" }).click(),
      ]);
      await expectUrl(page, (u) => u.pathname === "/cases" && u.searchParams.get("q") === token, "search");
      const rows = page.locator("table tbody tr");
      const link = rows.locator("td.mono a", { hasText: caseNumber });
      // Server-rendered: once the table is there, the rows are final.
      await page.locator("table tbody").waitFor({ state: "attached", timeout: STEP_TIMEOUT_MS });
      if ((await link.count()) === 0) {
        const shot = join(OUT_DIR, "failure-list.png");
        await page.screenshot({ path: shot, fullPage: true, timeout: 5_000 }).catch(() => {});
        console.error(`# list screenshot: ${shot}`);
        const got = await rows.allInnerTexts();
        const listUrl = page.url();
        const total = (await page.locator("p.muted", { hasText: "共" }).first().innerText().catch(() => "?")).trim();
        // Can this user open the case itself? Tells a search/scope problem from a lost case.
        await page.goto(caseUrl, { timeout: STEP_TIMEOUT_MS });
        const direct = (await page.locator("h1").first().innerText().catch(() => "?")).replace(/\s+/g, " ").trim();
        fail(
          `search “${token}” as handler: case ${caseNumber} not in the result table\n` +
            `  URL ${listUrl}\n  list says: ${total}; rows: ${JSON.stringify(got)}\n` +
            `  yet ${caseUrl} opens for the same user and shows: ${direct}`,
        );
      }
      const n = await rows.count();
      if (n !== 1) fail(`search “${token}”: expected exactly 1 row, got ${n}`);
      await expectText(rows.first().locator(".badge").first(), /^已办结$/, "search: state of the row", page);
      const href = await link.first().getAttribute("href");
      if (`${BASE}${href}` !== caseUrl) fail(`search: row links to ${href}, expected ${caseUrl}`);
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
