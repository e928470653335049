// Jest's asymmetric matchers are typed `any` (@types/jest), which typescript-eslint's no-unsafe-assignment refuses
// as a property of the object literal given to toEqual or toMatchObject. These are the same matchers, typed
// `unknown`: they still match exactly as Jest's own do.

/** `expect.any(type)`: any value made by `type` (or of its primitive type, for String, Number, ...). */
export const anyOf = (type: unknown): unknown => expect.any(type);

/** `expect.stringMatching(pattern)`: a string that `pattern` matches. */
export const stringMatching = (pattern: string | RegExp): unknown => expect.stringMatching(pattern);

/** `expect.objectContaining(object)`: an object with at least these properties, equal (recursively). */
export const objectContaining = (object: Record<string, unknown>): unknown => expect.objectContaining(object);
