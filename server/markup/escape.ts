const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
};

const SPECIAL = /[&<>"'`=]/;

export function escapeHtml(text: string): string {
  // Most text has nothing to escape, and a test is far cheaper than a replace that calls back.
  return SPECIAL.test(text) ? text.replace(/[&<>"'`=]/g, (c) => ENTITIES[c]!) : text;
}
