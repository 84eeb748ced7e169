import { describe, expect, it } from 'vitest';
import { RUNBOOK_HTML_MAX_CHARS, runbookHtml } from '../../graph-api/runbookHtml.ts';

describe('runbookHtml', () => {
  it('renders Markdown with raw HTML escaped and unsafe links emptied', () => {
    expect(runbookHtml('# Restart\n\n<script>x()</script>\n\n[go](javascript:alert(1)) `kubectl`')).toBe(
      '<h1>Restart</h1>\n&lt;script&gt;x()&lt;/script&gt;\n<p><a href="">go</a> <code>kubectl</code></p>',
    );
  });

  it('shows Markdown longer than the limit as its escaped text, unrendered', () => {
    const long = `# Big\n\n<b>&</b> "q"\n${'- item\n'.repeat(RUNBOOK_HTML_MAX_CHARS / 7 + 1)}`;
    expect(long.length).toBeGreaterThan(RUNBOOK_HTML_MAX_CHARS);
    const html = runbookHtml(long);
    expect(html.startsWith('<p><em>This runbook is longer than 32 KiB: shown as text.</em></p>\n<pre># Big\n\n&lt;b&gt;&amp;&lt;/b&gt; &quot;q&quot;\n- item\n')).toBe(true);
    expect(html).not.toContain('<li>');
    expect(html).not.toContain('<b>');
    // At the limit it is still rendered.
    const atLimit = `${'- item\n'.repeat(Math.floor(RUNBOOK_HTML_MAX_CHARS / 7))}`.padEnd(RUNBOOK_HTML_MAX_CHARS, 'x');
    expect(atLimit.length).toBe(RUNBOOK_HTML_MAX_CHARS);
    expect(runbookHtml(atLimit)).toContain('<li>item</li>');
    expect(runbookHtml(`${atLimit}y`)).not.toContain('<li>');
  });
});
