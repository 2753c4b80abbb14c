import { beforeEach, describe, expect, it } from "vitest";
import { createIncident, createUser } from "../../db/factories";
import { attachment } from "~/lib/http.server";
import { exportFileStem } from "~/models/incident";
import * as exportRoute from "~/routes/incidents.$ref.export[.]md";
import { freshDatabase, sessionCookie } from "./helpers";

beforeEach(async () => {
  await freshDatabase();
});

async function download(userId: number, ref: string): Promise<Response> {
  const cookie = await sessionCookie(userId);
  try {
    return (await exportRoute.loader({ request: new Request(`http://localhost/incidents/${ref}.md`, { headers: { cookie } }), params: { ref }, context: {} } as never)) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** The file name a browser saves under: RFC 5987's filename* when there is one. */
function savedAs(disposition: string): string {
  const extended = /filename\*=UTF-8''([^;]+)/.exec(disposition);
  return extended ? decodeURIComponent(extended[1]) : /filename="([^"]*)"/.exec(disposition)![1];
}

describe("the Markdown export", () => {
  it("is a download named after the reference and the title, whatever the title holds", async () => {
    const admin = await createUser({ role: "admin" });
    const incident = await createIncident(admin, { title: 'Café "checkout" / 50% down; filename=evil.exe\r\nX-Injected: 1' });
    const response = await download(admin.id, `INC-${incident.id}`);
    expect(response.status).toBe(200);
    const disposition = response.headers.get("Content-Disposition")!;
    expect(disposition).toMatch(/^attachment; /);
    expect(savedAs(disposition)).toBe(`INC-${incident.id}-café-checkout-50-down-filename-evil-exe-x-injected-1.md`);
    // The plain name for old clients: ASCII only, nothing that ends the quoted string.
    expect(/filename="([^"]*)"/.exec(disposition)![1]).toBe(`INC-${incident.id}-cafe-checkout-50-down-filename-evil-exe-x-injected-1.md`);
    expect(await response.text()).toContain(`# INC-${incident.id}: Café "checkout"`);
  });

  it("is not there for someone outside a restricted incident, and is for its people", async () => {
    const admin = await createUser({ role: "admin" });
    const facilitator = await createUser();
    const outsider = await createUser();
    const incident = await createIncident(admin, { title: "Credential leak", visibility: "restricted", facilitatorId: facilitator.id });
    const refused = await download(outsider.id, `INC-${incident.id}`);
    expect(refused.status).toBe(404);
    expect(await refused.text()).not.toContain("Credential leak");
    expect((await download(facilitator.id, `INC-${incident.id}`)).status).toBe(200);
    expect((await download(admin.id, `INC-${incident.id}`)).status).toBe(200);
  });
});

describe("export file names", () => {
  it("keep letters and digits of any script, one hyphen between words, and a bounded length", () => {
    expect(exportFileStem("INC-12", "Checkout down!")).toBe("INC-12-checkout-down");
    expect(exportFileStem("INC-3", "Ошибка DNS 東京")).toBe("INC-3-ошибка-dns-東京");
    expect(exportFileStem("INC-4", "?!/")).toBe("INC-4");
    const long = exportFileStem("INC-5", "word ".repeat(100));
    expect(long.length).toBeLessThanOrEqual("INC-5-".length + 60);
    expect(long).not.toMatch(/-$/);
  });

  it("reach the header as an ASCII name and an encoded UTF-8 one, never as raw text", () => {
    expect(attachment("INC-3-東京 (1)'.md")).toBe(`attachment; filename="INC-3-____1__.md"; filename*=UTF-8''INC-3-%E6%9D%B1%E4%BA%AC%20%281%29%27.md`);
  });
});
