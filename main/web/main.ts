/** Entry of dist/web.mjs (see start.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './start';

void main(path.dirname(fileURLToPath(import.meta.url)));
