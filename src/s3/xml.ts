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

/**
 * A literal carriage return in XML text reaches the client's parser as a line feed (XML end-of-line handling), so a
 * key containing `\r` is written as `&#13;`, as S3 does. Runs on text js2xml has already escaped.
 */
function keepCarriageReturns(text: string): string {
  return text.includes('\r') ? text.replace(/\r/g, '&#13;') : text;
}

/** Serialises an S3 response document; attributes are limited to the constant namespace. */
export function toXml(root: string, content: XmlElement, withNamespace = true): string {
  const body = escapeAmpersands(content) as XmlElement;
  const element = withNamespace ? { _attributes: { xmlns: S3_XMLNS }, ...body } : body;
  return js2xml(
    { _declaration: { _attributes: { version: '1.0', encoding: 'UTF-8' } }, [root]: element },
    { compact: true, fullTagEmptyElement: false, textFn: keepCarriageReturns },
  );
}

/**
 * Serialises a response document whose child elements must keep an order an object's keys cannot give: elements of
 * different names interleaved (ListObjectVersions lists Version and DeleteMarker entries in one key order). Each
 * child is written as toXml writes it; undefined ones are left out.
 */
export function toXmlInOrder(root: string, children: ReadonlyArray<readonly [string, XmlValue]>): string {
  const options = { compact: true, fullTagEmptyElement: false, textFn: keepCarriageReturns };
  const inner = children
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => js2xml({ [name]: escapeAmpersands(value) }, options))
    .join('');
  return js2xml({ _declaration: { _attributes: { version: '1.0', encoding: 'UTF-8' } } }, options) + `<${root} xmlns="${S3_XMLNS}">${inner}</${root}>`;
}

/** A parsed element's text, under a symbol so that no element name (`_text` is a valid one) can collide with it. */
const TEXT = Symbol('text');

/** A parsed request element: child elements by name, a leaf element's text under TEXT (read it with textOf). */
export interface ParsedElement {
  [name: string]: unknown;
  [TEXT]?: string;
}

/** Request bodies are small documents (DeleteObjects of 1000 keys is ~1.1 MB at most). */
export const MAX_REQUEST_XML_BYTES = 2 * 1024 * 1024;

/** xml-js's non-compact form: every node in document order, text and CDATA as they were sent. */
interface XmlNode {
  type?: string;
  name?: string;
  text?: unknown;
  cdata?: unknown;
  elements?: XmlNode[];
  parent?: unknown;
}

/**
 * Parses a request document into child elements by name (an array for a name that occurs more than once, and
 * always for the names in `repeated`, such as Object or Part) and each leaf element's text.
 *
 * Text is kept exactly as sent: S3 keys may be a single space, a tab or a newline, and an ETag or version id is
 * compared byte for byte. xml-js's compact mode drops whitespace-only text and cannot keep text and CDATA in
 * order, so the document is read in its ordered form with whitespace captured, and only the whitespace between
 * elements (the text of an element that has child elements) is ignored.
 */
export function parseXml(text: string, repeated: readonly string[] = []): ParsedElement {
  if (text.trim() === '') throw new S3Error('MalformedXML');
  let document: XmlNode;
  try {
    document = xml2js(text, {
      compact: false,
      captureSpacesBetweenElements: true,
      ignoreDeclaration: true,
      ignoreComment: true,
      ignoreInstruction: true,
      ignoreDoctype: true,
      ignoreAttributes: true,
    }) as XmlNode;
  } catch {
    throw new S3Error('MalformedXML');
  }
  return toParsedElement(document, new Set(repeated), 0);
}

/**
 * Deeper than any S3 request document (they nest three or four levels): a deeper one is MalformedXML rather than
 * a recursion that runs out of stack (thousands of levels were a 500, found by test/faults/hostile-input.faults.ts).
 */
const MAX_DEPTH = 32;

function toParsedElement(node: XmlNode, repeated: ReadonlySet<string>, depth: number): ParsedElement {
  if (depth > MAX_DEPTH) throw new S3Error('MalformedXML', `The XML you provided nests elements more than ${MAX_DEPTH} levels deep.`);
  // No prototype: an element named `__proto__` or `constructor` is just a name.
  const element = Object.create(null) as ParsedElement;
  let text = '';
  let hasChildElements = false;
  for (const child of node.elements ?? []) {
    if (child.type === 'element' && typeof child.name === 'string') {
      // xml-js swallows the parser's end-of-document error, so `<Delete><Object>...</Object>` (root never closed)
      // parses; such an element still carries the `parent` link xml-js removes when an element closes.
      if (Object.prototype.hasOwnProperty.call(child, 'parent')) throw new S3Error('MalformedXML');
      hasChildElements = true;
      addChild(element, child.name, toParsedElement(child, repeated, depth + 1), repeated);
    } else if (child.type === 'text' || child.type === 'cdata') {
      text += String(child.type === 'text' ? child.text : child.cdata);
    }
  }
  if (!hasChildElements) element[TEXT] = text;
  return element;
}

function addChild(parent: ParsedElement, name: string, child: ParsedElement, repeated: ReadonlySet<string>): void {
  const existing = parent[name];
  if (existing === undefined) parent[name] = repeated.has(name) ? [child] : child;
  else if (Array.isArray(existing)) existing.push(child);
  else parent[name] = [existing, child];
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
 * The text of a parsed element exactly as sent (whitespace included), '' for an element without text
 * (`<Key></Key>`) or with child elements, and undefined when there is no element.
 */
export function textOf(element: unknown): string | undefined {
  if (element === undefined || element === null) return undefined;
  if (Array.isArray(element)) return textOf(element[0]);
  if (!isElement(element)) return undefined;
  return element[TEXT] ?? '';
}
