/**
 * A runbook's Markdown as HTML for Runbook.html. micromark runs on the event
 * loop and its time grows faster than the text (about 0.2 s for 16 KiB, 3 s
 * for 256 KiB on the benchmark machine), so only Markdown up to
 * RUNBOOK_HTML_MAX_CHARS is rendered, each text once (RENDERED_KEPT texts
 * kept, the least recently asked dropped first: at most ~25 MB); a longer
 * one is shown as its escaped text in a <pre>, not kept.
 */
import { micromark } from 'micromark';

export const RUNBOOK_HTML_MAX_CHARS = 32 * 1024;
const RENDERED_KEPT = 256;

const rendered = new Map<string, string>();

export function runbookHtml(markdown: string): string {
  const kept = rendered.get(markdown);
  if (kept !== undefined) {
    rendered.delete(markdown);
    rendered.set(markdown, kept);
    return kept;
  }
  // Escaping is linear and cheap: a long text is not kept (256 of them could take hundreds of MiB).
  if (markdown.length > RUNBOOK_HTML_MAX_CHARS) {
    return `<p><em>This runbook is longer than ${RUNBOOK_HTML_MAX_CHARS / 1024} KiB: shown as text.</em></p>\n<pre>${escapeHtml(markdown)}</pre>\n`;
  }
  const html = micromark(markdown);
  rendered.set(markdown, html);
  if (rendered.size > RENDERED_KEPT) rendered.delete(rendered.keys().next().value!);
  return html;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
