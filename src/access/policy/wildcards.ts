/**
 * IAM's wildcards as a regular expression: `*` any run of characters (`/` included), `?` any one character,
 * everything else literal. `ignoreCase` for action names.
 */
export function wildcardPattern(text: string, ignoreCase = false): RegExp {
  const source = text
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
}
