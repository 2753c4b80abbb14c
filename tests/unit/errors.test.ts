import { describe, expect, it } from "vitest";
import { DatabaseBusy } from "~/lib/db.server";
import { modelFailure, orErrorPage, problemDetails, problemResponse } from "~/lib/http.server";
import { Conflict, Forbidden, Invalid, LimitReached, NotFound, PublishBlocked, StateConflict } from "~/models/errors";

const VALUES = { title: "What I typed" };

/** What `fn` throws, or what its promise rejects with. */
async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("nothing was thrown");
}

describe("a refusal on a page", () => {
  it("comes back as the form with the message next to its field, and the status the refusal means", () => {
    const cases = [
      [new Invalid("Choose an owner who has an account.", "ownerId"), 400],
      [new Forbidden("Only the facilitator or an admin can change who sees this incident.", "visibility"), 403],
      [new StateConflict("A user with this email already exists.", "email"), 409],
      [new LimitReached("This incident has as many whys as it can hold.", "question"), 422],
    ] as const;
    for (const [error, status] of cases) {
      const failure = modelFailure(error, VALUES, "edit");
      expect(failure.init?.status).toBe(status);
      expect(failure.data).toMatchObject({ ok: false, target: "edit", errors: { [error.field!]: [error.message] }, values: VALUES });
      expect(failure.data.formError).toBeUndefined();
    }
  });

  it("puts a refusal about no field above the form", () => {
    const failure = modelFailure(new StateConflict("Only a published incident can be republished."), VALUES, "move");
    expect(failure.init?.status).toBe(409);
    expect(failure.data).toMatchObject({ errors: {}, formError: "Only a published incident can be republished." });
  });

  it("shows both versions of a stale save", () => {
    const failure = modelFailure(new Conflict({ title: "Theirs", version: "3" }), VALUES, "edit");
    expect(failure.init?.status).toBe(409);
    expect(failure.data.conflict).toEqual({ title: "Theirs", version: "3" });
    expect(failure.data.formError).toContain("Someone else saved this");
  });

  it("lists the checks that stopped a publication", () => {
    const problems = [{ field: "summaryMd", message: "Write a summary." }, { field: "answer", message: "Answer this why.", whyId: 7 }];
    const failure = modelFailure(new PublishBlocked(problems), VALUES, "move");
    expect(failure.init?.status).toBe(422);
    expect(failure.data).toMatchObject({ target: "move", errors: {}, formError: "This analysis is not ready to publish yet.", problems });
  });

  it("gives the form back with what was typed when the database stays busy, as a 503 to send again", () => {
    for (const busy of [new DatabaseBusy(), new Error("Transaction failed", { cause: new DatabaseBusy("Lost to concurrent transactions 30 times.") })]) {
      const failure = modelFailure(busy, VALUES, "edit");
      expect(failure.init?.status).toBe(503);
      expect(new Headers(failure.init?.headers).get("Retry-After")).toBe("5");
      expect(failure.data).toMatchObject({ ok: false, target: "edit", errors: {}, values: VALUES });
      expect(failure.data.formError).toMatch(/busy.*nothing was saved/i);
    }
  });

  it("is a 404 page for a missing thing, and rethrows what is not a refusal", async () => {
    const missing = await thrown(() => modelFailure(new NotFound("user", "No such user."), VALUES));
    expect(missing).toBeInstanceOf(Response);
    expect((missing as Response).status).toBe(404);
    expect(await (missing as Response).text()).toBe("No such user.");
    const fault = new TypeError("a bug");
    expect(await thrown(() => modelFailure(fault, VALUES))).toBe(fault);
  });
});

describe("a read for a page", () => {
  it("turns a missing thing into a 404 and a refusal into a 403 with its words", async () => {
    const missing = await thrown(() => orErrorPage(() => { throw new NotFound("incident"); }));
    expect((missing as Response).status).toBe(404);
    const refused = await thrown(() => orErrorPage(() => { throw new Forbidden("Only an administrator can do this."); }));
    expect((refused as Response).status).toBe(403);
    expect(await (refused as Response).text()).toBe("Only an administrator can do this.");
    expect(await orErrorPage(() => 42)).toBe(42);
  });

  it("does the same for a read that returns a promise, and lets faults through", async () => {
    await expect(orErrorPage(async () => { throw new NotFound("action"); })).rejects.toMatchObject({ status: 404 });
    await expect(orErrorPage(async () => "found")).resolves.toBe("found");
    const fault = new TypeError("a bug");
    await expect(orErrorPage(async () => { throw fault; })).rejects.toBe(fault);
    expect(await thrown(() => orErrorPage(() => { throw new Invalid("Not a page refusal."); }))).toBeInstanceOf(Invalid);
  });

  it("turns a busy database into the 503 page, to be asked again", async () => {
    const busy = await thrown(() => orErrorPage(async () => { throw new DatabaseBusy(); }));
    expect((busy as Response).status).toBe(503);
    expect((busy as Response).headers.get("Retry-After")).toBe("5");
    expect(await (busy as Response).text()).toMatch(/busy/);
  });
});

describe("a refusal as problem+json (RFC 9457)", () => {
  it("carries the status, a type per refusal, a title and the message as detail", () => {
    expect(problemDetails(new NotFound("incident"))).toEqual({
      status: 404,
      body: { type: "tag:hindsight,2026:not-found", title: "Not found", status: 404, detail: "Not found" },
    });
    expect(problemDetails(new Forbidden("Only admins can change the cause categories.")).body).toMatchObject({ status: 403, type: "tag:hindsight,2026:forbidden" });
    expect(problemDetails(new StateConflict("Confirm to delete them all.")).status).toBe(409);
    expect(problemDetails(new LimitReached("Too many.")).status).toBe(422);
  });

  it("points field errors at the input they are about", () => {
    const { status, body } = problemDetails(new Invalid("Choose an owner who has an account.", "ownerId"));
    expect(status).toBe(400);
    expect(body.errors).toEqual([{ pointer: "#/ownerId", detail: "Choose an owner who has an account." }]);
  });

  it("lists a blocked publication's checks as errors, with the why each is about", () => {
    const { status, body } = problemDetails(new PublishBlocked([{ field: "answer", message: "Answer this why.", whyId: 7 }, { field: "summaryMd", message: "Write a summary." }]));
    expect(status).toBe(422);
    expect(body.errors).toEqual([
      { pointer: "#/answer", detail: "Answer this why.", whyId: 7 },
      { pointer: "#/summaryMd", detail: "Write a summary." },
    ]);
  });

  it("gives the stored version of a stale save", () => {
    const { status, body } = problemDetails(new Conflict({ title: "Theirs", version: "3" }));
    expect(status).toBe(409);
    expect(body.current).toEqual({ title: "Theirs", version: "3" });
    expect(body.errors).toBeUndefined();
  });

  it("is served as application/problem+json, and a fault is not dressed up as one", async () => {
    const response = problemResponse(new Invalid("You cannot remove yourself."));
    expect(response.status).toBe(400);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ status: 400, detail: "You cannot remove yourself." });
    const fault = new Error("disk full");
    expect(await thrown(() => problemDetails(fault))).toBe(fault);
  });
});
