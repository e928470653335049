/**
 * Text made safe for SVG, shared by the bench's and the soak's charts. A module of its own so the soak's type
 * check does not pull in the bench's workloads.
 */
export function escapeSvgText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
