/**
 * Shows both versions after a refused save: what is stored now, and what this person typed
 * (still in the form below). Saving again replaces the stored version knowingly.
 */
export function ConflictNotice({
  stored,
  mine,
  labels,
}: {
  stored: Record<string, string>;
  mine: Record<string, string>;
  labels: Record<string, string>;
}) {
  const fields = Object.keys(labels).filter((field) => (stored[field] ?? "") !== (mine[field] ?? ""));
  return (
    <div className="conflict" role="alert">
      <h3>Someone else saved this while you were editing</h3>
      <p className="small">
        Nothing was overwritten. Compare the two versions; your text is still in the form below. Change it if needed, then
        save again to replace the stored version.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Saved meanwhile</th>
            <th scope="col">Yours</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((field) => (
            <tr key={field}>
              <th scope="row">{labels[field]}</th>
              <td>{stored[field] || "—"}</td>
              <td>{mine[field] || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
