// js-yaml 3.x ships no types (and @types/js-yaml is not a dependency): the one function the tests use.
declare module 'js-yaml' {
  /** Every document of a multi-document YAML stream, parsed with the safe schema; an empty document is undefined or null. */
  export function safeLoadAll(text: string): unknown[];
}
