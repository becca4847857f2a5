// Drives the dev stack's dashboard as a new user would, in headless Chromium.
// Usage: node dashboard.e2e.mjs <dashboard-url> <screenshot.png>
// Exits non-zero (with what was missing) when any step fails; DashboardIT runs it.
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error("usage: node dashboard.e2e.mjs <dashboard-url> <screenshot.png>");
  process.exit(2);
}
const executablePath = process.env.HERALD_CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({
  executablePath,
  headless: true,
  // Running as root in a sandbox without network: no sandbox, no GPU, no background calls to Google.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
const problems = [];
page.on("console", (m) => {
  // The delivery log answers 404 until token-service has routed the event; the page polls through that.
  const where = m.location().url || "";
  if (m.type() === "error" && !(/\/v1\/events\/[0-9a-f-]{36}$/.test(where) && m.text().includes("404"))) {
    problems.push("console: " + m.text() + (where ? " (" + where + ")" : ""));
  }
});
page.on("pageerror", (e) => problems.push("page error: " + e.message));
const step = async (name, action) => {
  try {
    await action();
    console.log("ok   " + name);
  } catch (e) {
    console.log("FAIL " + name + ": " + e.message.split("\n")[0]);
    await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
    console.log(problems.join("\n"));
    await browser.close();
    process.exit(1);
  }
};
const timeout = { timeout: 30_000 };
const user = "e2e-" + Date.now();

await step("the page loads with a button per built-in event type", async () => {
  await page.goto(url);
  await page.locator("#publish button[data-type]").first().waitFor(timeout);
  const types = await page.locator("#publish button[data-type]").count();
  if (types !== 15) throw new Error(`expected 15 event types, saw ${types}`);
});
await step("a dev JWT is issued and the WebSocket connects", async () => {
  await page.fill("#user", user);
  await page.click("#get-jwt");
  await page.locator("#ws-status", { hasText: "connected as " + user }).waitFor(timeout);
});
for (const provider of ["fcm", "expo", "apns"]) {
  await step(`an emulated ${provider} device is registered`, async () => {
    await page.selectOption("#provider", provider);
    await page.click("#register-device");
    await page.locator("#devices li", { hasText: provider + " ·" }).waitFor(timeout);
  });
}
await step("one click publishes a product_like", async () => {
  await page.click('#publish button[data-type="product_like"]');
  await page.locator("#publish-status", { hasText: "product_like accepted" }).waitFor(timeout);
});
await step("the notification arrives live over the WebSocket", async () => {
  await page.locator("#live li", { hasText: "Your product was liked" }).waitFor(timeout);
  await page.locator("#live li", { hasText: 'Bob liked your product "Red bike"' }).waitFor(timeout);
});
await step("and lands in the inbox, unread", async () => {
  await page.locator("#inbox li.unread", { hasText: "Your product was liked" }).waitFor(timeout);
});
// The emulators list what every test of the dev stack sent (DashboardIT shares it): each push must be to this
// user's device, known by the last characters of its token that the device list shows.
const suffix = async (provider) => {
  const device = await page.locator("#devices li b", { hasText: provider + " ·" }).first().innerText();
  return device.split("…")[1].trim();
};
for (const provider of ["fcm", "expo", "apns"]) {
  await step(`the ${provider} emulator received the push`, async () => {
    await page.locator(`#emulator-${provider} li`, { hasText: "Your product was liked" })
      .filter({ hasText: await suffix(provider) })
      .first()
      .waitFor(timeout);
  });
}
await step("the delivery log shows every push sent and the in-app copy stored", async () => {
  for (const provider of ["fcm", "expo", "apns"]) {
    await page.locator("#delivery-log tbody tr", { hasText: provider }).filter({ hasText: "sent" }).waitFor(timeout);
  }
  await page.locator("#delivery-log tbody tr", { hasText: "inapp" }).filter({ hasText: /stored|read/ }).waitFor(timeout);
});
await step("an order_status publishes too, and mark all read clears the unread count", async () => {
  await page.click('#publish button[data-type="order_status"]');
  await page.locator("#live li", { hasText: "shipped" }).waitFor(timeout);
  await page.click("#read-all");
  await page.locator("#unread", { hasText: /^0$/ }).waitFor(timeout);
  await page.locator("#delivery-log tbody tr", { hasText: "sent" }).nth(2).waitFor(timeout);
  await page.locator("#emulator-apns li", { hasText: "Your order has been shipped" })
    .filter({ hasText: await suffix("apns") })
    .first()
    .waitFor(timeout);
});
await page.screenshot({ path: screenshot, fullPage: true });
await browser.close();
if (problems.length > 0) {
  console.log("the page reported errors:\n" + problems.join("\n"));
  process.exit(1);
}
console.log("dashboard end to end: all steps passed; screenshot " + screenshot);
