/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A complete, self-contained HTML document (inline styles only) for on-screen and print. */
export function htmlDocument(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:11pt/1.4 system-ui,sans-serif;color:#111;margin:0 auto;max-width:60rem;padding:1rem}
h1{font-size:18pt}h2{font-size:14pt;border-bottom:1px solid #999;margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left}
.pass{color:#064}.fail{color:#a00}figure{margin:1em 0}figcaption{font-size:9pt;color:#444}
</style></head><body>${body}</body></html>`;
}
