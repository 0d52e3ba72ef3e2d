/** The built-in example labs (assets/labs/*.podlab.json), bundled into the renderer. */
import type { LabDoc } from '../model/labDoc';

const modules = import.meta.glob<LabDoc>('../../../assets/labs/*.podlab.json', {
  eager: true,
  import: 'default',
});

export interface Example {
  readonly file: string;
  readonly doc: LabDoc;
}

export const EXAMPLES: readonly Example[] = Object.entries(modules)
  .map(([path, doc]) => ({ file: path.split('/').pop() ?? path, doc }))
  .sort((a, b) => a.file.localeCompare(b.file));
