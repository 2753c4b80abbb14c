// Types for the parts of oidc-provider that tests/e2e/oidc-provider.ts uses: the package ships
// none. Loose where the tests never look (configuration values, Koa's context).
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export type ClaimsSource = Record<string, unknown>;

  export type Account = {
    accountId: string;
    claims(use: string, scope: string): ClaimsSource | Promise<ClaimsSource>;
  };

  /** Koa's context with the provider's additions; only what the tests read. */
  export type ProviderContext = {
    type: string;
    body: unknown;
    oidc?: {
      route: string;
      entities: Record<string, unknown>;
      session?: { accountId?: string; destroy(): Promise<void> };
      cookies: { set(name: string, value: string | null, options?: Record<string, unknown>): void };
    };
  };

  export type InteractionDetails = {
    uid: string;
    params: Record<string, unknown> & { client_id: string; scope?: string };
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    session?: { accountId: string };
  };

  export type InteractionResults = {
    login?: { accountId: string; remember?: boolean };
    consent?: { grantId: string };
    error?: string;
    error_description?: string;
  };

  export type Configuration = Record<string, unknown> & {
    findAccount(ctx: ProviderContext, sub: string): Promise<Account | undefined> | Account | undefined;
  };

  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export class IdToken {
    issue(options?: { use?: string; expiresAt?: number | null }): Promise<string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    readonly issuer: string;
    readonly Grant: typeof Grant;
    readonly IdToken: typeof IdToken;
    cookieName(type: "session" | "interaction" | "resume"): string;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    use(middleware: (ctx: ProviderContext, next: () => Promise<void>) => Promise<void>): this;
    on(event: "server_error", listener: (ctx: ProviderContext, error: Error) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: InteractionResults, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  }
}

declare module "oidc-provider/lib/adapters/memory_adapter.js" {
  /** The provider's in-memory store, one per call (the default store, without its warning). */
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => unknown;
}
