import { vi } from 'vitest';

// Importing the real `electron` package outside Electron starts a binary download that fails
// offline. Every test file gets this empty mock; a test that needs Electron APIs declares its own
// vi.mock('electron', () => ({ ... })), which replaces this one for that file.
vi.mock('electron', () => ({}));
