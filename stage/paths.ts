import path from 'node:path';

/** The repository's root, and the ignored folder where the local stack keeps its state. */
export const REPO_ROOT = path.resolve(__dirname, '..');
export const STACK_DIR = path.join(REPO_ROOT, '.stack');
