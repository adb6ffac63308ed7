export * from './kinds';
export * from './verbs';
export * from './placeholders';
export * from './urls';
export * from './service';
export * from './validate';
export * from './render';
export * from './build';
