// The colours and type of Hindsight's emails, inline since mail clients ignore stylesheets.
export const FONT = "Arial, Helvetica, sans-serif";
export const INK = "#1d2330";
export const SOFT = "#4a5263";
export const ACCENT = "#2f5d8a";
export const LINE = "#dde1e8";
export const CANVAS = "#f5f6f8";
export const BAD = "#b3261e";
