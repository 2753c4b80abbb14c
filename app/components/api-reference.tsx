
// The API reference, as the OpenAPI document describes it: operations by tag, then the schemas
// their bodies and answers use. Everything shown comes from the document.

export type FieldRow = { name: string; type: string; typeRef: string | null; required: boolean; notes: string };
export type OperationView = {
  id: string;
  method: string;
  path: string;
  summary: string;
  /** Sanitized HTML of the document's Markdown. */
  descriptionHtml: string;
  scope: string;
  parameters: (FieldRow & { in: string })[];
  body: { ref: string } | null;
  responses: { status: string; descriptionHtml: string; ref: string | null }[];
};
export type SchemaView = { name: string; description: string; fields: FieldRow[] };
export type Reference = { description: string; server: string; tags: { name: string; operations: OperationView[] }[]; schemas: SchemaView[] };


function TypeName({ row }: { row: Pick<FieldRow, "type" | "typeRef"> }) {
  if (!row.typeRef) return <code>{row.type}</code>;
  const [before, after] = row.type.split(row.typeRef);
  return (
    <code>
      {before}
      <a href={`#schema-${row.typeRef}`}>{row.typeRef}</a>
      {after}
    </code>
  );
}

function Fields({ rows, caption, withIn = false }: { rows: (FieldRow & { in?: string })[]; caption: string; withIn?: boolean }) {
  return (
    <div className="table-wrap">
      <table className="list list--stack api-fields">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            {withIn ? <th scope="col">In</th> : null}
            <th scope="col">Type</th>
            <th scope="col">Required</th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.in ?? ""}${row.name}`}>
              <td>
                <code>{row.name}</code>
              </td>
              {withIn ? <td data-label="In">{row.in}</td> : null}
              <td data-label="Type">
                <TypeName row={row} />
              </td>
              <td data-label="Required">{row.required ? "yes" : "no"}</td>
              <td data-label="Notes">{row.notes || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OperationEntry({ op }: { op: OperationView }) {
  return (
    <article className="api-op" id={op.id} aria-labelledby={`${op.id}-title`}>
      <h3 id={`${op.id}-title`}>
        <span className={`api-method api-method--${op.method.toLowerCase()}`}>{op.method}</span> <code className="api-path">{op.path}</code>
      </h3>
      <p>
        <strong>{op.summary}.</strong> <span dangerouslySetInnerHTML={{ __html: op.descriptionHtml }} />{" "}
        <span className="badge">{op.scope === "write" ? "read-and-change token" : "any token"}</span>
      </p>
      {op.parameters.length > 0 ? <Fields rows={op.parameters} caption={`Parameters of ${op.method} ${op.path}`} withIn /> : null}
      {op.body ? (
        <p>
          Body (JSON): <a href={`#schema-${op.body.ref}`}>{op.body.ref}</a>
        </p>
      ) : null}
      <ul className="api-responses">
        {op.responses.map((r) => (
          <li key={r.status}>
            <code>{r.status}</code> <span dangerouslySetInnerHTML={{ __html: r.descriptionHtml }} />
            {r.ref ? (
              <>
                {" "}
                <a href={`#schema-${r.ref}`}>{r.ref}</a>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </article>
  );
}

export function ApiReference({ reference, introHtml }: { reference: Reference; introHtml: string }) {
  return (
    <>
      <section className="panel" aria-labelledby="api-intro-title">
        <h2 id="api-intro-title">Using it</h2>
        <div className="prose" dangerouslySetInnerHTML={{ __html: introHtml }} />
        <p>
          Base address: <code>{reference.server}</code>. The whole description, for code generators and tools:{" "}
          <a href="/api/v1/openapi.json">
            <code>/api/v1/openapi.json</code>
          </a>{" "}
          (OpenAPI 3.1).
        </p>
        <nav aria-label="Operations">
          <ul className="api-toc">
            {reference.tags.map((tag) => (
              <li key={tag.name}>
                <a href={`#tag-${tag.name}`}>{tag.name}</a>
              </li>
            ))}
            <li>
              <a href="#schemas">Schemas</a>
            </li>
          </ul>
        </nav>
      </section>
      {reference.tags.map((tag) => (
        <section key={tag.name} className="panel" id={`tag-${tag.name}`} aria-labelledby={`tag-${tag.name}-title`}>
          <h2 id={`tag-${tag.name}-title`}>{tag.name}</h2>
          {tag.operations.map((op) => (
            <OperationEntry key={op.id} op={op} />
          ))}
        </section>
      ))}
      <section className="panel" id="schemas" aria-labelledby="schemas-title">
        <h2 id="schemas-title">Schemas</h2>
        {reference.schemas.map((schema) => (
          <article key={schema.name} id={`schema-${schema.name}`} className="api-schema" aria-labelledby={`schema-${schema.name}-title`}>
            <h3 id={`schema-${schema.name}-title`}>{schema.name}</h3>
            {schema.description ? <p>{schema.description}</p> : null}
            {schema.fields.length > 0 ? <Fields rows={schema.fields} caption={`Fields of ${schema.name}`} /> : null}
          </article>
        ))}
      </section>
    </>
  );
}
