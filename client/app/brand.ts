/** The app header's logo link. */
export function brandMarkup(): string {
  return `<a class="brand" href="/" aria-label="Tandem home">
    <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true"><rect width="32" height="32" rx="8" fill="#4f46e5"/><path d="M9 11h14M16 11v12" stroke="#fff" stroke-width="3" stroke-linecap="round"/><circle cx="23.5" cy="22.5" r="2.5" fill="#a5b4fc"/></svg>
    <span>Tandem</span></a>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
