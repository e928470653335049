/** The gateway has one owner for everything it serves: the account its credentials stand for. */
export const OWNER = { ID: '8f2c1ee5a1a5fb3c7e6b2d1d6f0b4b8e9c2a7d3e5f1b0c4a6d8e2f4a1c3b5d7e9', DisplayName: 'ais-s3' } as const;
