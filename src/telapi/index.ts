export * from './errors';
export * from './sids';
export * from './signature';
export * from './recording';
export * from './response';
export * from './client';
export * from './callback';
export * from './proxy';
