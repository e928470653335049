/**
 * The gateway's own account: the owner of everything in `parse` mode (no identity can be trusted there), and in
 * `verify` mode of the buckets nobody owns, which admins manage (README, "Access control").
 */
export const OWNER = { ID: '8f2c1ee5a1a5fb3c7e6b2d1d6f0b4b8e9c2a7d3e5f1b0c4a6d8e2f4a1c3b5d7e', DisplayName: 'ais-s3' } as const;
