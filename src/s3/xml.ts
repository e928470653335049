import { js2xml, xml2js } from 'xml-js';
import { S3Error } from './errors';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** An XML element's content: text, nested elements, or a list for a repeated element. */
export type XmlValue = string | number | boolean | XmlElement | XmlValue[] | undefined;
export interface XmlElement {
  [name: string]: XmlValue;
}

/**
 * xml-js's js2xml turns an existing `&amp;` back into `&` before escaping (docs/pitfalls.md, "XML"), so a key
 * that literally contains `a&amp;b` would come back as `a&b`: escape `&` ourselves and leave `<`, `>` to it.
 */
function escapeAmpersands(value: XmlValue): XmlValue {
  if (typeof value === 'string') return value.replace(/&/g, '&amp;');
  if (Array.isArray(value)) return value.map(escapeAmpersands);
  if (value !== null && typeof value === 'object') {
    const out: XmlElement = {};
    for (const [name, child] of Object.entries(value)) {
      if (child !== undefined) out[name] = escapeAmpersands(child);
    }
    return out;
  }
  return value;
}

/** Serialises an S3 response document; attributes are limited to the constant namespace. */
export function toXml(root: string, content: XmlElement, withNamespace = true): string {
  const body = escapeAmpersands(content) as XmlElement;
  const element = withNamespace ? { _attributes: { xmlns: S3_XMLNS }, ...body } : body;
  return js2xml({ _declaration: { _attributes: { version: '1.0', encoding: 'UTF-8' } }, [root]: element }, { compact: true, fullTagEmptyElement: false });
}

/** A parsed request element (xml-js compact form): child elements by name, its text under `_text`. */
export interface ParsedElement {
  [name: string]: unknown;
}

/** Request bodies are small documents (DeleteObjects of 1000 keys is ~1.1 MB at most). */
export const MAX_REQUEST_XML_BYTES = 2 * 1024 * 1024;

/**
 * Parses a request document. `repeated` names elements that may occur more than once (Object, Part):
 * xml-js yields an object for one child and an array for several, so those are always arrays.
 */
export function parseXml(text: string, repeated: readonly string[] = []): ParsedElement {
  if (text.trim() === '') throw new S3Error('MalformedXML');
  let document: ParsedElement;
  try {
    document = xml2js(text, {
      compact: true,
      ignoreDeclaration: true,
      ignoreComment: true,
      ignoreInstruction: true,
      ignoreDoctype: true,
      alwaysArray: [...repeated],
    }) as ParsedElement;
  } catch {
    throw new S3Error('MalformedXML');
  }
  if (hasUnclosedElement(document)) throw new S3Error('MalformedXML');
  return document;
}

function isElement(value: unknown): value is ParsedElement {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The child element `name` (the first, if repeated); undefined when there is none. */
export function childElement(parent: ParsedElement, name: string): ParsedElement | undefined {
  const child = parent[name];
  const first: unknown = Array.isArray(child) ? child[0] : child;
  return isElement(first) ? first : undefined;
}

/** Every child element `name`, in document order (name it in parseXml's `repeated`). */
export function childElements(parent: ParsedElement, name: string): ParsedElement[] {
  const child = parent[name];
  if (child === undefined) return [];
  return (Array.isArray(child) ? child : [child]).filter(isElement);
}

/**
 * xml-js swallows the parser's end-of-document error, so `<Delete><Object>...</Object>` (root never closed)
 * parses; such an element still carries the `_parent` link xml-js removes when an element closes.
 */
function hasUnclosedElement(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Object.prototype.hasOwnProperty.call(node, '_parent')) return true;
  return Object.values(node).some(hasUnclosedElement);
}

/** The text of a compact-parsed element, or undefined. */
export function textOf(element: unknown): string | undefined {
  if (element === undefined || element === null) return undefined;
  if (Array.isArray(element)) return textOf(element[0]);
  const text = isElement(element) ? element._text : element;
  if (typeof text === 'string') return text;
  if (Array.isArray(text)) return text.join('');
  // An element without text (`<Key></Key>`) reads as empty; xml-js gives no other leaf than strings.
  return typeof text === 'number' || typeof text === 'boolean' ? String(text) : '';
}
