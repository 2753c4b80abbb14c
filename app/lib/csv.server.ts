import { stringify } from "csv-stringify/sync";

/**
 * Rows as CSV (RFC 4180 quoting by csv-stringify). A cell that a spreadsheet would run as a
 * formula (starting with =, +, -, @, tab or carriage return) gets a leading apostrophe.
 */
export function toCsv<T extends Record<string, string | number>>(rows: T[], columns: (keyof T & string)[]): string {
  return stringify(rows, {
    header: true,
    columns,
    cast: { string: (value) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value) },
  });
}
